// The real shell, offscreen: menus, toolbar, status bar, About, geometry, themes; and the
// navigator driven by objectName against the embedded sandbox's demo estate (KEK -> DEK
// subjects -> versions, Show deleted, the filter, detail panes, F5 keeping the selection).

#include "app/gui/demo.h"
#include "core/audit/auditlog.h"
#include "core/sandbox/demoestate.h"
#include "core/sandbox/sandboxhost.h"
#include "core/services/profilestore.h"
#include "models/audit/auditlogmodel.h"
#include "models/navigator/navigatormodel.h"
#include "models/records/recordsmodel.h"
#include "support/auditforgery.h"
#include "widgets/audit/audittab.h"
#include "widgets/commands/command.h"
#include "widgets/common/emptystatewidget.h"
#include "widgets/common/theme.h"
#include "widgets/details/dekdetailpane.h"
#include "widgets/details/kekdetailpane.h"
#include "widgets/details/schemadetailpane.h"
#include "widgets/dialogs/aboutdialog.h"
#include "widgets/dialogs/confirmationdialog.h"
#include "widgets/mainwindow/kekkeyflags.h"
#include "widgets/mainwindow/mainwindow.h"
#include "widgets/mainwindow/navigatorpane.h"
#include "widgets/profiles/profilesdialog.h"
#include "widgets/records/recordsview.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QTreeView>

using namespace kw;

namespace {

// The row under `parent` (a view index) whose text is `text`, or invalid.
QModelIndex rowNamed(QTreeView *view, const QModelIndex &parent, const QString &text)
{
    const QAbstractItemModel *model = view->model();
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex index = model->index(r, 0, parent);
        if (index.data().toString() == text)
            return index;
    }
    return {};
}

QStringList rowNames(QTreeView *view, const QModelIndex &parent)
{
    QStringList names;
    for (int r = 0; r < view->model()->rowCount(parent); ++r)
        names << view->model()->index(r, 0, parent).data().toString();
    return names;
}

// How many KEKs the demo lists: all of them, or those not soft-deleted.
int demoKeks(bool withDeleted)
{
    const sandbox::DemoEstate estate = sandbox::demoEstate();
    const auto deleted = std::count_if(
        estate.deletions.cbegin(), estate.deletions.cend(),
        [](const sandbox::DemoDeletion &d) { return d.kind == sandbox::DemoDeletion::Kind::Kek; });
    return int(estate.keks.size() - (withDeleted ? 0 : deleted));
}

