// The Rotation view on the demo estate, in the main window: a census run from the view's
// command counts the topics and its summary agrees with `keywarden-cli schedule` on the same
// sandbox and census; a cancelled run resumes where it stopped without counting twice;
// activating an overdue row selects that DEK in the navigator, and the DEK pane shows its
// census figures; the policy changes the schedule.

#include "core/sandbox/sandboxhost.h"
#include "core/services/connectionprofile.h"
#include "models/navigator/navigatormodel.h"
#include "models/rotation/schedulemodel.h"
#include "support/cliprocess.h"
#include "widgets/commands/command.h"
#include "widgets/mainwindow/mainwindow.h"
#include "widgets/mainwindow/navigatorpane.h"
#include "widgets/rotation/rotationtab.h"
#include "widgets/rotation/rotationview.h"

#include <QAbstractProxyModel>
#include <QJsonArray>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace kw;
using namespace kw::rotation;

class TestRotationView : public QObject
{
    Q_OBJECT

    sandbox::SandboxHost *m_host = nullptr;
    QTemporaryDir m_dir;

    profiles::ConnectionProfile profile() const
    {
        profiles::ConnectionProfile p;
        p.name = QStringLiteral("rotation test");
        p.registry.baseUrl = QUrl(m_host->endpoints().registryUrl);
        p.bootstrapServers = m_host->endpoints().bootstrapServers;
        return p;
    }

    // A main window whose Rotation tab keeps its census in `stateFolder`.
    std::unique_ptr<MainWindow> window(const QString &stateFolder)
    {
        auto w = std::make_unique<MainWindow>(MainWindow::Options{});
        w->rotationTab()->setStorage(stateFolder, m_dir.filePath(QStringLiteral("policy.json")));
        w->openConnection(profile());
        w->show();
        if (!QTest::qWaitForWindowExposed(w.get()))
            return nullptr;
        return w;
    }

    // Waits for the spied view's `count`-th job (load or run); its error ("" when it succeeded).
    static QString waitForJob(QSignalSpy &finished, int count)
    {
        if (!QTest::qWaitFor([&] { return finished.size() >= count; }, 180000))
            return QStringLiteral("the job did not finish");
        return finished.at(count - 1).at(0).toString();
    }

    static QMap<QString, int> cliCounts(const QList<QJsonObject> &rows)
    {
        QMap<QString, int> counts;
        for (const QJsonObject &r : rows) {
            ++counts[r.value(QStringLiteral("status")).toString()];
            if (r.value(QStringLiteral("warnings"))
                    .toArray()
                    .contains(QStringLiteral("near-limit")))
                ++counts[QStringLiteral("near-limit")];
        }
        counts[QStringLiteral("rows")] = int(rows.size());
        return counts;
    }

