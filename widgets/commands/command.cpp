#include "widgets/commands/command.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAction>
#include <QMenu>

namespace kw {

QAction *makeAction(const QIcon &icon, const QString &text, const char *objectName, QObject *parent)
{
    auto *action = new QAction(icon, text, parent);
    action->setObjectName(QLatin1String(objectName));
    return action;
}

QIcon themedIcon(const char *themeName, const char *fallback)
{
    return QIcon::fromTheme(QLatin1String(themeName),
                            fallback ? QIcon(QLatin1String(fallback)) : QIcon());
}

Command::Command(QAction *action, QObject *parent)
    : QObject(parent)
    , m_action(action)
{
    m_action->setParent(this);
}

FunctionCommand::FunctionCommand(QAction *action, Predicate enabled, Run run, QObject *parent)
    : Command(action, parent)
    , m_enabled(std::move(enabled))
    , m_run(std::move(run))
{}

bool FunctionCommand::canExecute(const CommandContext &context) const
{
    return !m_enabled || m_enabled(context);
}

void FunctionCommand::execute(const CommandContext &context)
{
    m_run(context);
}

CommandController::CommandController(ContextProvider context, QObject *parent)
    : QObject(parent)
    , m_context(std::move(context))
{}

Command *CommandController::add(Command *command)
{
    command->setParent(this);
    m_commands.append(command);
    QAction *action = command->action();
    connect(action, &QAction::triggered, command, [this, command] {
        // The context may have changed since the action was last enabled (a shortcut fires
        // before any update): check again.
        const CommandContext context = m_context();
        if (command->canExecute(context))
            command->execute(context);
    });
    action->setEnabled(command->canExecute(m_context()));
    return command;
}

Command *CommandController::add(QAction *action, FunctionCommand::Predicate enabled,
                                FunctionCommand::Run run)
{
    return add(new FunctionCommand(action, std::move(enabled), std::move(run)));
}

void CommandController::updateEnabled()
{
    const CommandContext context = m_context();
    for (const QPointer<Command> &command : std::as_const(m_commands)) {
        if (command)
            command->action()->setEnabled(command->canExecute(context));
    }
}

bool CommandController::trigger(const QString &actionName)
{
    Command *target = command(actionName);
    if (!target)
        return false;
    const CommandContext context = m_context();
    if (!target->canExecute(context))
        return false;
    // The action may not have been updated since the context changed; it can run now.
    target->action()->setEnabled(true);
    target->action()->trigger();
    return true;
}

Command *CommandController::command(const QString &actionName) const
{
    for (const QPointer<Command> &command : m_commands) {
        if (command && command->action()->objectName() == actionName)
            return command;
    }
    return nullptr;
}

void bindButton(CommandController &commands, QAbstractButton *button, const QString &actionName)
{
    Command *command = commands.command(actionName);
    Q_ASSERT(command);
    QAction *action = command->action();
    button->setEnabled(action->isEnabled());
    if (button->toolTip().isEmpty())
        button->setToolTip(action->statusTip());
    QObject::connect(action, &QAction::enabledChanged, button, &QWidget::setEnabled);
    QObject::connect(button, &QAbstractButton::clicked, &commands,
                     [&commands, actionName] { commands.trigger(actionName); });
}

void attachContextMenu(CommandController &commands, QAbstractItemView *view, QMenu *menu)
{
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(view, &QWidget::customContextMenuRequested, menu,
                     [&commands, view, menu](const QPoint &pos) {
                         // The item under the cursor becomes current: the menu acts on it.
                         if (const QModelIndex at = view->indexAt(pos); at.isValid())
                             view->setCurrentIndex(at);
                         commands.updateEnabled();
                         menu->popup(view->viewport()->mapToGlobal(pos));
                     });
}

} // namespace kw
