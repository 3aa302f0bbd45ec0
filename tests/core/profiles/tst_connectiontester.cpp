#include "core/sandbox/sandbox.h"
#include "core/sandbox/sandboxstore.h"
#include "core/services/connectiontester.h"

#include <QFutureWatcher>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

using namespace kw;
using namespace kw::profiles;
using Outcome = ConnectionCheck::Outcome;

namespace {

QList<ConnectionCheck> run(const ConnectionProfile &profile, QObject *context, int kafkaMs = 10000)
{
    auto future = testConnection(profile, context, kafkaMs);
    QFutureWatcher<QList<ConnectionCheck>> watcher;
    QSignalSpy done(&watcher, &QFutureWatcherBase::finished);
    watcher.setFuture(future);
    if (!future.isFinished())
        [&] {
            QVERIFY(done.wait(60000));
        }();
    return future.isFinished() ? future.result() : QList<ConnectionCheck>{};
}

} // namespace

class TestConnectionTester : public QObject
{
    Q_OBJECT

private:
    sandbox::Sandbox m_sandbox;

    ConnectionProfile sandboxProfile() const
    {
        ConnectionProfile p;
        p.name = QStringLiteral("sandbox");
        p.registry.baseUrl = QUrl(m_sandbox.registryUrl());
        p.registry.auth =
            registry::AuthSettings::basic(QStringLiteral("admin"), QStringLiteral("s3cret"));
        p.registry.maxRetries = 0;
        p.bootstrapServers = m_sandbox.bootstrapServers();
        p.kms = m_sandbox.kmsSettings();
        return p;
    }

private Q_SLOTS:
    void initTestCase()
    {
        sandbox::SandboxOptions options;
        options.seed = QStringLiteral("empty");
        options.basicAuthUser = QStringLiteral("admin");
        options.basicAuthSecret = QStringLiteral("s3cret");
        auto started = m_sandbox.start(options);
        QVERIFY2(started, qPrintable(started.error().message));
    }

    void allThreePassAndNoKekIsSkipped()
    {
        const auto checks = run(sandboxProfile(), this);
        QCOMPARE(checks.size(), 4);
        QCOMPARE(checks[0].target, ConnectionCheck::Target::SchemaRegistry);
        QCOMPARE(checks[1].target, ConnectionCheck::Target::DekRegistry);
        QCOMPARE(checks[2].target, ConnectionCheck::Target::Kafka);
        QCOMPARE(checks[3].target, ConnectionCheck::Target::Kms);
        for (const auto &c : checks.mid(0, 3))
            QVERIFY2(c.outcome == Outcome::Passed,
                     qPrintable(targetName(c.target) + QStringLiteral(": ") + c.summary));
        QVERIFY(checks[2].summary.contains(QLatin1String("topics visible")));
        QCOMPARE(checks[3].outcome, Outcome::Skipped);
        QCOMPARE(checks[3].summary, QStringLiteral("No KEKs in the DEK Registry."));
    }

    // Test connection runs `kek test` on every live KEK: the ones that wrap and unwrap pass,
    // the others are named with the step that failed and why; a deleted KEK is not tested.
    void testsEveryLiveKek()
    {
        const auto store = m_sandbox.store();
        const auto kek = [](const QString &name, const QString &type, const QString &keyId) {
            return registry::Kek{name, type, keyId, {}, {}, false};
        };
        QVERIFY(store->createKek(kek(QStringLiteral("alpha-local"), QStringLiteral("local-kms"),
                                     QStringLiteral("alpha-key"))));
        QVERIFY(store->createKek(kek(QStringLiteral("beta-vault"), QStringLiteral("hcvault"),
                                     QStringLiteral("http://127.0.0.1:1/transit/keys/beta"))));
        QVERIFY(store->createKek(kek(QStringLiteral("gamma-gone"), QStringLiteral("local-kms"),
                                     QStringLiteral("gamma-key"))));
        QVERIFY(store->deleteKek(QStringLiteral("gamma-gone"), false));
        const auto cleanup = qScopeGuard([&] {
            for (const char *name : {"alpha-local", "beta-vault", "gamma-gone"}) {
                (void)store->deleteKek(QLatin1String(name), false); // absent: nothing to do
                (void)store->deleteKek(QLatin1String(name), true);
            }
        });

        ConnectionProfile p = sandboxProfile();
        p.kms.remove(QStringLiteral("hcvault")); // beta-vault's driver has no token to use
        const auto checks = run(p, this);
        QCOMPARE(checks.size(), 4);
        const ConnectionCheck &kms = checks[3];
        QCOMPARE(kms.target, ConnectionCheck::Target::Kms);
        QCOMPARE(kms.outcome, Outcome::Failed);
        QCOMPARE(kms.kekTests.size(), 2);
        QCOMPARE(kms.kekTests[0].kekName, QStringLiteral("alpha-local"));
        QVERIFY(kms.kekTests[0].passed());
        QCOMPARE(kms.kekTests[1].kekName, QStringLiteral("beta-vault"));
        const services::KekTestStep *bad = kms.kekTests[1].failedStep();
        QVERIFY(bad);
        QCOMPARE(bad->kind, services::KekTestStep::Kind::Driver);
        QCOMPARE(bad->error.code, QStringLiteral("kms.not_configured"));
        QCOMPARE(kms.error.code, QStringLiteral("kms.not_configured"));
        QVERIFY2(kms.summary.startsWith(QLatin1String("1 of 2 KEKs cannot wrap and unwrap now: "
                                                      "beta-vault (KMS driver: ")),
                 qPrintable(kms.summary));
        QVERIFY2(!kms.summary.contains(QLatin1String("alpha-local")), qPrintable(kms.summary));
    }

