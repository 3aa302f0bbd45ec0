#pragma once
// The encryption rules of a schema version (ENCRYPT in domainRules, ENCRYPT_PAYLOAD in
// encodingRules), with their parameters resolved as Confluent's executors do: the rule's own
// params first, then the schema's metadata.properties.

#include "core/domain/dekalgorithm.h"
#include "core/domain/result.h"

#include <QJsonObject>
#include <QMap>
#include <QStringList>

namespace kw {

// Schema metadata.tags: field path pattern -> tags.
using MetadataTags = QMap<QString, QStringList>;

struct EncryptionRule
{
    enum class Type
    {
        Field,  // ENCRYPT (domain rule)
        Payload // ENCRYPT_PAYLOAD (encoding rule)
    };

    QString name;
    Type type = Type::Field;
    QString mode; // WRITEREAD when absent
    QStringList tags;
    QMap<QString, QString> params; // the rule's own params
    bool disabled = false;
    QString onFailure;

    // Resolved parameters.
    QString kekName;
    QString kmsType;  // empty unless set
    QString kmsKeyId; // empty unless set
    DekAlgorithm algorithm = DekAlgorithm::Aes256Gcm;
    int expiryDays = 0; // 0: no rotation, DEK version 1, no version prefix

    [[nodiscard]] bool appliesOnRead() const;
    [[nodiscard]] bool appliesOnWrite() const;
    // Whether the rule covers a field with these tags (a rule without tags covers every field).
    [[nodiscard]] bool coversTags(const QStringList &fieldTags) const;
};

struct RuleSet
{
    QList<EncryptionRule> fieldRules;   // in schema order
    QList<EncryptionRule> payloadRules; // in schema order
    QString enableAt;                   // empty, ALL, CLIENT, GATEWAY, SERVER or NONE
    // Rules that could not be used, each with why (bad parameter values, unknown algorithm).
    QList<Error> problems;

    // Clients run rules only when enableAt is absent, ALL or CLIENT.
    [[nodiscard]] bool runsOnClient() const;
    [[nodiscard]] bool isEmpty() const { return fieldRules.isEmpty() && payloadRules.isEmpty(); }
};

// Reads the encryption rules of a schema's ruleSet; other rule types are ignored. A rule with
// unusable parameters is left out and reported in RuleSet::problems.
RuleSet parseRuleSet(const QJsonObject &ruleSet, const QJsonObject &metadata);

// A schema's metadata.tags: field path patterns and the tags they add.
MetadataTags metadataTags(const QJsonObject &metadata);

} // namespace kw
