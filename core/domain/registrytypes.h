#pragma once
// Value types for what the Schema Registry and its DEK Registry return (KEKs, DEKs, schemas),
// parsed from and written to their exact REST JSON shapes.

#include "core/domain/result.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

namespace kw::registry {

struct Kek
{
    QString name;
    QString kmsType;
    QString kmsKeyId;
    QMap<QString, QString> kmsProps;
    QString doc;
    bool shared = false;
    qint64 ts = 0;
    bool deleted = false;

    [[nodiscard]] QJsonObject toJson() const;
    static Result<Kek> fromJson(const QJsonObject &json);
};

struct Dek
{
    QString kekName;
    QString subject;
    int version = 1;
    QString algorithm;               // AES128_GCM, AES256_GCM or AES256_SIV as the server spells it
    QByteArray encryptedKeyMaterial; // decoded from base64; empty when absent
    QByteArray keyMaterial;          // decoded; only present for shared KEKs
    qint64 ts = 0;
    bool deleted = false;

    [[nodiscard]] QJsonObject toJson() const;
    static Result<Dek> fromJson(const QJsonObject &json);
};

struct SchemaReference
{
    QString name;
    QString subject;
    int version = 0;
    bool operator==(const SchemaReference &) const = default;
};

struct Schema
{
    int id = 0;
    QString guid;
    QString subject;
    int version = 0;
    QString schemaType = QStringLiteral("AVRO"); // missing means AVRO
    QString schema;
    QList<SchemaReference> references;
    QJsonObject metadata;
    QJsonObject ruleSet;
    qint64 ts = 0;
    bool deleted = false;

    [[nodiscard]] QJsonObject toJson() const;
    static Result<Schema> fromJson(const QJsonObject &json);
};

} // namespace kw::registry
