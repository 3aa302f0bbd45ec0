// The sandbox facade and the store's in-process side: start/stop with options, persistence
// in a data folder, KeySource/SchemaSource futures, use from other threads, a server that lives
// in a worker thread.

#include "core/crypto/crypto.h"
#include "core/domain/keysources.h"
#include "core/sandbox/awskmsdouble.h"
#include "core/sandbox/mockkafkacluster.h"
#include "core/sandbox/sandbox.h"
#include "core/sandbox/sandboxserver.h"
#include "core/sandbox/sandboxstore.h"
#include "httptestclient.h"

#include <QLoggingCategory>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QtConcurrent>

using namespace kw;
using namespace kw::sandbox;

namespace {

QStringList g_log;

void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    g_log.append(QString::fromLatin1(context.category) + QStringLiteral(": ") + message);
}

registry::Kek sharedKek(const QString &name)
{
    registry::Kek kek;
    kek.name = name;
    kek.kmsType = QStringLiteral("local-kms");
    kek.kmsKeyId = QStringLiteral("id");
    kek.shared = true;
    return kek;
}

registry::Dek dekRequest(const QString &subject, int version = 1)
{
    registry::Dek dek;
    dek.subject = subject;
    dek.version = version;
    dek.algorithm.clear();
    return dek;
}

} // namespace

class TestSandbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startAndStop()
    {
        Sandbox sandbox;
        QVERIFY(!sandbox.isRunning());
        QVERIFY(sandbox.start());
        QVERIFY(sandbox.isRunning());
        QVERIFY(sandbox.registryUrl().startsWith(QLatin1String("http://127.0.0.1:")));
        QVERIFY(sandbox.bootstrapServers().startsWith(QLatin1String("127.0.0.1:")));
        QVERIFY(sandbox.localSecret().size() >= 24);
        QVERIFY(!sandbox.start()); // already running

        HttpTestClient http(sandbox.registryUrl());
        QCOMPARE(http.get(QStringLiteral("/dek-registry/v1/keks?deleted=true")).strings(),
                 QStringList());
        sandbox.stop();
        QVERIFY(!sandbox.isRunning());
        QVERIFY(sandbox.registryUrl().isEmpty());
    }

    // "keys": the KMS doubles hold the demo's keys, the registry holds nothing; "empty": no
    // keys either; anything else is refused naming the seeds there are.
    void seeds()
    {
        const auto treasuryWraps = [](Sandbox &sandbox) {
            const auto aws = sandbox.kmsDouble(QStringLiteral("aws-kms"));
            if (!aws)
                return false;
            kms::KekRef kek;
            kek.kmsType = QStringLiteral("aws-kms");
            kek.kmsKeyId = QString(AwsKmsDouble::TreasuryKeyArn);
            const auto aead = aws->seedingDriver()->create(kek, {});
            return aead.hasValue() && (*aead)->wrap("dek-bytes").result().hasValue();
        };
        for (const QString &seed : {QStringLiteral("keys"), QStringLiteral("empty")}) {
            Sandbox sandbox;
            SandboxOptions options;
            options.seed = seed;
            QVERIFY(sandbox.start(options));
            HttpTestClient http(sandbox.registryUrl());
            QCOMPARE(http.get(QStringLiteral("/dek-registry/v1/keks?deleted=true")).strings(),
                     QStringList());
            QCOMPARE(http.get(QStringLiteral("/subjects")).strings(), QStringList());
            QCOMPARE(treasuryWraps(sandbox), seed == QLatin1String("keys"));
        }

        Sandbox sandbox;
        SandboxOptions options;
        options.seed = QStringLiteral("keyz");
        const Result<void> started = sandbox.start(options);
        QVERIFY(!started);
        QCOMPARE(started.error().code, QStringLiteral("sandbox.bad_seed"));
        QCOMPARE(started.error().message,
                 QStringLiteral("Unknown seed 'keyz'; use 'empty', 'keys' or 'demo'."));
        QVERIFY(!sandbox.isRunning());
    }

    // With every debug category on, the sandbox's server side (Qt HTTP Server's own request
    // dumps included) logs no Authorization header and no credential it was sent.
    void debugLogsCarryNoCredentials()
    {
        SandboxOptions options;
        options.basicAuthUser = QStringLiteral("auditor");
        options.basicAuthSecret = QStringLiteral("Sekr1t-basic-pass");
        Sandbox sandbox;
        QVERIFY(sandbox.start(options));
        // QT_LOGGING_RULES=*.debug=true (tests/core/sandbox/CMakeLists.txt), as a person
        // chasing a problem would run it.
        QVERIFY(QLoggingCategory("keywarden.sandbox.http").isDebugEnabled());
        g_log.clear();
        const QtMessageHandler previous = qInstallMessageHandler(captureLog);
        const auto restore = qScopeGuard([previous] { qInstallMessageHandler(previous); });
        const QByteArray credentials = QByteArray("auditor:Sekr1t-basic-pass").toBase64();
        HttpTestClient http(sandbox.registryUrl());
        http.setAuthorization("Basic " + credentials);
        QCOMPARE(http.get(QStringLiteral("/subjects")).status, 200);
        http.setAuthorization("Bearer ya29.not-for-the-logs");
        QCOMPARE(http.get(QStringLiteral("/subjects")).status, 401);
        // The server's own categories are quiet; Keywarden's logged the two requests.
        QVERIFY(!QLoggingCategory("qt.httpserver").isDebugEnabled());
        QVERIFY2(g_log.size() >= 2, qPrintable(g_log.join(u'\n')));
        for (const QString &line : std::as_const(g_log)) {
            QVERIFY2(!line.contains(QLatin1String("Sekr1t")), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String(credentials)), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("not-for-the-logs")), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("Authorization"), Qt::CaseInsensitive),
                     qPrintable(line));
            QVERIFY2(!line.startsWith(QLatin1String("qt.httpserver")), qPrintable(line));
        }
    }

    void optionsAndPersistence()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        SandboxOptions options;
        options.dataDir = dir.filePath(QStringLiteral("state"));
        options.localSecret = QStringLiteral("fixed-secret");
        options.basicAuthUser = QStringLiteral("u");
        options.basicAuthSecret = QStringLiteral("p");
        QByteArray keyMaterial;
        {
            Sandbox sandbox;
            QVERIFY(sandbox.start(options));
            QCOMPARE(sandbox.localSecret(), QStringLiteral("fixed-secret"));
            HttpTestClient http(sandbox.registryUrl());
            QCOMPARE(http.get(QStringLiteral("/subjects")).status, 401);
            http.setAuthorization("Basic " + QByteArray("u:p").toBase64());
            QCOMPARE(http.post(QStringLiteral("/dek-registry/v1/keks"),
                               sharedKek(QStringLiteral("k")).toJson())
                         .status,
                     200);
            const TestReply dek = http.post(QStringLiteral("/dek-registry/v1/keks/k/deks/s"));
            QCOMPARE(dek.status, 200);
            keyMaterial = dek.object().value(QStringLiteral("keyMaterial")).toString().toLatin1();
        }
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("state/registry.sqlite"))));
        Sandbox again;
        options.basicAuthUser.clear();
        QVERIFY(again.start(options));
        HttpTestClient http(again.registryUrl());
        const TestReply dek = http.get(QStringLiteral("/dek-registry/v1/keks/k/deks/s"));
        QCOMPARE(dek.status, 200);
        // Same secret, so the server unwraps the persisted DEK to the same key.
        QCOMPARE(dek.object().value(QStringLiteral("keyMaterial")).toString().toLatin1(),
                 keyMaterial);
    }

    void busyPort()
    {
        Sandbox first;
        QVERIFY(first.start());
        const quint16 port = first.server()->port();
        Sandbox second;
        SandboxOptions options;
        options.port = port;
        const Result<void> started = second.start(options);
        QVERIFY(!started);
        QVERIFY(started.error().message.contains(QString::number(port)));
    }

    void keyAndSchemaSources()
    {
        ManualClock clock(5000);
        auto store = std::make_shared<SandboxStore>(clock);
        QVERIFY(store->open());
        store->setLocalSecret(QStringLiteral("s"));
        std::shared_ptr<engine::KeySource> keys = store;
        std::shared_ptr<engine::SchemaSource> schemas = store;

        QVERIFY(store->createKek(sharedKek(QStringLiteral("k"))));
        QCOMPARE(engine::awaitResult(keys->kek(QStringLiteral("k"), false))->ts, 5000);
        {
            // A seeder backdates rows by switching the store's clock.
            const ManualClock past(1000);
            store->setClock(past);
            QCOMPARE(store->createKek(sharedKek(QStringLiteral("old")))->ts, 1000);
            store->setClock(clock);
            QCOMPARE(&store->clock(), &clock);
        }
        QCOMPARE(engine::awaitResult(keys->kek(QStringLiteral("x"), true)).error().code,
                 QStringLiteral("registry.40470"));
        clock.setNowMs(6000);
        const auto created = engine::awaitResult(
            keys->createDek(QStringLiteral("k"), dekRequest(QStringLiteral("s"))));
        QVERIFY(created);
        QCOMPARE(created->algorithm, QStringLiteral("AES256_GCM"));
        QCOMPARE(created->ts, 6000);
        QVERIFY(!created->keyMaterial.isEmpty());
        const auto latest = engine::awaitResult(
            keys->dek(QStringLiteral("k"), QStringLiteral("s"), -1, QString(), false));
        QVERIFY(latest);
        QCOMPARE(latest->keyMaterial, created->keyMaterial);

        registry::Schema request;
        request.schema = QStringLiteral("\"string\"");
        const auto registered = store->registerSchema(QStringLiteral("t-value"), request);
        QVERIFY(registered);
        QCOMPARE(registered->id, 1);
        QCOMPARE(registered->ts, 6000);
        QCOMPARE(engine::awaitResult(schemas->schemaById(1))->schema, request.schema);
        QCOMPARE(
            engine::awaitResult(schemas->schemaByGuid(QUuid::fromString(registered->guid)))->schema,
            request.schema);
        QCOMPARE(
            engine::awaitResult(schemas->schemaVersion(QStringLiteral("t-value"), -1))->version, 1);
        QCOMPARE(engine::awaitResult(schemas->schemaById(9)).error().code,
                 QStringLiteral("registry.40403"));

        // Other threads get their own connection to the same (in-memory) database.
        QFuture<bool> fromPool = QtConcurrent::run([store] {
            bool ok = true;
            for (int i = 0; i < 50; ++i)
                ok = ok && store->registerDek(QStringLiteral("k"),
                                              dekRequest(QStringLiteral("pool"), i + 1));
            ok = ok && store->getKek(QStringLiteral("k"), false).hasValue();
            // Shared-KEK DEKs are generated with OpenSSL's RNG on this pool thread.
            kw::crypto::releaseThreadState();
            return ok;
        });
        for (int i = 0; i < 50; ++i)
            QVERIFY(
                store->registerDek(QStringLiteral("k"), dekRequest(QStringLiteral("main"), i + 1)));
        QVERIFY(fromPool.result());
        QCOMPARE(
            store->listDekVersions(QStringLiteral("k"), QStringLiteral("pool"), {}, false)->size(),
            50);
        QCOMPARE(store->listDekSubjects(QStringLiteral("k"), false)->size(), 3);
        QCOMPARE(store->listKeks({}, false)->size(), 2);
    }

    void serverInWorkerThread()
    {
        auto store = std::make_shared<SandboxStore>();
        QVERIFY(store->open());
        QThread worker;
        kw::crypto::releaseThreadStateOnFinish(&worker);
        worker.start();
        auto *context = new QObject;
        context->moveToThread(&worker);
        SandboxServer *server = nullptr;
        quint16 port = 0;
        // Construct and start the server inside the worker thread, as the GUI will.
        QMetaObject::invokeMethod(
            context,
            [&] {
                server = new SandboxServer(store);
                port = server->listen(0) ? server->port() : 0;
            },
            Qt::BlockingQueuedConnection);
        QVERIFY(port != 0);
        QCOMPARE(server->thread(), &worker);
        HttpTestClient http(QStringLiteral("http://127.0.0.1:%1").arg(port));
        QCOMPARE(http.post(QStringLiteral("/dek-registry/v1/keks"),
                           sharedKek(QStringLiteral("k")).toJson())
                     .status,
                 200);
        QCOMPARE(http.get(QStringLiteral("/dek-registry/v1/keks")).strings(),
                 QStringList{QStringLiteral("k")});
        // The same store, used from this thread.
        QVERIFY(store->getKek(QStringLiteral("k"), false));
        QMetaObject::invokeMethod(
            context,
            [&] {
                delete server;
                delete context;
            },
            Qt::BlockingQueuedConnection);
        worker.quit();
        worker.wait();
    }
};

QTEST_GUILESS_MAIN(TestSandbox)
#include "tst_sandbox.moc"
