// The rewrap of 500 DEK versions with 20% of the registry's calls and 20% of the KMS calls
// failing, its process SIGKILLed at random moments and started again until the run is done:
// afterwards every DEK version unwraps to the raw key it held before, keeps its deleted flag,
// no version is lost or added, and the journal and the audit log show each step once.

#include "core/audit/auditstore.h"
#include "core/crypto/crypto.h"
#include "core/kms/kms.h"
#include "core/sandbox/sandbox.h"
#include "core/sandbox/sandboxstore.h"
#include "core/workflows/journal.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace kw;

namespace {
const QString Secret = QStringLiteral("crash-test-secret");
const QString Kek = QStringLiteral("crash-kek");
constexpr int Subjects = 25;
// Per subject: 10 + 6 + 4 versions = 20; 25 subjects = 500 versions.
const QList<QPair<QString, int>> Series{{QStringLiteral("AES256_GCM"), 10},
                                        {QStringLiteral("AES128_GCM"), 6},
                                        {QStringLiteral("AES256_SIV"), 4}};
} // namespace

class TestWorkflowCrash : public QObject
{
    Q_OBJECT

    std::shared_ptr<kms::KmsAead> m_kms;

    QByteArray unwrap(const QByteArray &blob)
    {
        auto f = m_kms->unwrap(blob);
        f.waitForFinished();
        return f.result() ? *f.result() : QByteArray();
    }

    QByteArray wrap(const QByteArray &raw)
    {
        auto f = m_kms->wrap(raw);
        f.waitForFinished();
        return *f.result();
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto aead = kms::KmsRegistry::withBuiltInDrivers().aeadFor(
            {Kek, QStringLiteral("local-kms"), QStringLiteral("crash-key"), {}, false},
            {{QStringLiteral("local-kms"), {{QStringLiteral("secret"), Secret}}}});
        QVERIFY(aead);
        m_kms = *aead;
    }

    void aKilledRewrapResumesUntilEveryKeyIsIntact()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // The sandbox serves from a thread of its own, so this one can block on the driver.
        QThread serverThread;
        serverThread.start();
        QObject home;
        home.moveToThread(&serverThread);
        std::unique_ptr<sandbox::Sandbox> server;
        Result<void> started = makeError(QStringLiteral("test"), QStringLiteral("not started"));
        sandbox::SandboxOptions options;
        options.localSecret = Secret;
        options.faults.rate = 0.2;
        options.faults.seed = 20261205;
        QMetaObject::invokeMethod(
            &home,
            [&] {
                server = std::make_unique<sandbox::Sandbox>();
                started = server->start(options);
            },
            Qt::BlockingQueuedConnection);
        const auto stopServer = qScopeGuard([&] {
            QMetaObject::invokeMethod(
                &home, [&] { server.reset(); }, Qt::BlockingQueuedConnection);
            serverThread.quit();
            serverThread.wait();
        });
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        sandbox::Sandbox &sb = *server;

        // 500 versions, every seventh soft-deleted, written straight into the store.
        registry::Kek kek;
        kek.name = Kek;
        kek.kmsType = QStringLiteral("local-kms");
        kek.kmsKeyId = QStringLiteral("crash-key");
        kek.ts = 1'700'000'000'000;
        QList<registry::Dek> deks;
        QHash<QString, QByteArray> rawBefore;
        QHash<QString, registry::Dek> rowBefore;
        const auto id = [](const QString &s, const QString &a, int v) {
            return QStringLiteral("%1/%2/%3").arg(s, a).arg(v);
        };
        for (int s = 0; s < Subjects; ++s) {
            const QString subject = QStringLiteral("topic-%1-value").arg(s);
            for (const auto &[algorithm, count] : Series) {
                for (int v = 1; v <= count; ++v) {
                    const crypto::SecureBytes key =
                        crypto::generateTinkKey(*parseAlgorithm(algorithm));
                    const QByteArray raw(reinterpret_cast<const char *>(key.data()),
                                         qsizetype(key.size()));
                    registry::Dek d;
                    d.kekName = Kek;
                    d.subject = subject;
                    d.algorithm = algorithm;
                    d.version = v;
                    d.encryptedKeyMaterial = wrap(raw);
                    d.ts = kek.ts + deks.size() * 1000;
                    d.deleted = deks.size() % 7 == 3;
                    deks.append(d);
                    rawBefore.insert(id(subject, algorithm, v), raw);
                    rowBefore.insert(id(subject, algorithm, v), d);
                }
            }
        }
        QCOMPARE(deks.size(), 500);
        QVERIFY(sb.store()->bulkInsert({kek}, deks));