    static QMap<QString, int> viewCounts(const census::ScheduleSummary &s)
    {
        QMap<QString, int> counts;
        const auto put = [&](const char *name, int n) {
            if (n > 0)
                counts[QLatin1String(name)] = n;
        };
        put("overdue", s.overdue);
        put("due-soon", s.dueSoon);
        put("no-rotation", s.noRotation);
        put("ok", s.rows - s.overdue - s.dueSoon - s.noRotation);
        put("near-limit", s.nearLimit);
        counts[QStringLiteral("rows")] = s.rows;
        return counts;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("KeywardenTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_rotationview"));
        QSettings().clear();
        m_host = new sandbox::SandboxHost(this);
        sandbox::SandboxOptions options;
        options.seed = QStringLiteral("demo");
        m_host->start(options);
        QTRY_VERIFY_WITH_TIMEOUT(m_host->isReady(), 240000);
    }

    void censusFromTheViewAgreesWithTheCli()
    {
        const QString state = m_dir.filePath(QStringLiteral("census-a"));
        auto w = window(state);
        QVERIFY(w);
        w->tabs()->setCurrentWidget(w->rotationTab());
        QTRY_VERIFY(w->rotationTab()->view());
        RotationView *view = w->rotationTab()->view();
        QSignalSpy finished(view, &RotationView::jobFinished);
        // Opening shows the schedule without counting anything.
        QCOMPARE(waitForJob(finished, 1), QString());
        QVERIFY(view->outcome()->tally.isEmpty());
        QVERIFY(view->model()->rowCount() > 0);

        QVERIFY(
            view->commands()->command(QStringLiteral("actionRunCensus"))->action()->isEnabled());
        view->commands()->trigger(QStringLiteral("actionRunCensus"));
        QVERIFY(view->isBusy());
        QCOMPARE(waitForJob(finished, 2), QString());
        const services::CensusOutcome &outcome = *view->outcome();
        QVERIFY(!outcome.tally.isEmpty());
        QVERIFY(outcome.scan.recordsRead > 0);
        // The default topics are those whose subjects encrypt: the plain loyalty-events topic
        // (Schema Registry framed, no rules) is not read.
        QVERIFY(outcome.scan.topics.contains(QStringLiteral("customers")));
        QVERIFY(!outcome.scan.topics.contains(QStringLiteral("loyalty-events")));

        // The same figures from the CLI, on the same census.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        const testing::ProcessRun run =
            testing::runProcess(QStringLiteral(KEYWARDEN_CLI),
                                {QStringLiteral("schedule"), QStringLiteral("--registry"),
                                 m_host->endpoints().registryUrl, QStringLiteral("--bootstrap"),
                                 m_host->endpoints().bootstrapServers, QStringLiteral("--state"),
                                 state, QStringLiteral("--format"), QStringLiteral("json")},
                                env);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QList<QJsonObject> rows = testing::jsonLines(run.out);
        QCOMPARE(viewCounts(view->summary()), cliCounts(rows));
        QVERIFY(view->summary().overdue > 0);
        // Row by row, the same encryptions.
        for (const census::ScheduleRow &r : view->model()->rows()) {
            bool found = false;
            for (const QJsonObject &o : rows) {
                if (o.value(QStringLiteral("kek")).toString() == r.kek &&
                    o.value(QStringLiteral("subject")).toString() == r.subject &&
                    o.value(QStringLiteral("algorithm")).toString() == r.algorithm) {
                    found = true;
                    QCOMPARE(qint64(o.value(QStringLiteral("encryptions")).toDouble()),
                             r.encryptions);
                    QCOMPARE(o.value(QStringLiteral("latestVersion")).toInt(), r.latestVersion);
                }
            }
            QVERIFY2(found, qPrintable(r.subject));
        }
        auto *summary = view->findChild<QLabel *>(QStringLiteral("rotationSummary"));
        QVERIFY(
            summary->text().contains(QStringLiteral("%1 overdue").arg(view->summary().overdue)));

        // Activating an overdue row selects its DEK in the navigator and shows its figures.
        QTableView *table = view->table();
        int overdueRow = -1;
        for (int r = 0; r < table->model()->rowCount(); ++r) {
            if (table->model()->index(r, 0).data(ScheduleModel::StatusRole).toInt() ==
                int(census::DueStatus::Overdue)) {
                overdueRow = r;
                break;
            }
        }
        QVERIFY(overdueRow >= 0);
        const census::ScheduleRow picked =
            *view->model()->rowAt(qobject_cast<QAbstractProxyModel *>(table->model())
                                      ->mapToSource(table->model()->index(overdueRow, 0))
                                      .row());
        QSignalSpy activated(view, &RotationView::dekActivated);
        table->setFocus();
        table->setCurrentIndex(table->model()->index(overdueRow, 2));
        QTest::keyClick(table, Qt::Key_Return);
        QCOMPARE(activated.size(), 1);
        QCOMPARE(w->tabs()->currentIndex(), 0);
        const QStringList path{
            QStringLiteral("keys"), picked.kek, picked.subject,
            QStringLiteral("%1/%2").arg(picked.latestVersion).arg(picked.algorithm)};
        QTRY_COMPARE_WITH_TIMEOUT(
            w->navigatorPane()->model()->pathOf(w->navigatorPane()->currentSourceIndex()), path,
            30000);
        auto *encryptions = w->findChild<QLabel *>(QStringLiteral("dekEncryptions"));
        QVERIFY(encryptions);
        QTRY_VERIFY_WITH_TIMEOUT(encryptions->text().startsWith(
                                     QLocale().toString(picked.encryptions) + QLatin1Char(' ')),
                                 30000);
    }

    void cancelledRunResumesWithoutCountingTwice()
    {
        const QString state = m_dir.filePath(QStringLiteral("census-b"));
        auto w = window(state);
        QVERIFY(w);
        RotationView *view = w->rotationTab()->view();
        QSignalSpy finished(view, &RotationView::jobFinished);
        QCOMPARE(waitForJob(finished, 1), QString());

        // Cancel as soon as the first batch is counted (the run reads dozens of batches).
        auto cancelOnce = std::make_shared<QMetaObject::Connection>();
        *cancelOnce =
            connect(view, &RotationView::censusProgress, view,
                    [view, cancelOnce](qint64 done, qint64 total) {
                        if (done > 0 && done < total) {
                            disconnect(*cancelOnce);
                            view->commands()->trigger(QStringLiteral("actionCancelCensus"));
                        }
                    });
        view->runCensus();
        QCOMPARE(waitForJob(finished, 2), QString());
        const census::ScanSummary first = view->outcome()->scan;
        QVERIFY(first.cancelled);
        QVERIFY(first.recordsRead > 0);
        const qint64 counted = view->outcome()->tally.records();
        QCOMPARE(counted, first.recordsRead);

        view->runCensus();
        QCOMPARE(waitForJob(finished, 3), QString());
        const census::ScanSummary second = view->outcome()->scan;
        QVERIFY(!second.cancelled);
        // Together exactly what one uninterrupted run reads, each record once.
        QCOMPARE(first.recordsRead + second.recordsRead, view->outcome()->tally.records());
        qint64 all = 0;
        for (const auto &t : view->outcome()->tally.topics())
            all += t.records;
        QCOMPARE(all, first.recordsRead + second.recordsRead);

        // A third run finds nothing new.
        view->runCensus();
        QCOMPARE(waitForJob(finished, 4), QString());
        QCOMPARE(view->outcome()->scan.recordsRead, 0);
    }

    void policyChangesTheSchedule()
    {
        auto w = window(m_dir.filePath(QStringLiteral("census-a")));
        QVERIFY(w);
        RotationView *view = w->rotationTab()->view();
        QSignalSpy finished(view, &RotationView::jobFinished);
        QCOMPARE(waitForJob(finished, 1), QString());
        const census::ScheduleSummary usual = view->summary();
        census::Policy strict = view->policy();
        strict.dueSoonDays = 400;
        strict.limits.insert(QStringLiteral("AES256_GCM"), 100);
        view->setPolicy(strict);
        const census::ScheduleSummary now = view->summary();
        QCOMPARE(now.dueSoon + now.overdue, usual.rows - usual.noRotation);
        QVERIFY(now.nearLimit > usual.nearLimit);
    }
};

QTEST_MAIN(TestRotationView)
#include "tst_rotationview.moc"
