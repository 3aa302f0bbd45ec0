// services::Connection opens a profile the same way for the GUI, the CLI and tests: registry
// clients answering in the opening thread, and a record decryptor whose transport runs on a
// thread of its own, so the decrypting workers never need the opener's event loop.

#include "core/engine/recorddecryptor.h"
#include "core/registry/dekregistryclient.h"
#include "core/sandbox/sandboxhost.h"
#include "core/services/connection.h"
#include "core/services/recordpreview.h"

#include <QFutureWatcher>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>

using namespace kw;

class TestConnection : public QObject
{
    Q_OBJECT

    // On a thread of its own: this thread blocks in readBlocked().
    sandbox::SandboxHost m_host;
    profiles::ConnectionProfile m_profile;

    // Reads `limit` records of partition 0 of "customers" on a worker thread while this
    // thread only waits: no event loop runs here meanwhile.
    Result<kafka::PreviewSummary> readBlocked(std::shared_ptr<engine::RecordDecryptor> decryptor,
                                              qint64 limit)
    {
        kafka::PreviewOptions options;
        options.read.topic = QStringLiteral("customers");
        options.read.partition = 0;
        options.read.limit = limit;
        options.workers = 2;
        std::atomic_bool cancel{false};
        kafka::PreviewSink sink;
        auto future = QtConcurrent::run(
            [&] { return kafka::runPreview(m_profile, options, decryptor, sink, cancel); });
        future.waitForFinished();
        return future.result();
    }

private Q_SLOTS:
    void initTestCase()
    {
        sandbox::SandboxOptions options;
        options.seed = QStringLiteral("demo");
        m_host.start(options);
        QTRY_VERIFY_WITH_TIMEOUT(m_host.isReady(), 240000); // minutes under ASan with -j2
        const sandbox::SandboxEndpoints &endpoints = m_host.endpoints();
        m_profile.name = QStringLiteral("demo");
        m_profile.registry.baseUrl = QUrl(endpoints.registryUrl);
        m_profile.bootstrapServers = endpoints.bootstrapServers;
        m_profile.kms.insert(QStringLiteral("local-kms"),
                             {{QStringLiteral("secret"), endpoints.localSecret}});
    }

    void clientsAnswerInTheOpeningThread()
    {
        services::Connection connection(m_profile);
        QVERIFY(connection.hasKafka());
        QCOMPARE(connection.kafkaSettings().bootstrapServers, m_profile.bootstrapServers);
        auto keks = connection.dekRegistry()->listKeks();
        QTRY_VERIFY_WITH_TIMEOUT(keks.isFinished(), 20000);
        QVERIFY2(keks.result(), qPrintable(keks.result().error().message));
        QVERIFY(!keks.result()->isEmpty());
    }

    void decryptorRunsOnItsOwnThread()
    {
        auto connection = std::make_unique<services::Connection>(m_profile);
        auto decryptor = connection->recordDecryptor();
        QVERIFY(decryptor);
        QCOMPARE(connection->recordDecryptor(), decryptor); // one per connection

        // This thread blocks while the workers decrypt: with the transport here, this would
        // never finish.
        auto first = readBlocked(decryptor, 40);
        QVERIFY2(first, qPrintable(first.error().message));
        QCOMPARE(first->records, 40);
        QVERIFY(first->recordsDecrypted > 0);
        const auto stats = connection->decryptorStats();
        QVERIFY(stats.kmsUnwraps > 0);

        // A fetch still holding the decryptor outlives the connection: same cache, no new
        // unwraps for the same DEK versions.
        connection.reset();
        auto again = readBlocked(decryptor, 40);
        QVERIFY2(again, qPrintable(again.error().message));
        QCOMPARE(again->recordsDecrypted, first->recordsDecrypted);
        QCOMPARE(decryptor->cacheStats().kmsUnwraps, stats.kmsUnwraps);
    }

    void noRegistryNoDecryptor()
    {
        profiles::ConnectionProfile kafkaOnly;
        kafkaOnly.bootstrapServers = m_profile.bootstrapServers;
        services::Connection connection(kafkaOnly);
        QVERIFY(!connection.recordDecryptor());
        QVERIFY(connection.hasKafka());
    }
};

QTEST_MAIN(TestConnection)
#include "tst_connection.moc"
