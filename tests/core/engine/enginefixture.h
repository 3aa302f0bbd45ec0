#pragma once
// Builders shared by the engine tests: the official Confluent test-vector setup (spec §4.5)
// and small schemas with ENCRYPT rules.

#include "engine/memoryregistry.h"
#include "kms/kms.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace kwtest {

inline QByteArray bytesFromDecimal(std::initializer_list<int> values)
{
    QByteArray out;
    for (int v : values)
        out.append(char(v));
    return out;
}

inline QJsonObject encryptRule(const QString &kek, const QStringList &tags, QJsonObject params = {},
                               const QString &type = QStringLiteral("ENCRYPT"))
{
    params.insert(QStringLiteral("encrypt.kek.name"), kek);
    return {{QStringLiteral("name"), QString(QStringLiteral("encrypt-") + kek)},
            {QStringLiteral("kind"), QStringLiteral("TRANSFORM")},
            {QStringLiteral("mode"), QStringLiteral("WRITEREAD")},
            {QStringLiteral("type"), type},
            {QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
            {QStringLiteral("params"), params},
            {QStringLiteral("onFailure"), QStringLiteral("ERROR,NONE")}};
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

inline kw::kms::KmsConfig secret(const QString &s)
{
    return {{QStringLiteral("secret"), s}};
}

} // namespace kwtest
