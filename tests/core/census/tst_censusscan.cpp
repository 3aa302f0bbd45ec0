// census::runScan against the sandbox's demo estate (its registry and mock Kafka cluster): the
// counts the inspect-only path makes equal what decrypting every record finds, a second run
// reads only what was produced since, and --rescan counts everything once more.

#include "core/census/censusscan.h"
#include "core/census/schedule.h"
#include "core/crypto/crypto.h"
#include "core/engine/recorddecryptor.h"
#include "core/net/resttransport.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/sandbox/mockkafkacluster.h"
#include "core/sandbox/sandbox.h"
#include "core/services/recordpreview.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>
#include <QtEndian>

using namespace kw;
using namespace kw::census;

namespace {

// Topics of the demo estate without damaged records: every value decrypts.
const QStringList kTopics{QStringLiteral("employees"), QStringLiteral("accounts")};

// Encryptions per DEK version as decryption sees them: one per decrypted field (or payload).
QHash<DekVersionKey, qint64> decryptedCounts(const QList<kafka::PreviewRecord> &records)
{
    QHash<DekVersionKey, qint64> counts;
    for (const kafka::PreviewRecord &r : records) {
        QList<engine::FieldOutcome> outcomes = r.value.fields;
        if (r.value.payload)
            outcomes.append(*r.value.payload);
        for (const engine::FieldOutcome &f : std::as_const(outcomes)) {
            if (f.status == engine::FieldOutcome::Status::Decrypted)
                ++counts[{f.kekName, r.value.dekSubject, f.algorithm, f.dekVersion}];
        }
    }
    return counts;
}

QHash<DekVersionKey, qint64> censusCounts(const Tally &tally)
{
    QHash<DekVersionKey, qint64> counts;
    for (auto it = tally.dekVersions().cbegin(); it != tally.dekVersions().cend(); ++it)
        counts.insert(it.key(), it->encryptions);
    return counts;
}

} // namespace

class TestCensusScan : public QObject
{
    Q_OBJECT

    sandbox::Sandbox m_sandbox; // serves from this thread: the scans run on workers
    profiles::ConnectionProfile m_profile;
    std::unique_ptr<registry::RestTransport> m_transport;
    std::shared_ptr<engine::RecordDecryptor> m_inspector;

    template<typename T, typename F>
    T onWorker(F work)
    {
        // Unwrapping and decrypting leave OpenSSL state on the pool thread, which outlives the
        // test: release it there, as Job does for the app.
        QFuture<T> future = QtConcurrent::run([work = std::move(work)]() mutable {
            struct Release
            {
                ~Release() { kw::crypto::releaseThreadState(); }
            } release;
            return work();
        });
        if (!QTest::qWaitFor([&] { return future.isFinished(); }, 120000))
            qFatal("a census test's worker did not finish in 120 s");
        return future.result();
    }

    Result<ScanSummary> scan(CensusState &state, const ScanOptions &options)
    {
        std::atomic_bool cancel{false};
        return onWorker<Result<ScanSummary>>([&] {
            return runScan(m_profile.kafkaSettings(), *m_inspector, state, options, {}, cancel);
        });
    }

    // Every record of `topics`, decrypted.
    QList<kafka::PreviewRecord> decryptAll(const QStringList &topics)
    {
        QList<kafka::PreviewRecord> all;
        for (const QString &topic : topics) {
            kafka::PreviewOptions options;
            options.read.topic = topic;
            kafka::PreviewSink sink;
            QList<kafka::PreviewRecord> records;
            sink.onBatch = [&records](QList<kafka::PreviewRecord> &&batch, QByteArray &&) {
                records.append(batch);
            };
            std::atomic_bool cancel{false};
            auto decryptor = kafka::makeRegistryDecryptor(m_transport.get(), m_profile.kms);
            const auto done = onWorker<Result<kafka::PreviewSummary>>(
                [&] { return kafka::runPreview(m_profile, options, decryptor, sink, cancel); });
            if (!done)
                qWarning() << done.error().message;
            all.append(records);
        }
        return all;
    }

private Q_SLOTS:
    void initTestCase()
    {
        sandbox::SandboxOptions options;
        options.seed = QStringLiteral("demo");
        auto started = m_sandbox.start(options);
        QVERIFY2(started, qPrintable(started.error().message));
        m_profile.registry.baseUrl = QUrl(m_sandbox.registryUrl());
        m_profile.bootstrapServers = m_sandbox.bootstrapServers();
        m_profile.kms.insert(QStringLiteral("local-kms"),
                             {{QStringLiteral("secret"), m_sandbox.localSecret()}});
        m_transport = std::make_unique<registry::RestTransport>(m_profile.registry);
        // No KMS settings: inspecting never needs a key.
        m_inspector = kafka::makeRegistryDecryptor(m_transport.get(), {});
    }

