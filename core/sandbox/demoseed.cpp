// The "demo" seed: a bank's CSFLE estate. KEKs across kms types, 17 subjects whose DEK
// versions are spread over 18 months (created the way producers create them, at the time of
// each record), Avro, JSON Schema and Protobuf schemas with ENCRYPT rules and one
// ENCRYPT_PAYLOAD, and topics with more than 50,000 encrypted records, including corrupt and
// tampered ones and some under KEKs that cannot be unwrapped offline.

#include "core/sandbox/demoseed.h"

#include "core/domain/readyfuture.h"
#include "core/engine/recordencryptor.h"
#include "core/kms/localkms.h"
#include "core/sandbox/demoestate.h"
#include "core/sandbox/kmsdouble.h"
#include "core/sandbox/mockkafkacluster.h"
#include "core/sandbox/sandboxstore.h"
#include "core/serde/framing.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <algorithm>

Q_LOGGING_CATEGORY(lcDemoSeed, "keywarden.sandbox.demo")

namespace kw::sandbox {

namespace {

constexpr qint64 kDayMs = 24LL * 60 * 60 * 1000;

// Stands in for a cloud KMS or Vault while seeding: "wraps" a DEK into an opaque blob shaped
// like that provider's ciphertext, keeping no way back. The sandbox (and anyone else offline)
// can never unwrap these DEKs, as with a real cloud KEK seen from a laptop.
class OfflineKmsAead final : public kms::KmsAead
{
public:
    explicit OfflineKmsAead(QString kmsType)
        : m_kmsType(std::move(kmsType))
    {}

    QFuture<Result<QByteArray>> wrap(QByteArray) override
    {
        QByteArray blob;
        auto *rng = QRandomGenerator::system();
        const auto random = [&](int n) {
            QByteArray b(n, Qt::Uninitialized);
            for (char &c : b)
                c = char(rng->bounded(256));
            return b;
        };
        if (m_kmsType == QLatin1String("hcvault"))
            blob = QByteArray("vault:v1:") + random(62).toBase64();
        else if (m_kmsType == QLatin1String("azure-kms"))
            blob = random(256); // RSA-OAEP-256 output of a 2048-bit key
        else if (m_kmsType == QLatin1String("aws-kms"))
            blob = random(184); // a CiphertextBlob for a 34-byte plaintext
        else
            blob = random(110);
        return kw::readyFuture(Result<QByteArray>(blob));
    }

