#include "core/domain/rules.h"

#include <QJsonArray>

namespace kw {

namespace {

QString parameter(const QMap<QString, QString> &params, const QJsonObject &properties,
                  const QString &key)
{
    if (params.contains(key))
        return params.value(key);
    return properties.value(key).toString();
}

bool isValidKekName(const QString &name)
{
    if (name.isEmpty() || name.size() > 256)
        return false;
    const QChar first = name.front();
    if (!(first.isLetter() && first.unicode() < 128) && first != QLatin1Char('_'))
        return false;
    for (QChar c : name) {
        const bool ascii = c.unicode() < 128;
        if (!(ascii && (c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-'))))
            return false;
    }
    return true;
}

void readRules(const QJsonArray &rules, const QString &wantedType, EncryptionRule::Type type,
               const QJsonObject &properties, RuleSet &out)
{
    for (const QJsonValue &v : rules) {
        const QJsonObject r = v.toObject();
        if (r.value(QStringLiteral("type")).toString() != wantedType)
            continue;
        EncryptionRule rule;
        rule.type = type;
        rule.name = r.value(QStringLiteral("name")).toString();
        rule.mode = r.value(QStringLiteral("mode")).toString(QStringLiteral("WRITEREAD"));
        rule.disabled = r.value(QStringLiteral("disabled")).toBool(false);
        rule.onFailure = r.value(QStringLiteral("onFailure")).toString();
        for (const QJsonValue &t : r.value(QStringLiteral("tags")).toArray())
            rule.tags.append(t.toString());
        const QJsonObject params = r.value(QStringLiteral("params")).toObject();
        for (auto it = params.begin(); it != params.end(); ++it)
            rule.params.insert(it.key(), it.value().toString());

        const QString ruleLabel = rule.name.isEmpty() ? wantedType : rule.name;
        rule.kekName = parameter(rule.params, properties, QStringLiteral("encrypt.kek.name"));
        rule.kmsType = parameter(rule.params, properties, QStringLiteral("encrypt.kms.type"));
        rule.kmsKeyId = parameter(rule.params, properties, QStringLiteral("encrypt.kms.key.id"));
        if (!isValidKekName(rule.kekName)) {
            out.problems.append(makeError(
                QStringLiteral("rules.bad_kek_name"),
                QStringLiteral("Rule '%1' has no valid encrypt.kek.name ('%2'); set it in the "
                               "rule's params or the schema's metadata properties.")
                    .arg(ruleLabel, rule.kekName)));
            continue;
        }
        const QString algorithm =
            parameter(rule.params, properties, QStringLiteral("encrypt.dek.algorithm"));
        if (!algorithm.isEmpty()) {
            const auto parsed = parseAlgorithm(algorithm);
            if (!parsed) {
                out.problems.append(
                    makeError(QStringLiteral("rules.bad_algorithm"),
                              QStringLiteral("Rule '%1' names the unknown DEK algorithm '%2' "
                                             "(expected AES128_GCM, AES256_GCM or AES256_SIV).")
                                  .arg(ruleLabel, algorithm)));
                continue;
            }
            rule.algorithm = *parsed;
        }
        const QString expiry =
            parameter(rule.params, properties, QStringLiteral("encrypt.dek.expiry.days"));
        if (!expiry.isEmpty()) {
            bool ok = false;
            const int days = expiry.toInt(&ok);
            if (!ok || days < 0) {
                out.problems.append(
                    makeError(QStringLiteral("rules.bad_expiry"),
                              QStringLiteral("Rule '%1' has encrypt.dek.expiry.days '%2'; it must "
                                             "be a non-negative whole number.")
                                  .arg(ruleLabel, expiry)));
                continue;
            }
            rule.expiryDays = days;
        }
        if (type == EncryptionRule::Type::Payload)
            out.payloadRules.append(rule);
        else
            out.fieldRules.append(rule);
    }
}

} // namespace

bool EncryptionRule::appliesOnRead() const
{
    return !disabled && (mode == QLatin1String("WRITEREAD") || mode == QLatin1String("READ"));
}

bool EncryptionRule::appliesOnWrite() const
{
    return !disabled && (mode == QLatin1String("WRITEREAD") || mode == QLatin1String("WRITE"));
}

bool EncryptionRule::coversTags(const QStringList &fieldTags) const
{
    if (tags.isEmpty())
        return true;
    for (const QString &t : fieldTags)
        if (tags.contains(t))
            return true;
    return false;
}

bool RuleSet::runsOnClient() const
{
    return enableAt.isEmpty() || enableAt == QLatin1String("ALL") ||
           enableAt == QLatin1String("CLIENT");
}

MetadataTags metadataTags(const QJsonObject &metadata)
{
    MetadataTags tags;
    const QJsonObject o = metadata.value(QStringLiteral("tags")).toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        QStringList list;
        for (const QJsonValue &v : it.value().toArray())
            list.append(v.toString());
        tags.insert(it.key(), list);
    }
    return tags;
}

RuleSet parseRuleSet(const QJsonObject &ruleSet, const QJsonObject &metadata)
{
    RuleSet out;
    out.enableAt = ruleSet.value(QStringLiteral("enableAt")).toString();
    const QJsonObject properties = metadata.value(QStringLiteral("properties")).toObject();
    readRules(ruleSet.value(QStringLiteral("domainRules")).toArray(), QStringLiteral("ENCRYPT"),
              EncryptionRule::Type::Field, properties, out);
    readRules(ruleSet.value(QStringLiteral("encodingRules")).toArray(),
              QStringLiteral("ENCRYPT_PAYLOAD"), EncryptionRule::Type::Payload, properties, out);
    return out;
}

} // namespace kw
