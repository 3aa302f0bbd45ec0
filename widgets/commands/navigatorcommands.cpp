#include "widgets/commands/navigatorcommands.h"

#include "models/navigator/navigatormodel.h"
#include "widgets/commands/command.h"
#include "widgets/mainwindow/navigatorpane.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QIcon>

namespace kw {

namespace {

NavigatorModel::Kind kindOf(const QModelIndex &index)
{
    return NavigatorModel::Kind(index.data(NavigatorModel::KindRole).toInt());
}

// The name a navigator node stands for: the KEK's, or the DEK's or schema's subject.
QString nameOf(const QModelIndex &index)
{
    switch (kindOf(index)) {
    case NavigatorModel::Kind::Kek:
        return index.data(NavigatorModel::KekNameRole).toString();
    case NavigatorModel::Kind::DekSubject:
    case NavigatorModel::Kind::DekVersion:
    case NavigatorModel::Kind::SchemaSubject:
    case NavigatorModel::Kind::SchemaVersion:
        return index.data(NavigatorModel::SubjectRole).toString();
    default:
        return {};
    }
}

bool isDek(const QModelIndex &index)
{
    const auto kind = kindOf(index);
    return index.isValid() &&
           (kind == NavigatorModel::Kind::DekSubject || kind == NavigatorModel::Kind::DekVersion);
}
} // namespace

void addNavigatorCommands(CommandController &commands, NavigatorPane *navigator,
                          std::function<void(const QString &)> notify)
{
    QAction *showDeleted = makeAction(QIcon(QStringLiteral(":/icons/show-deleted.svg")),
                                      QObject::tr("Show &Deleted"), "actionShowDeleted", &commands);
    showDeleted->setCheckable(true);
    showDeleted->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    showDeleted->setStatusTip(QObject::tr("Also list soft-deleted KEKs, DEKs and schema versions"));
    // The action and the pane's checkbox are two views of one switch: the command sets the
    // pane from the action's (already toggled) state, the checkbox sets the action's.
    QObject::connect(navigator, &NavigatorPane::showDeletedToggled, showDeleted,
                     &QAction::setChecked);
    commands.add(showDeleted, {}, [navigator, showDeleted](const CommandContext &) {
        navigator->setShowDeleted(showDeleted->isChecked());
    });

    QAction *copyName = makeAction(themedIcon("edit-copy", nullptr), QObject::tr("&Copy Name"),
                                   "actionCopyName", &commands);
    copyName->setStatusTip(
        QObject::tr("Copy the selected KEK's name or the DEK's or schema's subject"));
    commands.add(
        copyName, [](const CommandContext &c) { return !nameOf(c.current).isEmpty(); },
        [notify](const CommandContext &c) {
            QGuiApplication::clipboard()->setText(nameOf(c.current));
            notify(QObject::tr("Copied “%1”").arg(nameOf(c.current)));
        });

    QAction *goToKek = makeAction(QIcon(QStringLiteral(":/icons/kek.svg")),
                                  QObject::tr("Go to &KEK"), "actionGoToKek", &commands);
    goToKek->setStatusTip(QObject::tr("Select the KEK that wraps the selected DEK"));
    commands.add(
        goToKek, [](const CommandContext &c) { return isDek(c.current); },
        [navigator](const CommandContext &c) {
            navigator->selectPath(
                {QStringLiteral("keys"), c.current.data(NavigatorModel::KekNameRole).toString()});
        });
}

} // namespace kw
