#pragma once
// Every user action is a Command: an object with its QAction, enabled from the current
// context (the open connection, the navigator's selection) and run with it. A
// CommandController owns a window's commands, re-evaluates them whenever the context changes,
// and lets menus, the toolbar and context menus share the same actions — so a command is
// enabled, disabled and triggered the same way wherever it appears, and tests drive the
// command object itself.

#include <QIcon>
#include <QModelIndex>
#include <QObject>
#include <QPointer>

#include <functional>

class QAbstractButton;
class QAbstractItemView;
class QAction;
class QMenu;

namespace kw {

namespace services {
class Connection;
}

// A QAction with an objectName (how tests and CommandController find it).
QAction *makeAction(const QIcon &icon, const QString &text, const char *objectName,
                    QObject *parent);
// The desktop theme's icon, or `fallback` (a resource path; none when null).
QIcon themedIcon(const char *themeName, const char *fallback);

// What a command acts on.
struct CommandContext
{
    const services::Connection *connection = nullptr; // null: not connected (or not known)
    // The current item of the view the controller serves (the main window's: a NavigatorModel
    // index; the Records view's: a RecordsModel index), or invalid.
    QModelIndex current;
};

class Command : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of `action` (it becomes a child of the command).
    explicit Command(QAction *action, QObject *parent = nullptr);

    [[nodiscard]] QAction *action() const { return m_action; }
    [[nodiscard]] virtual bool canExecute(const CommandContext &context) const = 0;
    virtual void execute(const CommandContext &context) = 0;

private:
    QAction *m_action;
};

// A command made of two functions: most commands are a few lines.
class FunctionCommand final : public Command
{
    Q_OBJECT

public:
    using Predicate = std::function<bool(const CommandContext &)>;
    using Run = std::function<void(const CommandContext &)>;

    // An empty `enabled` means always enabled.
    FunctionCommand(QAction *action, Predicate enabled, Run run, QObject *parent = nullptr);

    [[nodiscard]] bool canExecute(const CommandContext &context) const override;
    void execute(const CommandContext &context) override;

private:
    Predicate m_enabled;
    Run m_run;
};

class CommandController final : public QObject
{
    Q_OBJECT

public:
    using ContextProvider = std::function<CommandContext()>;

    explicit CommandController(ContextProvider context, QObject *parent = nullptr);

    // Takes ownership. Triggering its action runs it with the current context, if it can run.
    Command *add(Command *command);
    // Shorthand for add(new FunctionCommand(...)).
    Command *add(QAction *action, FunctionCommand::Predicate enabled, FunctionCommand::Run run);

    // Re-evaluates every command against the current context: call when it changes.
    void updateEnabled();
    // Runs the command whose action has this objectName, if it can run with the current
    // context, through its action (a checkable one toggles first, as a click would). False
    // when it cannot.
    bool trigger(const QString &actionName);
    [[nodiscard]] Command *command(const QString &actionName) const;
    [[nodiscard]] CommandContext context() const { return m_context(); }

private:
    ContextProvider m_context;
    QList<QPointer<Command>> m_commands;
};

// `button` runs the command whose action is `actionName` and is enabled exactly when that
// action is: for the push buttons of a form that also offers the command in a menu.
void bindButton(CommandController &commands, QAbstractButton *button, const QString &actionName);

// Right-clicking `view` makes the item under the cursor current, re-evaluates `commands`
// and pops `menu` up (asynchronously: no nested event loop).
void attachContextMenu(CommandController &commands, QAbstractItemView *view, QMenu *menu);

} // namespace kw
