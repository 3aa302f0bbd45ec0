// The demo estate as an admin would find it: KEKs across kms types, subjects whose DEK
// versions span 18 months (some overdue, some never rotated), more than 50,000 records read
// back over the Kafka protocol, each decrypted by the engine with the DEK version that was
// current when it was written; damaged records and cloud KEKs fail with precise reasons.

#include "core/crypto/crypto.h"
#include "core/engine/recorddecryptor.h"
#include "core/kms/kms.h"
#include "core/sandbox/mockkafkacluster.h"
#include "core/sandbox/sandbox.h"
#include "core/sandbox/sandboxstore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include <librdkafka/rdkafka.h>

using namespace kw;

namespace {

constexpr qint64 kDayMs = 86'400'000;

struct Consumed
{
    QString topic;
    qint64 timestamp = 0;
    QByteArray value;
    QList<serde::RecordHeader> headers;
};

QList<Consumed> consumeAll(const QString &bootstrap, const QStringList &topics)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.toUtf8().constData(), errstr,
                      sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", "tst_demoestate", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!consumer)
        return {};

    // Partition counts from the broker's metadata, then every partition from the start.
    const rd_kafka_metadata_t *md = nullptr;
    rd_kafka_metadata(consumer, 1, nullptr, &md, 10000);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(64);
    int partitions = 0;
    for (int t = 0; md && t < md->topic_cnt; ++t) {
        if (!topics.contains(QString::fromUtf8(md->topics[t].topic)))
            continue;
        for (int p = 0; p < md->topics[t].partition_cnt; ++p, ++partitions)
            rd_kafka_topic_partition_list_add(parts, md->topics[t].topic,
                                              md->topics[t].partitions[p].id)
                ->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_assign(consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);

    QList<Consumed> out;
    int eofs = 0;
    QElapsedTimer timer;
    timer.start();
    while (eofs < partitions && timer.elapsed() < 60000) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 500);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            ++eofs;
        } else if (!m->err) {
            Consumed c;
            c.topic = QString::fromUtf8(rd_kafka_topic_name(m->rkt));
            rd_kafka_timestamp_type_t type;
            c.timestamp = rd_kafka_message_timestamp(m, &type);
            c.value = QByteArray(static_cast<const char *>(m->payload), qsizetype(m->len));
            rd_kafka_headers_t *headers = nullptr;
            if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char *name = nullptr;
                const void *value = nullptr;
                size_t size = 0;
                for (size_t i = 0; !rd_kafka_header_get_all(headers, i, &name, &value, &size); ++i)
                    c.headers.append({QByteArray(name), QByteArray(static_cast<const char *>(value),
                                                                   qsizetype(size))});
            }
            out.append(c);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    return out;
}

bool hasHeader(const Consumed &c, const QByteArray &key)
{
    return std::any_of(c.headers.cbegin(), c.headers.cend(),
                       [&](const serde::RecordHeader &h) { return h.key == key; });
}

} // namespace

class TestDemoEstate : public QObject
{
    Q_OBJECT

private:
    sandbox::Sandbox m_sandbox;
    qint64 m_started = 0;

private Q_SLOTS:
    void initTestCase()
    {
        m_started = QDateTime::currentMSecsSinceEpoch();
        QElapsedTimer timer;
        timer.start();
        sandbox::SandboxOptions options;
        options.seed = QStringLiteral("demo");
        auto started = m_sandbox.start(options);
        QVERIFY2(started, qPrintable(started.error().message));
        qInfo("demo sandbox ready in %lld ms", static_cast<long long>(timer.elapsed()));
    }

