#pragma once
// Schema rules as the registry stores them (domainRules / encodingRules entries of a ruleSet),
// built in a line: RuleJson::encrypt("kek-a", {"PII"}).expiryDays("90").mode("WRITE").
// Only what a test sets is in the JSON, so a test of defaults leaves fields out.

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace kw::testing {

class RuleJson
{
public:
    // An ENCRYPT (field level) rule over the fields tagged `tags`, its DEKs wrapped by `kek`
    // (empty: no encrypt.kek.name, to be found in the schema's metadata or missing).
    static RuleJson encrypt(const QString &kek, const QStringList &tags = {})
    {
        return RuleJson(QStringLiteral("ENCRYPT"), kek).tags(tags);
    }
    // An ENCRYPT_PAYLOAD (whole-payload) rule.
    static RuleJson payload(const QString &kek)
    {
        return RuleJson(QStringLiteral("ENCRYPT_PAYLOAD"), kek);
    }

    RuleJson &name(const QString &value) { return set(QStringLiteral("name"), value); }
    RuleJson &kind(const QString &value) { return set(QStringLiteral("kind"), value); }
    RuleJson &mode(const QString &value) { return set(QStringLiteral("mode"), value); }
    RuleJson &onFailure(const QString &value) { return set(QStringLiteral("onFailure"), value); }
    RuleJson &disabled(bool value = true) { return set(QStringLiteral("disabled"), value); }
    RuleJson &tags(const QStringList &value)
    {
        return set(QStringLiteral("tags"), QJsonArray::fromStringList(value));
    }
    RuleJson &param(const QString &key, const QString &value)
    {
        m_params.insert(key, value);
        return *this;
    }
    RuleJson &params(const QJsonObject &more)
    {
        for (auto it = more.begin(); it != more.end(); ++it)
            m_params.insert(it.key(), it.value());
        return *this;
    }
    RuleJson &algorithm(const QString &value)
    {
        return param(QStringLiteral("encrypt.dek.algorithm"), value);
    }
    RuleJson &expiryDays(const QString &value)
    {
        return param(QStringLiteral("encrypt.dek.expiry.days"), value);
    }

    [[nodiscard]] QJsonObject json() const
    {
        QJsonObject rule = m_rule;
        rule.insert(QStringLiteral("params"), m_params);
        return rule;
    }
    operator QJsonObject() const { return json(); } // NOLINT: reads as the JSON it builds

private:
    RuleJson(const QString &type, const QString &kek)
    {
        m_rule.insert(QStringLiteral("type"), type);
        if (!kek.isEmpty())
            m_params.insert(QStringLiteral("encrypt.kek.name"), kek);
    }
    RuleJson &set(const QString &key, const QJsonValue &value)
    {
        m_rule.insert(key, value);
        return *this;
    }

    QJsonObject m_rule;
    QJsonObject m_params;
};

// A schema's ruleSet with these domain (field) and encoding (payload) rules.
inline QJsonObject ruleSet(const QList<QJsonObject> &domainRules,
                           const QList<QJsonObject> &encodingRules = {})
{
    QJsonObject set;
    auto array = [](const QList<QJsonObject> &rules) {
        QJsonArray a;
        for (const QJsonObject &r : rules)
            a.append(r);
        return a;
    };
    if (!domainRules.isEmpty())
        set.insert(QStringLiteral("domainRules"), array(domainRules));
    if (!encodingRules.isEmpty())
        set.insert(QStringLiteral("encodingRules"), array(encodingRules));
    return set;
}

} // namespace kw::testing
