#pragma once
// The commands that act on the navigator's selection: Copy Name, Go to KEK, Show Deleted.

#include <QString>

#include <functional>

class QAbstractItemView;
class QMenu;

namespace kw {

class CommandController;
class NavigatorPane;

// Adds them to `commands` (actions "actionCopyName", "actionGoToKek", "actionShowDeleted");
// `notify` shows a short confirmation (the status bar). `navigator` must outlive `commands`.
void addNavigatorCommands(CommandController &commands, NavigatorPane *navigator,
                          std::function<void(const QString &)> notify);

// Right-clicking `view` makes the item under the cursor current, re-evaluates `commands`
// and pops `menu` up (asynchronously: no nested event loop).
void attachContextMenu(CommandController &commands, QAbstractItemView *view, QMenu *menu);

} // namespace kw