    void cleanupTestCase()
    {
        m_inspector.reset();
        m_transport.reset();
    }

    void countsWhatDecryptionFinds()
    {
        auto state = CensusState::open({});
        QVERIFY(state);
        ScanOptions options;
        options.topics = kTopics;
        const auto scanned = scan(**state, options);
        QVERIFY2(scanned, qPrintable(scanned ? QString() : scanned.error().message));
        QCOMPARE(scanned->recordsRead, 600 + 4000);
        QVERIFY(!scanned->cancelled);

        const auto tally = (*state)->load();
        QVERIFY(tally);
        const QList<kafka::PreviewRecord> decrypted = decryptAll(kTopics);
        QCOMPARE(decrypted.size(), 4600);
        const auto expected = decryptedCounts(decrypted);
        QVERIFY(!expected.isEmpty());
        QCOMPARE(censusCounts(*tally), expected);
        QCOMPARE(tally->topics().value(QStringLiteral("employees")).records, 600);
        QVERIFY(tally->problems().isEmpty());
        QCOMPARE(tally->topics().value(QStringLiteral("accounts")).count(Protection::NotSrFramed),
                 0);
    }

    void aSecondRunReadsOnlyWhatIsNew()
    {
        auto state = CensusState::open({});
        QVERIFY(state);
        ScanOptions options;
        options.topics = {QStringLiteral("employees")};
        const auto first = scan(**state, options);
        QVERIFY(first);
        QCOMPARE(first->recordsRead, 600);
        const Tally before = *(*state)->load();

        // Nothing new: nothing read.
        const auto idle = scan(**state, options);
        QVERIFY(idle);
        QCOMPARE(idle->recordsRead, 0);

        // Seven more records: copies of the first seven, so decryption says what they add.
        const QList<kafka::PreviewRecord> existing = decryptAll({QStringLiteral("employees")});
        QList<kafka::PreviewRecord> copied = existing.mid(0, 7);
        QList<sandbox::MockRecord> produce;
        for (const kafka::PreviewRecord &r : std::as_const(copied)) {
            sandbox::MockRecord m;
            m.topic = r.record.topic;
            m.partition = r.record.partition;
            m.key = r.record.key;
            m.value = r.record.value;
            for (const serde::RecordHeader &h : r.record.headers)
                m.headers.append({h.key, h.value});
            produce.append(m);
        }
        QVERIFY(m_sandbox.cluster()->produce(produce));
        const auto second = scan(**state, options);
        QVERIFY(second);
        QCOMPARE(second->recordsRead, 7);

        const Tally after = *(*state)->load();
        QHash<DekVersionKey, qint64> expected = censusCounts(before);
        const auto added = decryptedCounts(copied);
        QVERIFY(!added.isEmpty());
        for (auto it = added.cbegin(); it != added.cend(); ++it)
            expected[it.key()] += it.value();
        QCOMPARE(censusCounts(after), expected);
        QCOMPARE(after.topics().value(QStringLiteral("employees")).records, 607);

        // --rescan: everything once more, the same totals.
        options.rescan = true;
        const auto again = scan(**state, options);
        QVERIFY(again);
        QCOMPARE(again->recordsRead, 607);
        QCOMPARE(censusCounts(*(*state)->load()), expected);
    }