    QFuture<Result<QByteArray>> unwrap(QByteArray) override
    {
        return kw::readyFuture(Result<QByteArray>(
            makeError(QStringLiteral("kms.unavailable"),
                      QStringLiteral("The seeding KMS stand-in cannot unwrap."))));
    }

private:
    QString m_kmsType;
};

class OfflineKmsDriver final : public kms::KmsDriver
{
public:
    explicit OfflineKmsDriver(QString type)
        : m_type(std::move(type))
    {}
    QString kmsType() const override { return m_type; }
    kms::KmsDriverInfo info() const override
    {
        return {m_type, QStringLiteral("Offline stand-in for %1").arg(m_type), {}, true};
    }
    Result<std::shared_ptr<kms::KmsAead>> create(const kms::KekRef &,
                                                 const kms::KmsConfig &) const override
    {
        return std::shared_ptr<kms::KmsAead>(std::make_shared<OfflineKmsAead>(m_type));
    }

private:
    QString m_type;
};

// A store view the encryptor can own without owning the store.
std::shared_ptr<engine::KeySource> borrow(SandboxStore &store)
{
    return std::shared_ptr<engine::KeySource>(&store, [](engine::KeySource *) {});
}

// Spreads `count` record times over [startMs, endMs], oldest first, with a little jitter.
QList<qint64> recordTimes(int count, qint64 startMs, qint64 endMs, QRandomGenerator &rng)
{
    QList<qint64> times;
    times.reserve(count);
    const double step = count > 1 ? double(endMs - startMs) / (count - 1) : 0;
    for (int i = 0; i < count; ++i) {
        const qint64 jitter = step > 2 ? qint64(rng.bounded(int(std::min<double>(step, 1e9)))) : 0;
        times.append(std::min(endMs, startMs + qint64(i * step) + jitter));
    }
    std::sort(times.begin(), times.end());
    return times;
}

// Corrupts a copy of an encrypted record in one of the ways a real topic can hold.
QByteArray damage(const QByteArray &record, int kind, QRandomGenerator &rng)
{
    QByteArray out = record;
    switch (kind % 5) {
    case 0: // one flipped bit deep inside the body: tampered ciphertext or broken Avro
        if (out.size() > 12)
            out[out.size() - 1 - int(rng.bounded(8))] = char(out.at(out.size() - 1) ^ 0x04);
        break;
    case 1: // truncated in transit
        out.truncate(std::max<qsizetype>(6, out.size() / 2));
        break;
    case 2: // a schema id the registry does not have
        if (out.size() > 5)
            out[4] = char(0x7f), out[3] = char(0x3a);
        break;
    case 3: // not written by a Schema Registry serializer at all
        out = QByteArray("{\"legacy\":true,\"note\":\"plain JSON from an old producer\"}");
        break;
    default: // a body replaced by random bytes behind a valid prefix
        for (qsizetype i = 5; i < out.size(); ++i)
            out[i] = char(rng.bounded(256));
        break;
    }
    return out;
}

} // namespace

Result<void> seedDemo(SandboxStore &store, MockKafkaCluster &cluster, const QString &localSecret,
                      const Clock &clock, const QList<std::shared_ptr<KmsDouble>> &kmsDoubles)
{
    QElapsedTimer timer;
    timer.start();
    const qint64 nowMs = clock.nowMs();
    ManualClock seedClock(nowMs - 550 * kDayMs);
    store.setClock(seedClock);
    struct RestoreClock
    {
        SandboxStore &store;
        const Clock &clock;
        ~RestoreClock() { store.setClock(clock); }
    } restore{store, clock};

    auto kmsRegistry = std::make_shared<kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
    for (const char *type : {"aws-kms", "gcp-kms", "azure-kms", "hcvault"})
        kmsRegistry->add(std::make_shared<OfflineKmsDriver>(QLatin1String(type)));
    for (const auto &kms : kmsDoubles)
        kmsRegistry->add(kms->seedingDriver()); // replaces the offline stand-in of its type
    const kms::KmsSettings kmsSettings{
        {QStringLiteral("local-kms"), {{QString(kms::LocalKmsDriver::SecretKey), localSecret}}}};

    const DemoEstate estate = demoEstate();
    for (const registry::Kek &kek : estate.keks) {
        if (auto created = store.createKek(kek); !created)
            return makeError(
                created.error().code,
                QStringLiteral("Demo KEK '%1': %2").arg(kek.name, created.error().message));
    }
    QHash<QString, registry::Schema> registered;
    for (const DemoSubject &subject : estate.subjects) {
        for (const registry::Schema &version : subject.versions) {
            auto schema = store.registerSchema(subject.subject, version);
            if (!schema)
                return makeError(schema.error().code,
                                 QStringLiteral("Demo subject '%1': %2")
                                     .arg(subject.subject, schema.error().message));
            registered.insert(subject.subject, *schema);
        }
    }

    engine::RecordEncryptor encryptor(borrow(store), kmsRegistry, kmsSettings, seedClock);
    QRandomGenerator rng(20261122);
    QList<MockRecord> batch;
    int produced = 0, damaged = 0;
    for (const DemoTopic &topic : estate.topics) {
        if (auto created = cluster.createTopic(topic.name, topic.partitions); !created)
            return created.error();
        const registry::Schema &schema = registered.value(topic.subject);
        const QList<qint64> times = recordTimes(topic.records, nowMs - topic.firstDaysAgo * kDayMs,
                                                nowMs - topic.lastDaysAgo * kDayMs, rng);
        for (int i = 0; i < times.size(); ++i) {
            seedClock.setNowMs(times.at(i));
            const DemoValue value = topic.make(i, rng);
            auto bytes = encryptor.encrypt(schema, topic.subject, value.value);
            if (!bytes)
                return makeError(bytes.error().code,
                                 QStringLiteral("Demo record %1 of topic '%2': %3")
                                     .arg(i)
                                     .arg(topic.name, bytes.error().message));
            MockRecord record;
            record.topic = topic.name;
            record.key = value.key.toUtf8();
            record.value = *bytes;
            record.timestampMs = times.at(i);
            record.headers.append({QByteArrayLiteral("source"), topic.source.toUtf8()});
            if (topic.damagedEvery > 0 && i % topic.damagedEvery == topic.damagedEvery / 2) {
                record.value = damage(record.value, damaged++, rng);
                record.headers.append(
                    {QByteArrayLiteral("demo-note"), QByteArrayLiteral("damaged on purpose")});
            }
            batch.append(record);
        }
        produced += times.size();
        if (batch.size() >= 20000) {
            if (auto sent = cluster.produce(batch); !sent)
                return sent.error();
            batch.clear();
        }
    }
    if (!batch.isEmpty()) {
        if (auto sent = cluster.produce(batch); !sent)
            return sent.error();
    }

    // After the traffic: retire what a bank retires.
    seedClock.setNowMs(nowMs - 40 * kDayMs);
    for (const DemoDeletion &d : estate.deletions) {
        Result<void> r =
            d.kind == DemoDeletion::Kind::DekSubject
                ? store.deleteDekVersions(d.kek, d.subject, d.algorithm, false)
            : d.kind == DemoDeletion::Kind::DekVersion
                ? store.deleteDekVersion(d.kek, d.subject, d.version, d.algorithm, false)
                : store.deleteKek(d.kek, false);
        if (!r)
            return makeError(
                r.error().code,
                QStringLiteral("Demo deletion of %1: %2").arg(d.kek, r.error().message));
    }

    qCInfo(lcDemoSeed,
           "demo seed: %d KEKs, %lld subjects, %d DEKs created, %d records (%d damaged) in %lld ms",
           int(estate.keks.size()), static_cast<long long>(estate.subjects.size()),
           encryptor.createdDeks(), produced, damaged, static_cast<long long>(timer.elapsed()));
    return {};
}

} // namespace kw::sandbox
