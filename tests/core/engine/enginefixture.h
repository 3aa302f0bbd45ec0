#pragma once
// Builders shared by the engine tests: the official Confluent test-vector setup (spec §4.5)
// and small schemas with ENCRYPT rules.

#include "core/engine/memoryregistry.h"
#include "core/engine/recordencryptor.h"
#include "core/kms/kms.h"
#include "support/rules.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>

namespace kwtest {

inline QByteArray bytesFromDecimal(std::initializer_list<int> values)
{
    QByteArray out;
    for (int v : values)
        out.append(char(v));
    return out;
}

// A rule as Confluent's clients write it: named after its KEK, WRITEREAD, ERROR,NONE.
inline QJsonObject encryptRule(const QString &kek, const QStringList &tags,
                               const QJsonObject &params = {},
                               const QString &type = QStringLiteral("ENCRYPT"))
{
    using kw::testing::RuleJson;
    RuleJson rule = type == QLatin1String("ENCRYPT_PAYLOAD") ? RuleJson::payload(kek)
                                                             : RuleJson::encrypt(kek, tags);
    if (type == QLatin1String("ENCRYPT_PAYLOAD"))
        rule.tags(tags);
    return rule.name(QStringLiteral("encrypt-") + kek)
        .kind(QStringLiteral("TRANSFORM"))
        .mode(QStringLiteral("WRITEREAD"))
        .onFailure(QStringLiteral("ERROR,NONE"))
        .params(params)
        .json();
}

inline kw::registry::Schema f1Schema(const QJsonObject &ruleParams = {})
{
    kw::registry::Schema s;
    s.id = 1;
    s.subject = QStringLiteral("topic1-value");
    s.version = 1;
    s.schema = QStringLiteral(
        R"({"type":"record","name":"F1Schema","fields":[{"name":"f1","type":"string","confluent:tags":["PII"]}]})");
    s.ruleSet = QJsonObject{
        {QStringLiteral("domainRules"),
         QJsonArray{encryptRule(QStringLiteral("kek1"), {QStringLiteral("PII")}, ruleParams)}}};
    return s;
}

inline kw::registry::Kek localKek(const QString &name, bool shared = false)
{
    kw::registry::Kek k;
    k.name = name;
    k.kmsType = QStringLiteral("local-kms");
    k.kmsKeyId = QStringLiteral("mykey");
    k.shared = shared;
    return k;
}

inline kw::registry::Dek dek(const QString &kek, const QString &subject, int version,
                             const QString &algorithm, const QByteArray &encryptedKeyMaterialB64)
{
    kw::registry::Dek d;
    d.kekName = kek;
    d.subject = subject;
    d.version = version;
    d.algorithm = algorithm;
    d.encryptedKeyMaterial = QByteArray::fromBase64(encryptedKeyMaterialB64);
    return d;
}

inline std::shared_ptr<const kw::kms::KmsRegistry> builtInKms()
{
    return std::make_shared<const kw::kms::KmsRegistry>(kw::kms::KmsRegistry::withBuiltInDrivers());
}

inline kw::kms::KmsSettings secret(const QString &s)
{
    return {{QStringLiteral("local-kms"), {{QStringLiteral("secret"), s}}}};
}

// Records of topic1 written a month apart under a 30-day DEK expiry, into a registry that gets
// KEK kek1 and the schema: record i uses DEK version i + 1 and holds f1 = "i". Empty on failure.
inline QList<QByteArray> monthlyRecords(const std::shared_ptr<kw::engine::MemoryRegistry> &registry,
                                        int months)
{
    registry->addKek(localKek(QStringLiteral("kek1")));
    const kw::registry::Schema schema =
        f1Schema({{QStringLiteral("encrypt.dek.expiry.days"), QStringLiteral("30")}});
    registry->addSchema(schema);
    kw::ManualClock clock(1'600'000'000'000);
    kw::engine::RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s")), clock);
    QList<QByteArray> records;
    for (int month = 0; month < months; ++month) {
        registry->setNowMs(clock.nowMs());
        auto bytes = enc.encrypt(schema, QStringLiteral("topic1-value"),
                                 QJsonObject{{QStringLiteral("f1"), QString::number(month)}});
        if (!bytes)
            return {};
        records.append(*bytes);
        clock.advanceMs(31 * 86'400'000LL);
    }
    return records;
}

// Counts the lookups that reach the registry.
class CountingRegistry : public kw::engine::SchemaSource, public kw::engine::KeySource
{
public:
    explicit CountingRegistry(std::shared_ptr<kw::engine::MemoryRegistry> inner)
        : m_inner(std::move(inner))
    {}
    QFuture<kw::Result<kw::registry::Schema>> schemaById(int id) override
    {
        ++schemaLookups;
        return m_inner->schemaById(id);
    }
    QFuture<kw::Result<kw::registry::Schema>> schemaByGuid(const QUuid &guid) override
    {
        ++schemaLookups;
        return m_inner->schemaByGuid(guid);
    }
    QFuture<kw::Result<kw::registry::Schema>> schemaVersion(const QString &subject,
                                                            int version) override
    {
        ++subjectLookups;
        return m_inner->schemaVersion(subject, version);
    }
    QFuture<kw::Result<kw::registry::Kek>> kek(const QString &name, bool includeDeleted) override
    {
        ++kekLookups;
        return m_inner->kek(name, includeDeleted);
    }
    QFuture<kw::Result<kw::registry::Dek>> dek(const QString &kekName, const QString &subject,
                                               int version, const QString &algorithm,
                                               bool includeDeleted) override
    {
        ++dekLookups;
        return m_inner->dek(kekName, subject, version, algorithm, includeDeleted);
    }
    QFuture<kw::Result<kw::registry::Dek>> createDek(const QString &kekName,
                                                     const kw::registry::Dek &request) override
    {
        return m_inner->createDek(kekName, request);
    }
    QFuture<kw::Result<QList<int>>> dekVersions(const QString &kekName, const QString &subject,
                                                const QString &algorithm,
                                                bool includeDeleted) override
    {
        ++versionListings;
        return m_inner->dekVersions(kekName, subject, algorithm, includeDeleted);
    }

    std::atomic_int schemaLookups{0};
    std::atomic_int subjectLookups{0};
    std::atomic_int kekLookups{0};
    std::atomic_int dekLookups{0};
    std::atomic_int versionListings{0};

private:
    std::shared_ptr<kw::engine::MemoryRegistry> m_inner;
};

} // namespace kwtest