void clickRow(QTreeView *view, const QModelIndex &index)
{
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    sandbox::SandboxHost *m_demo = nullptr;
    QTemporaryDir m_auditDir;

    // A window showing the demo estate, Keys and Schemas loaded.
    std::unique_ptr<MainWindow> demoWindow()
    {
        auto window = std::make_unique<MainWindow>(MainWindow::Options{.demo = true});
        followSandbox(*window, *m_demo);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            return nullptr;
        return window;
    }

    static std::shared_ptr<audit::AuditLog> openLog(const QString &path,
                                                    std::shared_ptr<audit::AuditVault> vault)
    {
        audit::AuditLog::Options options;
        options.path = path;
        auto future = audit::AuditLog::open(options, std::move(vault));
        if (!QTest::qWaitFor([&future] { return future.isFinished(); }, 10000))
            return {};
        auto log = future.result();
        return log ? *log : nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("KeywardenTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QSettings().clear();
        m_demo = new sandbox::SandboxHost(this);
        sandbox::SandboxOptions options;
        options.seed = QStringLiteral("demo");
        m_demo->start(options);
        QTRY_VERIFY_WITH_TIMEOUT(m_demo->isReady(), 240000); // minutes under ASan with -j2
    }

    void shellHasMenusToolbarAndStatus()
    {
        MainWindow window({.demo = false});
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        QStringList menus;
        for (QAction *a : window.menuBar()->actions())
            menus << a->text().remove(QLatin1Char('&'));
        QCOMPARE(menus, (QStringList{QStringLiteral("File"), QStringLiteral("Edit"),
                                     QStringLiteral("View"), QStringLiteral("Help")}));

        auto *refresh = window.findChild<QAction *>(QStringLiteral("actionRefresh"));
        QVERIFY(refresh);
        QCOMPARE(refresh->shortcut(), QKeySequence(QKeySequence::Refresh));
        auto *toolBar = window.findChild<QToolBar *>(QStringLiteral("mainToolBar"));
        QVERIFY(toolBar);
        QVERIFY(toolBar->actions().contains(refresh));
        auto *showDeleted = window.findChild<QAction *>(QStringLiteral("actionShowDeleted"));
        QVERIFY(showDeleted->isCheckable());
        QCOMPARE(showDeleted->shortcut(), QKeySequence(QStringLiteral("Ctrl+Shift+D")));

        auto *connection = window.findChild<QLabel *>(QStringLiteral("statusConnection"));
        QVERIFY(connection);
        QCOMPARE(connection->text(), QStringLiteral("Not connected"));
        QVERIFY(!window.isConnected());

        refresh->trigger();
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("no connection")));

        // Without a connection the sections have nothing to expand.
        auto *view = window.findChild<QTreeView *>(QStringLiteral("navigatorView"));
        QCOMPARE(rowNames(view, {}),
                 (QStringList{QStringLiteral("Keys"), QStringLiteral("Schemas")}));
        QVERIFY(!view->model()->hasChildren(view->model()->index(0, 0)));
    }

    void demoFollowsTheSandboxAsItStarts()
    {
        MainWindow window({.demo = true});
        sandbox::SandboxHost host;
        followSandbox(window, host);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.windowTitle().contains(QStringLiteral("demo")));
        auto *empty = window.findChild<EmptyStateWidget *>(QStringLiteral("emptyState"));
        auto *busy = window.findChild<QProgressBar *>(QStringLiteral("statusBusy"));
        auto *connection = window.findChild<QLabel *>(QStringLiteral("statusConnection"));
        QVERIFY(empty && busy && connection);
        QVERIFY(empty->isVisible());
        QVERIFY(busy->isVisible());
        QVERIFY(empty->title().startsWith(QStringLiteral("Starting")));

        sandbox::SandboxOptions options; // the empty seed: quick, same code path
        host.start(options);
        QTRY_VERIFY_WITH_TIMEOUT(host.isReady(), 20000);
        QTRY_COMPARE(empty->title(), QStringLiteral("Demo estate running"));
        QVERIFY(!busy->isVisible());
        QVERIFY(window.isConnected());
        QVERIFY(window.currentProfile().sandbox);
        QCOMPARE(window.currentProfile().name, QStringLiteral("Demo sandbox"));
        QCOMPARE(window.currentProfile().bootstrapServers, host.endpoints().bootstrapServers);
        QCOMPARE(window.currentProfile()
                     .kms.value(QStringLiteral("local-kms"))
                     .value(QStringLiteral("secret")),
                 host.endpoints().localSecret);
        QVERIFY(connection->text().contains(host.endpoints().registryUrl));
        QVERIFY(connection->text().startsWith(QStringLiteral("Demo sandbox")));
        QVERIFY(empty->text().contains(host.endpoints().bootstrapServers));
        auto *refreshed = window.findChild<QLabel *>(QStringLiteral("statusRefresh"));
        QTRY_VERIFY(refreshed->text().startsWith(QStringLiteral("Refreshed")));
    }

    void demoSaysWhyTheSandboxFailed()
    {
        MainWindow window({.demo = true});
        sandbox::SandboxHost host;
        followSandbox(window, host);
        window.show();
        sandbox::SandboxOptions options;
        options.seed = QStringLiteral("no-such-seed");
        host.start(options);
        auto *empty = window.findChild<EmptyStateWidget *>(QStringLiteral("emptyState"));
        QTRY_COMPARE_WITH_TIMEOUT(empty->title(), QStringLiteral("Demo estate unavailable"), 20000);
        QVERIFY(empty->text().contains(QStringLiteral("no-such-seed")));
        QVERIFY(!window.findChild<QProgressBar *>(QStringLiteral("statusBusy"))->isVisible());
    }

    void browseKekToDekVersions()
    {
        auto window = demoWindow();
        QVERIFY(window);
        auto *view = window->findChild<QTreeView *>(QStringLiteral("navigatorView"));
        auto *detail = window->findChild<QStackedWidget *>(QStringLiteral("detailStack"));
        QVERIFY(view && detail);
        const QModelIndex keys = view->model()->index(0, 0);
        QTRY_VERIFY(view->isExpanded(keys));
        QTRY_VERIFY(rowNamed(view, keys, QStringLiteral("retail-pii")).isValid());
        QCOMPARE(rowNames(view, keys).size(), demoKeks(false)); // legacy-crm is soft-deleted

        const QModelIndex kek = rowNamed(view, keys, QStringLiteral("retail-pii"));
        clickRow(view, kek);
        QCOMPARE(view->currentIndex(), kek);
        QTRY_COMPARE(detail->currentWidget()->objectName(), QStringLiteral("kekDetailPane"));
        QVERIFY(qobject_cast<KekDetailPane *>(detail->currentWidget()));

        QTest::keyClick(view, Qt::Key_Right); // expands the current node
        QVERIFY(view->isExpanded(kek));
        QTRY_VERIFY(rowNamed(view, kek, QStringLiteral("transfers-value")).isValid());
        const QModelIndex subject = rowNamed(view, kek, QStringLiteral("transfers-value"));
        view->expand(subject);
        QTRY_VERIFY(view->model()->rowCount(subject) > 0 &&
                    !rowNames(view, subject).contains(QStringLiteral("Loading…")));
        const QStringList versions = rowNames(view, subject);
        QVERIFY2(versions.contains(QStringLiteral("v1 · AES256_GCM")),
                 qPrintable(versions.join(u',')));
        QVERIFY(!versions.contains(QStringLiteral("v3 · AES256_GCM"))); // soft-deleted
        const QModelIndex v1 = rowNamed(view, subject, QStringLiteral("v1 · AES256_GCM"));
        clickRow(view, v1);
        QTRY_COMPARE(detail->currentWidget()->objectName(), QStringLiteral("dekDetailPane"));
        QCOMPARE(v1.data(NavigatorModel::AlgorithmRole).toString(), QStringLiteral("AES256_GCM"));
    }

    // The navigator flags the KEKs whose KMS key is revoked, as the sandbox's doubles report
    // them: the retired AWS key pending deletion, the GCP key whose only version is scheduled
    // for destruction, the disabled Vault key; KEKs whose keys are fine stay unmarked.
    void revokedKmsKeysAreFlaggedInTheNavigator()
    {
        auto window = demoWindow();
        QVERIFY(window);
        auto *view = window->findChild<QTreeView *>(QStringLiteral("navigatorView"));
        QVERIFY(view);
        const QModelIndex keys = view->model()->index(0, 0);
        QTRY_VERIFY(view->isExpanded(keys));
        const auto kekRow = [&](const QString &name) {
            for (int r = 0; r < view->model()->rowCount(keys); ++r) {
                const QModelIndex index = view->model()->index(r, 0, keys);
                if (index.data(NavigatorModel::KekNameRole).toString() == name)
                    return index;
            }
            return QModelIndex();
        };
        QTRY_VERIFY(kekRow(QStringLiteral("treasury-aws-retired")).isValid());
        QTRY_VERIFY_WITH_TIMEOUT(window->kekKeyFlags()->pending() == 0, 60000);
        const QModelIndex retired = kekRow(QStringLiteral("treasury-aws-retired"));
        QVERIFY(retired.data(NavigatorModel::KeyRevokedRole).toBool());
        QCOMPARE(retired.data().toString(),
                 QStringLiteral("treasury-aws-retired — KMS key pending deletion"));
        QVERIFY2(retired.data(Qt::ToolTipRole)
                     .toString()
                     .contains(QLatin1String("Pending deletion on ")),
                 qPrintable(retired.data(Qt::ToolTipRole).toString()));
        const QModelIndex archive = kekRow(QStringLiteral("analytics-gcp-archive"));
        QVERIFY(archive.data(NavigatorModel::KeyRevokedRole).toBool());
        QVERIFY2(archive.data().toString().endsWith(u" — KMS key pending deletion"),
                 qPrintable(archive.data().toString()));
        const QModelIndex azure2023 = kekRow(QStringLiteral("risk-azure-2023"));
        QCOMPARE(azure2023.data().toString(), QStringLiteral("risk-azure-2023 — KMS key disabled"));
        for (const char *fine :
             {"treasury-aws", "analytics-gcp", "risk-azure", "loans-vault", "retail-pii"}) {
            const QModelIndex row = kekRow(QLatin1String(fine));
            QVERIFY2(row.isValid(), fine);
            QVERIFY2(!row.data(NavigatorModel::KeyRevokedRole).toBool(), fine);
            QCOMPARE(row.data().toString(), QLatin1String(fine));
        }
    }

    void navigatorContextMenuActsOnTheSelection()
    {
        auto window = demoWindow();
        QVERIFY(window);
        CommandController *commands = window->commands();
        QMenu *menu = window->navigatorContextMenu();
        QVERIFY(commands && menu);
        auto *view = window->findChild<QTreeView *>(QStringLiteral("navigatorView"));
        QCOMPARE(view->contextMenuPolicy(), Qt::CustomContextMenu);
        // The context menu, the Edit and View menus and the toolbar share the same actions.
        QAction *copyName = commands->command(QStringLiteral("actionCopyName"))->action();
        QAction *goToKek = commands->command(QStringLiteral("actionGoToKek"))->action();
        QAction *refresh = commands->command(QStringLiteral("actionRefresh"))->action();
        QVERIFY(menu->actions().contains(copyName));
        QVERIFY(menu->actions().contains(goToKek));
        QVERIFY(menu->actions().contains(refresh));
        QVERIFY(window->findChild<QToolBar *>(QStringLiteral("mainToolBar"))
                    ->actions()
                    .contains(refresh));

        const QModelIndex keys = view->model()->index(0, 0);
        QTRY_VERIFY(rowNamed(view, keys, QStringLiteral("retail-pii")).isValid());
        // A section header names nothing: neither applies.
        view->setCurrentIndex(keys);
        QVERIFY(!copyName->isEnabled());
        QVERIFY(!goToKek->isEnabled());
        QVERIFY(!commands->trigger(QStringLiteral("actionCopyName")));

        // A KEK: Copy Name copies it; Go to KEK is for DEKs only.
        const QModelIndex kek = rowNamed(view, keys, QStringLiteral("retail-pii"));
        view->setCurrentIndex(kek);
        QVERIFY(copyName->isEnabled());
        QVERIFY(!goToKek->isEnabled());
        QGuiApplication::clipboard()->clear();
        copyName->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("retail-pii"));

        // A DEK version: Copy Name gives its subject, Go to KEK selects the KEK that wraps it.
        view->expand(kek);
        QTRY_VERIFY(rowNamed(view, kek, QStringLiteral("transfers-value")).isValid());
        const QModelIndex subject = rowNamed(view, kek, QStringLiteral("transfers-value"));
        view->expand(subject);
        QTRY_VERIFY(rowNamed(view, subject, QStringLiteral("v1 · AES256_GCM")).isValid());
        view->setCurrentIndex(rowNamed(view, subject, QStringLiteral("v1 · AES256_GCM")));
        QVERIFY(copyName->isEnabled());
        QVERIFY(goToKek->isEnabled());
        QVERIFY(commands->trigger(QStringLiteral("actionCopyName")));
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("transfers-value"));
        QVERIFY(commands->trigger(QStringLiteral("actionGoToKek")));
        QCOMPARE(view->currentIndex(), kek);
        QTRY_COMPARE(window->findChild<QStackedWidget *>(QStringLiteral("detailStack"))
                         ->currentWidget()
                         ->objectName(),
                     QStringLiteral("kekDetailPane"));

        // Right-clicking a node makes it current and pops the menu up (no nested event loop).
        view->setCurrentIndex(subject);
        view->scrollTo(kek);
        Q_EMIT view->customContextMenuRequested(view->visualRect(kek).center());
        QCOMPARE(view->currentIndex(), kek);
        QTRY_VERIFY(menu->isVisible());
        QVERIFY(!goToKek->isEnabled());
        menu->hide();

        // Disconnecting disables what needs a connection, everywhere the action appears.
        QAction *disconnect = commands->command(QStringLiteral("actionDisconnect"))->action();
        QVERIFY(disconnect->isEnabled());
        disconnect->trigger();
        QVERIFY(!window->isConnected());
        QVERIFY(!disconnect->isEnabled());
        QVERIFY(!copyName->isEnabled());
        QVERIFY(!commands->trigger(QStringLiteral("actionGoToKek")));
    }

    void showDeletedToggles()
    {
        auto window = demoWindow();
        QVERIFY(window);
        auto *view = window->findChild<QTreeView *>(QStringLiteral("navigatorView"));
        auto *check = window->findChild<QCheckBox *>(QStringLiteral("showDeletedCheck"));
        auto *action = window->findChild<QAction *>(QStringLiteral("actionShowDeleted"));
        QVERIFY(view && check && action);
        QTRY_VERIFY(
            rowNamed(view, view->model()->index(0, 0), QStringLiteral("retail-pii")).isValid());
        QVERIFY(!rowNames(view, view->model()->index(0, 0))
                     .contains(QStringLiteral("legacy-crm (deleted)")));

        QTest::mouseClick(check, Qt::LeftButton);
        QVERIFY(action->isChecked());
        QModelIndex deleted;
        QTRY_VERIFY((deleted = rowNamed(view, view->model()->index(0, 0),
                                        QStringLiteral("legacy-crm (deleted)")))
                        .isValid());
        QVERIFY(deleted.data(NavigatorModel::DeletedRole).toBool());
        QVERIFY(deleted.data(Qt::FontRole).value<QFont>().italic());
        QCOMPARE(rowNames(view, view->model()->index(0, 0)).size(), demoKeks(true));

        // Ctrl+Shift+D turns it off again, and the checkbox follows.
        view->setFocus();
        QTest::keyClick(window.get(), Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(!action->isChecked());
        QVERIFY(!check->isChecked());
        QTRY_COMPARE(rowNames(view, view->model()->index(0, 0)).size(), demoKeks(false));
        QVERIFY(!rowNamed(view, view->model()->index(0, 0), QStringLiteral("legacy-crm (deleted)"))
                     .isValid());

        // Driven through its command object, as a menu or the toolbar would.
        QVERIFY(window->commands()->trigger(QStringLiteral("actionShowDeleted")));
        QVERIFY(action->isChecked());
        QVERIFY(check->isChecked());
        QTRY_COMPARE(rowNames(view, view->model()->index(0, 0)).size(), demoKeks(true));
    }

    void filterNarrowsTheTree()
    {
        auto window = demoWindow();
        QVERIFY(window);
        auto *view = window->findChild<QTreeView *>(QStringLiteral("navigatorView"));
        auto *filter = window->findChild<QLineEdit *>(QStringLiteral("navigatorFilter"));
        QVERIFY(view && filter);
        QTRY_VERIFY(rowNamed(view, view->model()->index(1, 0), QStringLiteral("customers-value"))
                        .isValid());
        QTRY_COMPARE(rowNames(view, view->model()->index(0, 0)).size(), demoKeks(false));

        // Ctrl+F moves focus to the filter from anywhere in the window.
        view->setFocus();
        QTest::keySequence(window.get(), QKeySequence::Find);
        QTRY_VERIFY(filter->hasFocus());
        QTest::keyClicks(filter, QStringLiteral("PAYMENTS"));
        QCOMPARE(rowNames(view, view->model()->index(0, 0)),
                 QStringList{QStringLiteral("payments-pci")});
        QCOMPARE(rowNames(view, view->model()->index(1, 0)),
                 QStringList{QStringLiteral("card-payments-value")});
        // Tab goes on to the tree.
        QTest::keyClick(filter, Qt::Key_Tab);
        QTRY_VERIFY(view->hasFocus());
        filter->clear();
        QCOMPARE(rowNames(view, view->model()->index(0, 0)).size(), demoKeks(false));
    }

    void schemaOpensItsDetailPane()
    {
        auto window = demoWindow();
        QVERIFY(window);
        auto *view = window->findChild<QTreeView *>(QStringLiteral("navigatorView"));
        auto *detail = window->findChild<QStackedWidget *>(QStringLiteral("detailStack"));
        const QModelIndex schemas = view->model()->index(1, 0);
        QTRY_VERIFY(rowNamed(view, schemas, QStringLiteral("customers-value")).isValid());
        const QModelIndex subject = rowNamed(view, schemas, QStringLiteral("customers-value"));
        clickRow(view, subject);
        QTRY_VERIFY(qobject_cast<SchemaDetailPane *>(detail->currentWidget()));
        view->expand(subject);
        QTRY_VERIFY(rowNamed(view, subject, QStringLiteral("v1")).isValid());
        clickRow(view, rowNamed(view, subject, QStringLiteral("v1")));
        QCOMPARE(detail->currentWidget()->objectName(), QStringLiteral("schemaDetailPane"));
        QVERIFY(detail->currentWidget()->isVisible());
    }

    void recordsTabPreviewsTheDemoTopics()
    {
        auto window = demoWindow();
        QVERIFY(window);
        auto audit = openLog(m_auditDir.filePath(QStringLiteral("audit.sqlite")),
                             std::make_shared<audit::MemoryAuditVault>());
        QVERIFY(audit);
        window->setAuditLog(audit);
        auto *tabs = window->tabs();
        QCOMPARE(tabs->count(), 4);
        QCOMPARE(tabs->widget(3), window->auditTab());
        QCOMPARE(window->auditTab()->auditLog(), audit);
        QTRY_VERIFY(window->recordsView());
        tabs->setCurrentIndex(1);
        auto *records = window->recordsView();
        auto *topic = records->findChild<QComboBox *>(QStringLiteral("recordsTopicCombo"));
        QTRY_VERIFY_WITH_TIMEOUT(
            topic->findText(QStringLiteral("customers"), Qt::MatchStartsWith) >= 0, 30000);
        topic->setCurrentIndex(topic->findText(QStringLiteral("customers"), Qt::MatchStartsWith));
        auto *fetch = records->findChild<QPushButton *>(QStringLiteral("recordsFetchButton"));
        QTRY_VERIFY(fetch->isEnabled());
        QTest::mouseClick(fetch, Qt::LeftButton);
        auto *unwraps = window->findChild<QLabel *>(QStringLiteral("statusKmsUnwraps"));
        QTRY_VERIFY_WITH_TIMEOUT(unwraps->text().startsWith(QLatin1String("KMS unwraps: ")), 60000);
        // Each DEK version costs one unwrap, however many records it decrypted.
        const int count = unwraps->text().section(QLatin1Char(' '), 2, 2).toInt();
        QVERIFY2(count >= 1 && count <= 6, qPrintable(unwraps->text()));
        QVERIFY(records->model()->rowCount() > 0);

        // A connection without Kafka: the tab says why there is nothing to preview.
        profiles::ConnectionProfile registryOnly = window->currentProfile();
        registryOnly.bootstrapServers.clear();
        window->openConnection(registryOnly);
        QVERIFY(!window->recordsView());
        QCOMPARE(window->findChild<QStackedWidget *>(QStringLiteral("recordsHost"))
                     ->currentWidget()
                     ->objectName(),
                 QStringLiteral("recordsEmptyState"));
    }

    void brokenAuditLogWarnsUntilAcknowledged()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.sqlite"));
        auto vault = std::make_shared<audit::MemoryAuditVault>();
        {
            auto log = openLog(path, vault);
            QVERIFY(log);
            for (int i = 0; i < 4; ++i) {
                audit::AuditEntry entry;
                entry.action = audit::ActionRecordReveal;
                auto future = log->append(entry);
                QTRY_VERIFY(future.isFinished());
                QVERIFY(future.result());
            }
        }
        // The newest entries deleted behind the log's back.
        QVERIFY(audit::testing::forge(path, audit::testing::Forgery::DeleteNewest, 3).isEmpty());
        auto log = openLog(path, vault);
        QVERIFY(log && log->problem());

        MainWindow window(MainWindow::Options{});
        window.show();
        auto *warning = window.findChild<QWidget *>(QStringLiteral("auditWarning"));
        auto *text = window.findChild<QLabel *>(QStringLiteral("auditWarningText"));
        auto *acknowledge =
            window.findChild<QPushButton *>(QStringLiteral("auditAcknowledgeButton"));
        QVERIFY(warning && text && acknowledge);
        QVERIFY(!warning->isVisible());
        window.setAuditLog(log);
        QVERIFY(warning->isVisible());
        QCOMPARE(window.auditTab()->model()->rowCount(), 2); // #3 and #4 are gone
        QVERIFY2(text->text().contains(QLatin1String("does not verify")) &&
                     text->text().contains(QLatin1String("#3")),
                 qPrintable(text->text()));
        QVERIFY(acknowledge->isVisible());

        // Persistent: reveals stay refused until the acknowledgement is in the log.
        audit::AuditEntry entry;
        entry.action = audit::ActionRecordReveal;
        auto refused = log->append(entry);
        QTRY_VERIFY(refused.isFinished());
        QCOMPARE(refused.result().error().code, QString(audit::ErrorNotVerified));
        // Acknowledging asks first; cancelled, nothing is recorded.
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Cancelled);
        QTest::mouseClick(acknowledge, Qt::LeftButton);
        QVERIFY(ConfirmationDialog::lastRequest().has_value());
        QCOMPARE(ConfirmationDialog::lastRequest()->verb, QStringLiteral("Acknowledge"));
        QVERIFY(ConfirmationDialog::lastRequest()->question.contains(QLatin1String("#3")));
        QCoreApplication::processEvents(); // the queued answer
        QVERIFY(warning->isVisible());
        QVERIFY(log->problem());
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        QTest::mouseClick(acknowledge, Qt::LeftButton);
        QTRY_VERIFY(!warning->isVisible());
        QVERIFY(!log->problem());
        // The Audit tab shows the acknowledgement.
        QTRY_COMPARE(window.auditTab()->model()->rowCount(), 3);
        QCOMPARE(window.auditTab()->model()->entry(0).action,
                 QString(audit::ActionAuditAcknowledge));
        auto entries = log->store()->entries();
        QCOMPARE(entries->size(), 3);
        QCOMPARE(entries->last().action, QString(audit::ActionAuditAcknowledge));
        QCOMPARE(entries->last().details.value(QStringLiteral("problem")).toString(),
                 QString(audit::ErrorHeadMismatch));
        auto accepted = log->append(entry);
        QTRY_VERIFY(accepted.isFinished());
        QVERIFY(accepted.result());
    }

    void unkeyedAuditLogSaysSo()
    {
        QTemporaryDir dir;
        auto vault = std::make_shared<audit::MemoryAuditVault>();
        vault->setAvailable(false);
        auto log = openLog(dir.filePath(QStringLiteral("audit.sqlite")), vault);
        QVERIFY(log && !log->isKeyed());
        MainWindow window(MainWindow::Options{});
        window.show();
        window.setAuditLog(log);
        auto *warning = window.findChild<QWidget *>(QStringLiteral("auditWarning"));
        QVERIFY(warning->isVisible());
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("auditWarningText"))
                    ->text()
                    .contains(QLatin1String("unkeyed")));
        QVERIFY(!window.findChild<QPushButton *>(QStringLiteral("auditAcknowledgeButton"))
                     ->isVisible());
    }

    void connectActionOpensTheProfiles()
    {
        MainWindow window({});
        window.setProfileStore(std::make_shared<profiles::ProfileStore>(
            std::make_shared<profiles::MemorySecretStore>(),
            m_auditDir.filePath(QStringLiteral("profiles.ini"))));
        window.show();
        auto *action = window.findChild<QAction *>(QStringLiteral("actionProfiles"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(QStringLiteral("Ctrl+O")));
        action->trigger();
        ProfilesDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<ProfilesDialog *>()));
        QSignalSpy changed(&window, &MainWindow::connectionChanged);
        profiles::ConnectionProfile p;
        p.name = QStringLiteral("local");
        p.registry.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
        Q_EMIT dialog->connectRequested(p);
        QCOMPARE(changed.count(), 1);
        QVERIFY(window.isConnected());
        QCOMPARE(window.currentProfile().name, QStringLiteral("local"));
        dialog->close();
    }

    void refreshKeepsExpansionAndSelection()
    {
        auto window = demoWindow();
        QVERIFY(window);
        auto *view = window->findChild<QTreeView *>(QStringLiteral("navigatorView"));
        auto *busy = window->findChild<QProgressBar *>(QStringLiteral("navigatorBusy"));
        QVERIFY(busy);
        const QModelIndex keys = view->model()->index(0, 0);
        QTRY_VERIFY(rowNamed(view, keys, QStringLiteral("retail-pii")).isValid());
        const QModelIndex kek = rowNamed(view, keys, QStringLiteral("retail-pii"));
        view->expand(kek);
        QTRY_VERIFY(rowNamed(view, kek, QStringLiteral("transfers-value")).isValid());
        const QModelIndex subject = rowNamed(view, kek, QStringLiteral("transfers-value"));
        clickRow(view, subject);
        QTRY_VERIFY(!busy->isVisible());

        QTest::keyClick(window.get(), Qt::Key_F5);
        QTRY_VERIFY(busy->isVisible() || view->currentIndex().isValid());
        QTRY_VERIFY(view->currentIndex().isValid());
        QTRY_COMPARE(view->currentIndex().data().toString(), QStringLiteral("transfers-value"));
        QCOMPARE(view->currentIndex().parent().data().toString(), QStringLiteral("retail-pii"));
        QVERIFY(view->isExpanded(view->currentIndex().parent()));
        QTRY_VERIFY(!busy->isVisible());
        auto *refreshed = window->findChild<QLabel *>(QStringLiteral("statusRefresh"));
        QVERIFY(refreshed->text().startsWith(QStringLiteral("Refreshed")));
    }

    void themeIsAppliedAndRemembered()
    {
        MainWindow window({});
        auto *dark = window.findChild<QAction *>(QStringLiteral("actionTheme_dark"));
        auto *system = window.findChild<QAction *>(QStringLiteral("actionTheme_system"));
        QVERIFY(dark && system);
        QVERIFY(system->isChecked());
        dark->trigger();
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
        QCOMPARE(QSettings().value(QStringLiteral("ui/theme")).toString(), QStringLiteral("dark"));
        {
            MainWindow second({});
            QVERIFY(second.findChild<QAction *>(QStringLiteral("actionTheme_dark"))->isChecked());
        }
        window.findChild<QAction *>(QStringLiteral("actionTheme_light"))->trigger();
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
        system->trigger();
        QCOMPARE(currentTheme(), Theme::System);
    }

    void aboutDialogOpens()
    {
        MainWindow window({});
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.findChild<QAction *>(QStringLiteral("actionAbout"))->trigger();
        AboutDialog *about = nullptr;
        QTRY_VERIFY((about = window.findChild<AboutDialog *>(QStringLiteral("aboutDialog"))) &&
                    about->isVisible());
        auto *title = about->findChild<QLabel *>(QStringLiteral("aboutTitle"));
        QVERIFY(title->text().contains(QStringLiteral(KEYWARDEN_VERSION_STRING)));
        about->reject();
        QTRY_VERIFY(!window.findChild<AboutDialog *>(QStringLiteral("aboutDialog")));
    }

    void geometryIsRemembered()
    {
        QSettings().clear();
        {
            MainWindow first({});
            first.show();
            QVERIFY(QTest::qWaitForWindowExposed(&first));
            first.resize(700, 520);
            QTRY_COMPARE(first.size(), QSize(700, 520));
            first.close();
        }
        MainWindow second({});
        second.show();
        QVERIFY(QTest::qWaitForWindowExposed(&second));
        QCOMPARE(second.size(), QSize(700, 520)); // within the 800x600 offscreen screen
    }

    void defaultSizeIsSensible()
    {
        QSettings().clear();
        MainWindow window({});
        QCOMPARE(window.size(), window.sizeHint());
        QVERIFY(window.width() >= 1024 && window.height() >= 700);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