    // The profiles dialog closed while its test ran: nothing is called on the object that is
    // gone, the answers still arriving are dropped, and the caller's future ends cancelled
    // rather than never.
    void contextGoneBeforeTheAnswers()
    {
        const auto store = m_sandbox.store();
        QVERIFY(store->createKek(registry::Kek{QStringLiteral("delta-local"),
                                               QStringLiteral("local-kms"),
                                               QStringLiteral("delta-key"),
                                               {},
                                               {},
                                               false}));
        const auto cleanup = qScopeGuard([&] {
            (void)store->deleteKek(QStringLiteral("delta-local"), false);
            (void)store->deleteKek(QStringLiteral("delta-local"), true);
        });
        for (int afterEvents : {0, 1, 3, 10}) {
            auto *context = new QObject;
            const auto future = testConnection(sandboxProfile(), context, 10000);
            // Let some of the answers arrive first (none, then more and more of them).
            for (int i = 0; i < afterEvents; ++i)
                QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            delete context;
            QFutureWatcher<QList<ConnectionCheck>> watcher;
            QSignalSpy done(&watcher, &QFutureWatcherBase::finished);
            watcher.setFuture(future);
            QVERIFY(future.isFinished() || done.wait(60000));
            QVERIFY2(future.isCanceled(), qPrintable(QString::number(afterEvents)));
            QCOMPARE(future.resultCount(), 0);
        }
        // The sandbox served every request it was sent, and tests still run.
        const auto checks = run(sandboxProfile(), this);
        QCOMPARE(checks.size(), 4);
        QCOMPARE(checks[3].outcome, Outcome::Passed);
    }

    void wrongRegistrySecretFailsTheRegistriesOnly()
    {
        ConnectionProfile p = sandboxProfile();
        p.registry.auth.basicSecret = QStringLiteral("wrong");
        const auto checks = run(p, this);
        QCOMPARE(checks.size(), 4);
        QCOMPARE(checks[0].outcome, Outcome::Failed);
        QCOMPARE(checks[1].outcome, Outcome::Failed);
        QCOMPARE(checks[3].outcome, Outcome::Skipped); // no KEK list, nothing to test
        QVERIFY2(checks[0].error.code.contains(QLatin1String("401")),
                 qPrintable(checks[0].error.code));
        QVERIFY(!checks[0].summary.isEmpty());
        QVERIFY(!checks[0].summary.contains(QLatin1String("wrong"))); // never echoes the secret
        QCOMPARE(checks[2].outcome, Outcome::Passed);
    }

    void unreachableKafkaFailsKafkaOnly()
    {
        ConnectionProfile p = sandboxProfile();
        p.bootstrapServers = QStringLiteral("127.0.0.1:1");
        const auto checks = run(p, this, 3000);
        QCOMPARE(checks.size(), 4);
        QCOMPARE(checks[0].outcome, Outcome::Passed);
        QCOMPARE(checks[1].outcome, Outcome::Passed);
        QCOMPARE(checks[2].outcome, Outcome::Failed);
        QVERIFY2(checks[2].error.code.startsWith(QLatin1String("kafka.")),
                 qPrintable(checks[2].error.code));
        // The message names the brokers it could not reach.
        QVERIFY2(checks[2].summary.contains(QLatin1String("127.0.0.1:1")),
                 qPrintable(checks[2].summary));
    }

    void unreachableRegistry()
    {
        ConnectionProfile p = sandboxProfile();
        p.registry.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
        p.bootstrapServers.clear();
        const auto checks = run(p, this);
        QCOMPARE(checks[0].outcome, Outcome::Failed);
        QCOMPARE(checks[0].error.code, QStringLiteral("registry.unreachable"));
        QCOMPARE(checks[2].outcome, Outcome::Skipped);
        QVERIFY(checks[2].summary.contains(QLatin1String("No bootstrap servers")));
    }

    void nothingConfigured()
    {
        const auto checks = run(ConnectionProfile{}, this);
        QCOMPARE(checks.size(), 4);
        for (const auto &c : checks)
            QCOMPARE(c.outcome, Outcome::Skipped);
    }
};

QTEST_GUILESS_MAIN(TestConnectionTester)
#include "tst_connectiontester.moc"
