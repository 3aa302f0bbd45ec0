#include "core/domain/registrytypes.h"

#include <QJsonArray>

namespace kw::registry {

namespace {

Error badField(const QString &entity, const QString &field)
{
    return makeError(
        QStringLiteral("registry.malformed_reply"),
        QStringLiteral(
            "The registry returned a %1 whose field '%2' is missing or not of the expected type.")
            .arg(entity, field));
}

bool readString(const QJsonObject &o, const char *key, QString &out, bool required)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return !required;
    if (!v.isString())
        return false;
    out = v.toString();
    return true;
}

bool readBase64(const QJsonObject &o, const char *key, QByteArray &out)
{
    QString text;
    if (!readString(o, key, text, false))
        return false;
    if (text.isEmpty())
        return true;
    auto decoded =
        QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return false;
    out = *decoded;
    return true;
}

bool readInt64(const QJsonObject &o, const char *key, qint64 &out)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isDouble())
        return false;
    out = v.toInteger();
    return true;
}

bool readBool(const QJsonObject &o, const char *key, bool &out)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isBool())
        return false;
    out = v.toBool();
    return true;
}

} // namespace

QJsonObject Kek::toJson() const
{
    QJsonObject props;
    for (auto it = kmsProps.cbegin(); it != kmsProps.cend(); ++it)
        props.insert(it.key(), it.value());
    QJsonObject o{{QStringLiteral("name"), name},         {QStringLiteral("kmsType"), kmsType},
                  {QStringLiteral("kmsKeyId"), kmsKeyId}, {QStringLiteral("kmsProps"), props},
                  {QStringLiteral("shared"), shared},     {QStringLiteral("ts"), ts}};
    if (!doc.isEmpty())
        o.insert(QStringLiteral("doc"), doc);
    if (deleted)
        o.insert(QStringLiteral("deleted"), true);
    return o;
}

Result<Kek> Kek::fromJson(const QJsonObject &json)
{
    Kek k;
    const QString entity = QStringLiteral("KEK");
    if (!readString(json, "name", k.name, true))
        return badField(entity, QStringLiteral("name"));
    if (!readString(json, "kmsType", k.kmsType, true))
        return badField(entity, QStringLiteral("kmsType"));
    if (!readString(json, "kmsKeyId", k.kmsKeyId, true))
        return badField(entity, QStringLiteral("kmsKeyId"));
    if (!readString(json, "doc", k.doc, false))
        return badField(entity, QStringLiteral("doc"));
    const QJsonValue props = json.value(QStringLiteral("kmsProps"));
    if (props.isObject()) {
        const QJsonObject po = props.toObject();
        for (auto it = po.begin(); it != po.end(); ++it) {
            if (!it.value().isString())
                return badField(entity, QStringLiteral("kmsProps.") + it.key());
            k.kmsProps.insert(it.key(), it.value().toString());
        }
    } else if (!props.isUndefined() && !props.isNull()) {
        return badField(entity, QStringLiteral("kmsProps"));
    }
    if (!readBool(json, "shared", k.shared))
        return badField(entity, QStringLiteral("shared"));
    if (!readInt64(json, "ts", k.ts))
        return badField(entity, QStringLiteral("ts"));
    if (!readBool(json, "deleted", k.deleted))
        return badField(entity, QStringLiteral("deleted"));
    return k;
}

QJsonObject Dek::toJson() const
{
    QJsonObject o{{QStringLiteral("kekName"), kekName},
                  {QStringLiteral("subject"), subject},
                  {QStringLiteral("version"), version},
                  {QStringLiteral("algorithm"), algorithm},
                  {QStringLiteral("ts"), ts}};
    if (!encryptedKeyMaterial.isEmpty())
        o.insert(QStringLiteral("encryptedKeyMaterial"),
                 QString::fromLatin1(encryptedKeyMaterial.toBase64()));
    if (!keyMaterial.isEmpty())
        o.insert(QStringLiteral("keyMaterial"), QString::fromLatin1(keyMaterial.toBase64()));
    if (deleted)
        o.insert(QStringLiteral("deleted"), true);
    return o;
}

