// Smoke test of the real shell, offscreen: menus, toolbar actions, navigator and filter,
// About dialog, empty state, and window geometry remembered across instances.

#include "common/emptystatewidget.h"
#include "dialogs/aboutdialog.h"
#include "mainwindow/mainwindow.h"
#include "sandbox/sandboxhost.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTest>
#include <QToolBar>
#include <QTreeView>

using namespace kw;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("KeywardenTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QSettings().clear();
    }

    void shellHasMenusToolbarAndStatus()
    {
        MainWindow window({.demo = false});
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        QStringList menus;
        for (QAction *a : window.menuBar()->actions())
            menus << a->text().remove(QLatin1Char('&'));
        QCOMPARE(menus, (QStringList{QStringLiteral("File"), QStringLiteral("View"),
                                     QStringLiteral("Help")}));

        auto *refresh = window.findChild<QAction *>(QStringLiteral("actionRefresh"));
        QVERIFY(refresh);
        QCOMPARE(refresh->shortcut(), QKeySequence(QKeySequence::Refresh));
        auto *toolBar = window.findChild<QToolBar *>(QStringLiteral("mainToolBar"));
        QVERIFY(toolBar);
        QVERIFY(toolBar->actions().contains(refresh));
        QVERIFY(window.findChild<QAction *>(QStringLiteral("actionShowDeleted"))->isCheckable());

        auto *connection = window.findChild<QLabel *>(QStringLiteral("statusConnection"));
        QVERIFY(connection);
        QCOMPARE(connection->text(), QStringLiteral("Not connected"));

        refresh->trigger();
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("no connection")));
    }

    void demoFollowsTheSandboxAsItStarts()
    {
        MainWindow window({.demo = true});
        sandbox::SandboxHost host;
        window.attachSandbox(&host);
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
        QVERIFY(connection->text().contains(host.endpoints().registryUrl));
        QVERIFY(empty->text().contains(host.endpoints().bootstrapServers));
    }

    void demoSaysWhyTheSandboxFailed()
    {
        MainWindow window({.demo = true});
        sandbox::SandboxHost host;
        window.attachSandbox(&host);
        window.show();
        sandbox::SandboxOptions options;
        options.seed = QStringLiteral("no-such-seed");
        host.start(options);
        auto *empty = window.findChild<EmptyStateWidget *>(QStringLiteral("emptyState"));
        QTRY_COMPARE_WITH_TIMEOUT(empty->title(), QStringLiteral("Demo estate unavailable"), 20000);
        QVERIFY(empty->text().contains(QStringLiteral("no-such-seed")));
        QVERIFY(!window.findChild<QProgressBar *>(QStringLiteral("statusBusy"))->isVisible());
    }

    void navigatorFilters()
    {
        MainWindow window({});
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *view = window.findChild<QTreeView *>(QStringLiteral("navigatorView"));
        auto *filter = window.findChild<QLineEdit *>(QStringLiteral("navigatorFilter"));
        QVERIFY(view && filter);
        QCOMPARE(view->model()->rowCount(), 2);
        QTest::keyClicks(filter, QStringLiteral("sche"));
        QCOMPARE(view->model()->rowCount(), 1);
        QCOMPARE(view->model()->index(0, 0).data().toString(), QStringLiteral("Schemas"));
        filter->clear();
        QCOMPARE(view->model()->rowCount(), 2);

        // Ctrl+F moves focus to the filter from anywhere in the window.
        view->setFocus();
        QTest::keySequence(&window, QKeySequence::Find);
        QTRY_VERIFY(filter->hasFocus());
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