        const QString journal = dir.filePath(QStringLiteral("journal.sqlite"));
        const QString auditPath = dir.filePath(QStringLiteral("audit.sqlite"));
        QRandomGenerator random(4242);
        int lives = 0;
        int kills = 0;
        int exit = -1;
        while (exit != 0 && lives < 400) {
            ++lives;
            QProcess driver;
            driver.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            driver.start(QStringLiteral(WORKFLOW_CRASH_DRIVER),
                         {sb.registryUrl(), Kek, journal, auditPath, Secret, QStringLiteral("0.2"),
                          QString::number(lives)});
            QVERIFY(driver.waitForStarted());
            QByteArray out;
            // One life in five is killed at any moment, opening its journal and audit log
            // included. The others are killed a random while after they said "running": the
            // run is journalled by then (planning reads 500 rows through the faults and is not
            // journalled), and however slow the machine, each of them gets on with the run.
            if (random.bounded(5) == 0) {
                if (!driver.waitForFinished(int(random.bounded(0, 300)))) {
                    driver.kill(); // SIGKILL
                    driver.waitForFinished();
                    ++kills;
                    continue;
                }
            } else {
                QElapsedTimer starting;
                starting.start();
                while (!out.contains("running\n") && driver.state() != QProcess::NotRunning) {
                    if (starting.hasExpired(240000))
                        QFAIL("a life neither started the run nor ended in 240 s");
                    driver.waitForReadyRead(100);
                    out += driver.readAllStandardOutput();
                }
                if (driver.state() != QProcess::NotRunning &&
                    !driver.waitForFinished(int(random.bounded(50, 1000)))) {
                    driver.kill(); // SIGKILL
                    driver.waitForFinished();
                    ++kills;
                    continue;
                }
            }
            out += driver.readAllStandardOutput();
            exit = driver.exitStatus() == QProcess::NormalExit ? driver.exitCode() : -1;
            QVERIFY2(exit == 0 || exit == 3, qPrintable(QStringLiteral("life %1 ended with %2: %3")
                                                            .arg(lives)
                                                            .arg(exit)
                                                            .arg(QString::fromUtf8(out))));
        }
        QCOMPARE(exit, 0);
        qInfo("done after %d lives, %d of them killed", lives, kills);
        QVERIFY2(kills >= 3, "the run was not interrupted often enough to test anything");

        // Every version is there once, with its flag, and unwraps to the key it held.
        int checked = 0;
        for (int s = 0; s < Subjects; ++s) {
            const QString subject = QStringLiteral("topic-%1-value").arg(s);
            for (const auto &[algorithm, count] : Series) {
                auto versions = sb.store()->listDekVersions(Kek, subject, algorithm, true);
                QVERIFY(versions);
                QList<int> want;
                for (int v = 1; v <= count; ++v)
                    want.append(v);
                QCOMPARE(*versions, want);
                for (int v : std::as_const(*versions)) {
                    auto now = sb.store()->getDek(Kek, subject, v, algorithm, true);
                    QVERIFY(now);
                    const registry::Dek &before = rowBefore.value(id(subject, algorithm, v));
                    QVERIFY2(now->encryptedKeyMaterial != before.encryptedKeyMaterial,
                             qPrintable(id(subject, algorithm, v)));
                    QCOMPARE(unwrap(now->encryptedKeyMaterial),
                             rawBefore.value(id(subject, algorithm, v)));
                    QCOMPARE(now->deleted, before.deleted);
                    ++checked;
                }
            }
        }
        QCOMPARE(checked, 500);

        // One run, 500 steps, each done; the journal kept every original ts.
        auto opened = workflows::Journal::open(journal);
        QVERIFY(opened);
        auto runs = (*opened)->runs();
        QVERIFY(runs);
        QCOMPARE(runs->size(), 1);
        QCOMPARE(runs->constFirst().state, workflows::RunState::Done);
        auto steps = (*opened)->steps(runs->constFirst().id);
        QVERIFY(steps);
        QCOMPARE(steps->size(), 500);
        QSet<QString> stepped;
        for (const workflows::StepRecord &r : std::as_const(*steps)) {
            QCOMPARE(r.state, workflows::StepState::Done);
            QVERIFY(r.audited);
            const QString k = id(r.step.subject, r.step.algorithm, r.step.version);
            QCOMPARE(r.originalTs, rowBefore.value(k).ts);
            stepped.insert(k);
        }
        QCOMPARE(stepped.size(), 500);

        // One audit entry per step, no more.
        audit::AuditStore::Options auditOptions;
        auditOptions.path = auditPath;
        auto store = audit::AuditStore::open(auditOptions);
        QVERIFY(store);
        auto entries = (*store)->entries();
        QVERIFY(entries);
        QSet<int> audited;
        int rewraps = 0;
        for (const audit::AuditEntry &e : std::as_const(*entries)) {
            if (e.action != QLatin1String("workflow.dek.rewrap"))
                continue;
            ++rewraps;
            audited.insert(e.details.value(QStringLiteral("step")).toInt());
        }
        QCOMPARE(rewraps, 500);
        QCOMPARE(audited.size(), 500);
        QVERIFY((*store)->verifyChain());
    }
};

QTEST_GUILESS_MAIN(TestWorkflowCrash)
#include "tst_workflowcrash.moc"