Result<Dek> Dek::fromJson(const QJsonObject &json)
{
    Dek d;
    const QString entity = QStringLiteral("DEK");
    if (!readString(json, "kekName", d.kekName, true))
        return badField(entity, QStringLiteral("kekName"));
    if (!readString(json, "subject", d.subject, true))
        return badField(entity, QStringLiteral("subject"));
    qint64 version = 1;
    if (!readInt64(json, "version", version) || version < INT_MIN || version > INT_MAX)
        return badField(entity, QStringLiteral("version"));
    d.version = int(version);
    d.algorithm = QStringLiteral("AES256_GCM");
    if (!readString(json, "algorithm", d.algorithm, false))
        return badField(entity, QStringLiteral("algorithm"));
    if (!readBase64(json, "encryptedKeyMaterial", d.encryptedKeyMaterial))
        return badField(entity, QStringLiteral("encryptedKeyMaterial"));
    if (!readBase64(json, "keyMaterial", d.keyMaterial))
        return badField(entity, QStringLiteral("keyMaterial"));
    if (!readInt64(json, "ts", d.ts))
        return badField(entity, QStringLiteral("ts"));
    if (!readBool(json, "deleted", d.deleted))
        return badField(entity, QStringLiteral("deleted"));
    return d;
}

QJsonObject Schema::toJson() const
{
    QJsonObject o{{QStringLiteral("schema"), schema}};
    if (id)
        o.insert(QStringLiteral("id"), id);
    if (!guid.isEmpty())
        o.insert(QStringLiteral("guid"), guid);
    if (!subject.isEmpty())
        o.insert(QStringLiteral("subject"), subject);
    if (version)
        o.insert(QStringLiteral("version"), version);
    if (schemaType != QLatin1String("AVRO"))
        o.insert(QStringLiteral("schemaType"), schemaType);
    if (!references.isEmpty()) {
        QJsonArray refs;
        for (const SchemaReference &r : references)
            refs.append(QJsonObject{{QStringLiteral("name"), r.name},
                                    {QStringLiteral("subject"), r.subject},
                                    {QStringLiteral("version"), r.version}});
        o.insert(QStringLiteral("references"), refs);
    }
    if (!metadata.isEmpty())
        o.insert(QStringLiteral("metadata"), metadata);
    if (!ruleSet.isEmpty())
        o.insert(QStringLiteral("ruleSet"), ruleSet);
    if (ts)
        o.insert(QStringLiteral("ts"), ts);
    if (deleted)
        o.insert(QStringLiteral("deleted"), true);
    return o;
}

Result<Schema> Schema::fromJson(const QJsonObject &json)
{
    Schema s;
    const QString entity = QStringLiteral("schema");
    if (!readString(json, "schema", s.schema, true))
        return badField(entity, QStringLiteral("schema"));
    qint64 n = 0;
    if (!readInt64(json, "id", n))
        return badField(entity, QStringLiteral("id"));
    s.id = int(n);
    n = 0;
    if (!readInt64(json, "version", n))
        return badField(entity, QStringLiteral("version"));
    s.version = int(n);
    if (!readString(json, "guid", s.guid, false) || !readString(json, "subject", s.subject, false))
        return badField(entity, QStringLiteral("guid/subject"));
    if (!readString(json, "schemaType", s.schemaType, false))
        return badField(entity, QStringLiteral("schemaType"));
    if (s.schemaType.isEmpty())
        s.schemaType = QStringLiteral("AVRO");
    const QJsonValue refs = json.value(QStringLiteral("references"));
    if (refs.isArray()) {
        for (const QJsonValue &r : refs.toArray()) {
            const QJsonObject ro = r.toObject();
            SchemaReference ref;
            ref.name = ro.value(QStringLiteral("name")).toString();
            ref.subject = ro.value(QStringLiteral("subject")).toString();
            ref.version = ro.value(QStringLiteral("version")).toInt();
            if (ref.subject.isEmpty())
                return badField(entity, QStringLiteral("references"));
            s.references.append(ref);
        }
    } else if (!refs.isUndefined() && !refs.isNull()) {
        return badField(entity, QStringLiteral("references"));
    }
    const QJsonValue md = json.value(QStringLiteral("metadata"));
    if (md.isObject())
        s.metadata = md.toObject();
    const QJsonValue rs = json.value(QStringLiteral("ruleSet"));
    if (rs.isObject())
        s.ruleSet = rs.toObject();
    if (!readInt64(json, "ts", s.ts) || !readBool(json, "deleted", s.deleted))
        return badField(entity, QStringLiteral("ts/deleted"));
    return s;
}

} // namespace kw::registry
