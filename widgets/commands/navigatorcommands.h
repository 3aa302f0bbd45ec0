#pragma once
// The commands that act on the navigator's selection: Copy Name, Go to KEK, Show Deleted.

#include <QString>

#include <functional>

namespace kw {

class CommandController;
class NavigatorPane;

// Adds them to `commands` (actions "actionCopyName", "actionGoToKek", "actionShowDeleted");
// `notify` shows a short confirmation (the status bar). `navigator` must outlive `commands`.
void addNavigatorCommands(CommandController &commands, NavigatorPane *navigator,
                          std::function<void(const QString &)> notify);

} // namespace kw