    void badInputIsCountedUnderItsOwnHeading()
    {
        // Three more employees records (the DEK subject comes from the topic, so they stay in
        // it): a good one, the same with its name's DEK version prefix changed to 99 (a version
        // the registry never had), and one naming a schema id the registry does not have.
        const kafka::PreviewRecord good = decryptAll({QStringLiteral("employees")}).value(0);
        QVERIFY(good.record.value.size() > 5);
        const QByteArray frame = good.record.value.left(5);
        QJsonObject body = QJsonDocument::fromJson(good.record.value.mid(5)).object();
        QByteArray name =
            QByteArray::fromBase64(body.value(QStringLiteral("name")).toString().toLatin1());
        QVERIFY(name.size() > 5 && name.at(0) == 0);
        qToBigEndian<qint32>(99, name.data() + 1);
        body.insert(QStringLiteral("name"), QString::fromLatin1(name.toBase64()));
        const QByteArray version99 = frame + QJsonDocument(body).toJson(QJsonDocument::Compact);
        const QByteArray unknownSchema = QByteArray("\0\x00\x0f\x42\x3f", 5) + "{}";

        const QString topic = QStringLiteral("employees");
        auto state = CensusState::open({});
        QVERIFY(state);
        ScanOptions options;
        options.topics = {topic};
        QVERIFY(scan(**state, options)); // what is there already
        QList<sandbox::MockRecord> produce;
        for (const QByteArray &value : {good.record.value, version99, unknownSchema}) {
            sandbox::MockRecord m;
            m.topic = topic;
            m.partition = 0;
            m.value = value;
            produce.append(m);
        }
        QVERIFY(m_sandbox.cluster()->produce(produce));
        const Tally before = *(*state)->load();
        const auto scanned = scan(**state, options);
        QVERIFY2(scanned, qPrintable(scanned ? QString() : scanned.error().message));
        QCOMPARE(scanned->recordsRead, 3); // the scan went on past both
        Tally tally = *(*state)->load();
        QCOMPARE(tally.topics().value(topic).records, before.topics().value(topic).records + 3);
        QCOMPARE(tally.topics().value(topic).count(Protection::Undecodable), 1);
        QVERIFY(before.problems().isEmpty());

        registry::DekRegistryClient keys(m_transport.get());
        registry::SchemaRegistryClient schemas(m_transport.get());
        const auto inputs = onWorker<Result<ScheduleInputs>>([&] {
            std::atomic_bool cancel{false};
            return loadScheduleInputs(keys, schemas, cancel);
        });
        QVERIFY2(inputs, qPrintable(inputs ? QString() : inputs.error().message));
        addRegistryProblems(tally, *inputs);
        const QMap<QString, Problem> problems = tally.problems().value(topic);
        QCOMPARE(problems.keys(), (QStringList{QStringLiteral("census.unknown_dek_version"),
                                               QStringLiteral("engine.unknown_schema")}));
        const Problem unknownVersion = problems.value(QStringLiteral("census.unknown_dek_version"));
        QCOMPARE(unknownVersion.count, 1);
        QCOMPARE(unknownVersion.example.partition, 0);
        QVERIFY2(unknownVersion.message.contains(QStringLiteral("version 99")),
                 qPrintable(unknownVersion.message));
        const Problem unknownId = problems.value(QStringLiteral("engine.unknown_schema"));
        QCOMPARE(unknownId.count, 1);
        QCOMPARE(unknownId.example.partition, 0);
        QCOMPARE(unknownId.example.offset, unknownVersion.example.offset + 1);
        QVERIFY2(unknownId.message.contains(QStringLiteral("999999")),
                 qPrintable(unknownId.message));
    }

    void aCancelledRunResumesWithoutCountingTwice()
    {
        auto state = CensusState::open({});
        QVERIFY(state);
        ScanOptions options;
        options.topics = {QStringLiteral("accounts")};
        options.batchSize = 100;
        std::atomic_bool cancel{false};
        const auto stopped = onWorker<Result<ScanSummary>>([&] {
            return runScan(
                m_profile.kafkaSettings(), *m_inspector, **state, options,
                [&](const ScanProgress &p) {
                    if (p.scanned >= 500)
                        cancel = true;
                },
                cancel);
        });
        QVERIFY(stopped);
        QVERIFY(stopped->cancelled);
        QVERIFY(stopped->recordsRead >= 500 && stopped->recordsRead < 4000);
        QCOMPARE((*state)->load()->records(), stopped->recordsRead);

        const auto rest = scan(**state, options);
        QVERIFY(rest);
        QCOMPARE(stopped->recordsRead + rest->recordsRead, 4000);
        auto complete = CensusState::open({});
        QVERIFY(complete);
        QVERIFY(scan(**complete, options));
        QCOMPARE(censusCounts(*(*state)->load()), censusCounts(*(*complete)->load()));
        QCOMPARE((*state)->load()->records(), 4000);
    }
};

QTEST_GUILESS_MAIN(TestCensusScan)
#include "tst_censusscan.moc"