    void keksAcrossKmsTypes()
    {
        auto store = m_sandbox.store();
        auto names = store->listKeks({}, true);
        QVERIFY(names);
        QVERIFY(names->size() >= 6);
        QSet<QString> types;
        int shared = 0, deleted = 0;
        for (const QString &name : *names) {
            auto kek = store->getKek(name, true);
            QVERIFY(kek);
            types.insert(kek->kmsType);
            shared += kek->shared;
            deleted += kek->deleted;
        }
        QCOMPARE(types, (QSet<QString>{QStringLiteral("local-kms"), QStringLiteral("aws-kms"),
                                       QStringLiteral("gcp-kms"), QStringLiteral("azure-kms"),
                                       QStringLiteral("hcvault")}));
        QVERIFY(shared >= 1);
        QCOMPARE(deleted, 1);
        // The soft-deleted KEK is hidden unless deleted ones are asked for.
        QCOMPARE(store->listKeks({}, false)->size(), names->size() - 1);
    }

    void subjectsRulesAndDekHistory()
    {
        auto store = m_sandbox.store();
        auto subjects = store->listSubjects({}, false);
        QVERIFY(subjects && subjects->size() >= 15);
        QSet<QString> schemaTypes;
        bool payloadRule = false;
        for (const QString &s : *subjects) {
            auto latest = store->getSubjectVersion(s, sandbox::SandboxStore::LatestVersion, false);
            QVERIFY(latest);
            schemaTypes.insert(latest->schemaType);
            payloadRule = payloadRule || latest->ruleSet.contains(QStringLiteral("encodingRules"));
        }
        QVERIFY(schemaTypes.contains(QStringLiteral("AVRO")) &&
                schemaTypes.contains(QStringLiteral("JSON")));
        QVERIFY(payloadRule);

        // DEK versions are spread over ~18 months; one subject rotates monthly and is overdue,
        // one has never rotated.
        qint64 oldest = std::numeric_limits<qint64>::max(), newest = 0;
        const auto versionsOf = [&](const QString &kek, const QString &subject,
                                    const QString &alg) {
            return store->listDekVersions(kek, subject, alg, true);
        };
        const QStringList keks = *store->listKeks({}, true);
        for (const QString &kek : keks) {
            const QStringList subjectsOfKek = *store->listDekSubjects(kek, true);
            for (const QString &subject : subjectsOfKek)
                for (const QString &alg :
                     {QStringLiteral("AES128_GCM"), QStringLiteral("AES256_GCM"),
                      QStringLiteral("AES256_SIV")}) {
                    const QList<int> versions = *versionsOf(kek, subject, alg);
                    for (int v : versions) {
                        auto dek = store->getDek(kek, subject, v, alg, true);
                        QVERIFY(dek);
                        oldest = std::min(oldest, dek->ts);
                        newest = std::max(newest, dek->ts);
                    }
                }
        }
        QVERIFY2(m_started - oldest >= 500 * kDayMs, "the oldest DEK is not ~18 months old");
        QVERIFY(m_started - newest <= 10 * kDayMs);

        auto transfers = versionsOf(QStringLiteral("retail-pii"), QStringLiteral("transfers-value"),
                                    QStringLiteral("AES256_GCM"));
        QVERIFY(transfers && transfers->size() >= 12);
        auto latestTransfer =
            store->getDek(QStringLiteral("retail-pii"), QStringLiteral("transfers-value"), -1,
                          QStringLiteral("AES256_GCM"), false);
        QVERIFY(latestTransfer);
        QVERIFY2((m_started - latestTransfer->ts) / kDayMs >= 30,
                 "transfers-value should be overdue (30-day expiry)");
        // A retired version is soft-deleted, still listed with deleted=true.
        QVERIFY(versionsOf(QStringLiteral("retail-pii"), QStringLiteral("transfers-value"),
                           QStringLiteral("AES256_GCM"))
                    ->contains(3));
        QVERIFY(!store
                     ->listDekVersions(QStringLiteral("retail-pii"),
                                       QStringLiteral("transfers-value"),
                                       QStringLiteral("AES256_GCM"), false)
                     ->contains(3));
        QCOMPARE(*versionsOf(QStringLiteral("retail-pii"), QStringLiteral("accounts-value"),
                             QStringLiteral("AES256_GCM")),
                 QList<int>{1});
    }

    // The Vault KEKs' DEKs go through the hcvault driver to the sandbox's Vault double: the
    // loans DEKs unwrap; loans-vault-archive's one DEK is refused as the key's
    // min_decryption_version is above the version that wrapped it.
    void vaultDeksUnwrapThroughTheDouble()
    {
        auto store = m_sandbox.store();
        const kms::KmsRegistry registry = kms::KmsRegistry::withBuiltInDrivers();
        const auto unwrapFirst = [&](const QString &kekName) -> Result<QByteArray> {
            auto kek = store->getKek(kekName, false);
            if (!kek)
                return kek.error();
            const QStringList subjects = *store->listDekSubjects(kekName, false);
            if (subjects.isEmpty())
                return makeError(QStringLiteral("test.no_dek"), kekName);
            auto dek =
                store->getDek(kekName, subjects.first(), 1, QStringLiteral("AES256_GCM"), false);
            if (!dek)
                return dek.error();
            const kms::KekRef ref{kek->name, kek->kmsType, kek->kmsKeyId, kek->kmsProps,
                                  kek->shared};
            auto aead = registry.aeadFor(ref, m_sandbox.kmsSettings());
            if (!aead)
                return aead.error();
            QFuture<Result<QByteArray>> future = (*aead)->unwrap(dek->encryptedKeyMaterial);
            if (!QTest::qWaitFor([&] { return future.isFinished(); }, 30000))
                return makeError(QStringLiteral("test.timeout"), kekName);
            return future.result();
        };
        const auto loans = unwrapFirst(QStringLiteral("loans-vault"));
        QVERIFY2(loans, qPrintable(loans ? QString() : loans.error().message));
        QCOMPARE(loans->size(), 34); // the Tink AesGcmKey proto of a 256-bit key
        const auto archive = unwrapFirst(QStringLiteral("loans-vault-archive"));
        QVERIFY(!archive);
        QCOMPARE(archive.error().code, QString(kms::ErrorKeyDisabled));
        // One KEK of each cloud unwraps offline through its double; the second one's key is
        // revoked, and says so.
        for (const char *name : {"treasury-aws", "analytics-gcp"}) {
            const auto dek = unwrapFirst(QLatin1String(name));
            QVERIFY2(dek, qPrintable(QString::fromLatin1(name) + QStringLiteral(": ") +
                                     (dek ? QString() : dek.error().message)));
            QCOMPARE(dek->size(), 34);
        }
        for (const char *name : {"treasury-aws-retired", "analytics-gcp-archive"}) {
            const auto dek = unwrapFirst(QLatin1String(name));
            QVERIFY2(!dek, name);
            QVERIFY2(dek.error().code == QLatin1String(kms::ErrorKeyPendingDeletion),
                     qPrintable(QString::fromLatin1(name) + QStringLiteral(": ") +
                                dek.error().code + QStringLiteral(" ") + dek.error().message));
        }

        // The same for Azure: risk-azure's DEKs unwrap through the azure-kms driver and the
        // sandbox's Key Vault; risk-azure-2023's key is disabled.
        const auto risk = unwrapFirst(QStringLiteral("risk-azure"));
        QVERIFY2(risk, qPrintable(risk ? QString() : risk.error().message));
        QCOMPARE(risk->size(), 34);
        const auto risk2023 = unwrapFirst(QStringLiteral("risk-azure-2023"));
        QVERIFY(!risk2023);
        QCOMPARE(risk2023.error().code, QString(kms::ErrorKeyDisabled));
    }

    void recordsDecryptWithTheirTimesDek()
    {
        auto store = m_sandbox.store();
        const QList<Consumed> records =
            consumeAll(m_sandbox.bootstrapServers(), m_sandbox.cluster()->topics());
        QVERIFY2(records.size() >= 50000, qPrintable(QString::number(records.size())));

        auto kms = std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
        // Every KMS of the demo answers offline: local-kms and the sandbox's doubles. The
        // decryptor blocks on its KMS calls while the doubles answer on this thread: it runs
        // on a worker, this thread's event loop turning meanwhile.
        engine::RecordDecryptor decryptor(store, store, kms, m_sandbox.kmsSettings());
        QFuture<QList<engine::RecordOutcome>> decrypting =
            QtConcurrent::run([&records, &decryptor] {
                QList<engine::RecordOutcome> outcomes;
                outcomes.reserve(records.size());
                for (const Consumed &c : records) {
                    engine::RecordInput in;
                    in.topic = c.topic;
                    in.payload = c.value;
                    in.headers = c.headers;
                    outcomes.append(decryptor.decrypt(in));
                }
                crypto::releaseThreadState();
                return outcomes;
            });
        QTRY_VERIFY_WITH_TIMEOUT(decrypting.isFinished(), 600000);
        const QList<engine::RecordOutcome> outcomes = decrypting.result();
        QCOMPARE(outcomes.size(), records.size());
        int decrypted = 0, damagedFailed = 0, damaged = 0, revoked = 0, kekDeleted = 0,
            plainTopic = 0;
        QHash<QString, QMap<int, qint64>> versionTimes; // subject+alg -> version -> ts
        for (qsizetype i = 0; i < records.size(); ++i) {
            const Consumed &c = records.at(i);
            const engine::RecordOutcome &out = outcomes.at(i);
            const bool isDamaged = hasHeader(c, "demo-note");
            damaged += isDamaged;
            bool anyFailed = !out.ok();
            for (const engine::FieldOutcome &f : out.fields) {
                if (f.status == engine::FieldOutcome::Status::Failed) {
                    anyFailed = true;
                    if (f.error.code == QLatin1String(kms::ErrorKeyDisabled) ||
                        f.error.code == QLatin1String(kms::ErrorKeyPendingDeletion))
                        ++revoked;
                }
                kekDeleted += f.kekDeleted;
            }
            if (isDamaged) {
                damagedFailed += anyFailed;
                continue;
            }
            if (out.fields.isEmpty() && !out.payload) {
                ++plainTopic;
                QVERIFY(out.ok());
                continue;
            }
            if (anyFailed)
                continue;
            ++decrypted;
            // The DEK version used is the one current when the record was written: created at
            // or before the record, and the next version (if any) created after it.
            const engine::FieldOutcome &f = out.payload ? *out.payload : out.fields.first();
            auto dek = store->getDek(f.kekName, out.dekSubject, f.dekVersion, f.algorithm, true);
            QVERIFY(dek);
            if (f.kekName != QLatin1String("legacy-crm") &&
                !(f.kekName == QLatin1String("retail-pii") &&
                  out.dekSubject == QLatin1String("transfers-value"))) {
                QVERIFY2(dek->ts <= c.timestamp, qPrintable(out.dekSubject));
                auto next =
                    store->getDek(f.kekName, out.dekSubject, f.dekVersion + 1, f.algorithm, true);
                if (next)
                    QVERIFY2(next->ts > c.timestamp, qPrintable(out.dekSubject));
            }
        }
        qInfo("%lld records: %d decrypted, %d damaged (%d failed), %d fields under revoked KMS "
              "keys, %d with a deleted KEK, %d plain",
              static_cast<long long>(records.size()), decrypted, damaged, damagedFailed, revoked,
              kekDeleted, plainTopic);
        QVERIFY(decrypted > 40000);
        QVERIFY(damaged >= 20);
        QVERIFY2(
            damagedFailed >= damaged - 2,
            "damaged records must fail, each with a reason"); // a flipped bit may hit a plain field
        // loan-archive (60), fra-trades (40), sessions-archive (40) and risk-scores-2023 (40):
        // one field or more each.
        QVERIFY2(revoked >= 180, qPrintable(QString::number(revoked)));
        QVERIFY(kekDeleted >= 1000); // every crm-contacts record, not just the first
        QVERIFY(plainTopic > 0);
        const auto stats = decryptor.cacheStats();
        // One KMS unwrap per DEK version that local-kms can open, never one per record.
        QVERIFY(stats.kmsUnwraps > 10 && stats.kmsUnwraps < 200);
    }
};

QTEST_GUILESS_MAIN(TestDemoEstate)
#include "tst_demoestate.moc"
