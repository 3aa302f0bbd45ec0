// SandboxStore: the Schema Registry half (schemas by id/guid, subjects and versions, soft and
// permanent deletes with Confluent's error codes). No compatibility checks are made.

#include "core/sandbox/registryerrors.h"
#include "core/sandbox/sandboxstore.h"
#include "core/serde/avroschema.h"
#include "core/serde/protobufschema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>

namespace kw::sandbox {

namespace {

const QStringList SchemaTypes{QStringLiteral("AVRO"), QStringLiteral("JSON"),
                              QStringLiteral("PROTOBUF")};
const QStringList CompatibilityLevels{
    QStringLiteral("BACKWARD"), QStringLiteral("BACKWARD_TRANSITIVE"),
    QStringLiteral("FORWARD"),  QStringLiteral("FORWARD_TRANSITIVE"),
    QStringLiteral("FULL"),     QStringLiteral("FULL_TRANSITIVE"),
    QStringLiteral("NONE")};
constexpr int MaxReferenceDepth = 32;

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString compact(const QJsonArray &a)
{
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

// Parses any JSON value (objects, arrays and scalars such as "string").
std::optional<QJsonValue> parseJsonValue(const QString &text, QString *error = nullptr)
{
    QJsonParseError parseError{};
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + QByteArray("]"), &parseError);
    if (parseError.error != QJsonParseError::NoError || doc.array().size() != 1) {
        if (error)
            *error = parseError.errorString();
        return std::nullopt;
    }
    return doc.array().first();
}

QJsonArray referencesJson(const QList<registry::SchemaReference> &refs)
{
    QJsonArray a;
    for (const registry::SchemaReference &r : refs)
        a.append(QJsonObject{{QStringLiteral("name"), r.name},
                             {QStringLiteral("subject"), r.subject},
                             {QStringLiteral("version"), r.version}});
    return a;
}

// What makes two registrations the same schema: type, text (JSON texts compared after
// normalising whitespace and key order), references, metadata and rule set.
QString canonicalKey(const registry::Schema &s)
{
    QString text = s.schema;
    if (s.schemaType != QLatin1String("PROTOBUF")) {
        if (const auto value = parseJsonValue(s.schema)) {
            const QByteArray wrapped =
                QJsonDocument(QJsonArray{*value}).toJson(QJsonDocument::Compact);
            text = QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
        }
    }
    return compact(QJsonObject{{QStringLiteral("type"), s.schemaType},
                               {QStringLiteral("schema"), text},
                               {QStringLiteral("references"), referencesJson(s.references)},
                               {QStringLiteral("metadata"), s.metadata},
                               {QStringLiteral("ruleSet"), s.ruleSet}});
}

Error subjectNotFound(const QString &subject)
{
    return registryError(ErrSubjectNotFound,
                         QStringLiteral("Subject '%1' not found.").arg(subject));
}

Error versionNotFound(int version)
{
    return registryError(ErrVersionNotFound, QStringLiteral("Version %1 not found.").arg(version));
}

Error schemaNotFound(const QString &what = {})
{
    return registryError(ErrSchemaNotFound, what.isEmpty()
                                                ? QStringLiteral("Schema not found")
                                                : QStringLiteral("Schema %1 not found").arg(what));
}

Error invalidSchema(const QString &detail)
{
    return registryError(ErrInvalidSchema, QStringLiteral("Invalid schema: %1").arg(detail));
}

Error referenceExists(const QString &subject, int version)
{
    return registryError(ErrReferenceExists,
                         QStringLiteral("One or more references exist to the schema "
                                        "{magic=1,keytype=SCHEMA,subject=%1,version=%2}.")
                             .arg(subject)
                             .arg(version));
}

bool isValidSubject(const QString &subject)
{
    return !subject.isEmpty() && std::none_of(subject.cbegin(), subject.cend(), [](QChar c) {
        return c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() <= 0x9f);
    });
}

} // namespace

// ---- rows ----

QList<SandboxStore::SubjectRow> SandboxStore::readSubject(const QString &subject)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT version, schema_id, ts, deleted FROM subject_versions WHERE "
                             "subject = ? ORDER BY version"));
    q.addBindValue(subject);
    QList<SubjectRow> rows;
    if (q.exec()) {
        while (q.next())
            rows.append(SubjectRow{q.value(0).toInt(), q.value(1).toInt(), q.value(2).toLongLong(),
                                   q.value(3).toBool()});
    }
    return rows;
}

std::optional<registry::Schema> SandboxStore::readSchemaRow(int id)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT id, guid, schema_type, schema, refs, metadata, rule_set FROM "
                             "schemas WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    registry::Schema s;
    s.id = q.value(0).toInt();
    s.guid = q.value(1).toString();
    s.schemaType = q.value(2).toString();
    s.schema = q.value(3).toString();
    const QJsonArray refs = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).array();
    for (const QJsonValue &r : refs) {
        const QJsonObject o = r.toObject();
        s.references.append(registry::SchemaReference{o.value(QStringLiteral("name")).toString(),
                                                      o.value(QStringLiteral("subject")).toString(),
                                                      o.value(QStringLiteral("version")).toInt()});
    }
    s.metadata = QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object();
    s.ruleSet = QJsonDocument::fromJson(q.value(6).toString().toUtf8()).object();
    return s;
}

registry::Schema SandboxStore::subjectVersionSchema(const QString &subject, const SubjectRow &row)
{
    registry::Schema s = readSchemaRow(row.schemaId).value_or(registry::Schema{});
    s.subject = subject;
    s.version = row.version;
    s.ts = row.ts;
    s.deleted = row.deleted;
    return s;
}

std::optional<int> SandboxStore::findSchemaId(const QString &canonical)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT id FROM schemas WHERE canonical = ?"));
    q.addBindValue(canonical);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return q.value(0).toInt();
}

QList<int> SandboxStore::referencingIds(const QString &subject, int version, bool includeDeleted)
{
    QSqlQuery q(db());
    q.prepare(
        QStringLiteral("SELECT DISTINCT r.schema_id FROM schema_refs r JOIN subject_versions "
                       "v ON v.schema_id = r.schema_id WHERE r.subject = ? AND r.version = ?%1 "
                       "ORDER BY r.schema_id")
            .arg(includeDeleted ? QString() : QStringLiteral(" AND v.deleted = 0")));
    q.addBindValue(subject);
    q.addBindValue(version);
    QList<int> ids;
    if (q.exec()) {
        while (q.next())
            ids.append(q.value(0).toInt());
    }
    return ids;
}

Result<QList<serde::NamedSchema>>
SandboxStore::resolveReferences(const QList<registry::SchemaReference> &refs, int depth)
{
    if (depth > MaxReferenceDepth)
        return invalidSchema(QStringLiteral("references nest too deeply (a cycle?)"));
    QList<serde::NamedSchema> out;
    const auto add = [&out](const serde::NamedSchema &schema) {
        if (std::none_of(out.cbegin(), out.cend(), [&](const serde::NamedSchema &s) {
                return s.name == schema.name && s.text == schema.text;
            }))
            out.append(schema);
    };
    for (const registry::SchemaReference &ref : refs) {
        const QList<SubjectRow> rows = readSubject(ref.subject);
        const auto row = std::find_if(rows.cbegin(), rows.cend(), [&](const SubjectRow &r) {
            return !r.deleted && (r.version == ref.version || ref.version == LatestVersion);
        });
        if (row == rows.cend())
            return invalidSchema(QStringLiteral("reference '%1' points to subject '%2' version "
                                                "%3, which does not exist")
                                     .arg(ref.name, ref.subject)
                                     .arg(ref.version));
        const registry::Schema target = subjectVersionSchema(ref.subject, *row);
        auto nested = resolveReferences(target.references, depth + 1);
        if (!nested)
            return nested.error();
        for (const serde::NamedSchema &n : std::as_const(*nested))
            add(n);
        add({ref.name, target.schema});
    }
    return out;
}

Result<void> SandboxStore::validateSchema(const registry::Schema &request)
{
    if (!SchemaTypes.contains(request.schemaType))
        return invalidSchema(QStringLiteral("unknown schema type '%1'; use AVRO, JSON or PROTOBUF")
                                 .arg(request.schemaType));
    if (request.schema.trimmed().isEmpty())
        return invalidSchema(QStringLiteral("the schema is empty"));
    auto references = resolveReferences(request.references, 0);
    if (!references)
        return references.error();
    if (request.schemaType == QLatin1String("PROTOBUF")) {
        // Stored as given (.proto text or a base64 FileDescriptorProto), once it parses.
        auto parsed = serde::ProtobufSchema::parse(request.schema, *references);
        if (!parsed)
            return invalidSchema(parsed.error().message);
        return {};
    }
    QString jsonError;
    if (!parseJsonValue(request.schema, &jsonError))
        return invalidSchema(QStringLiteral("the schema is not valid JSON (%1)").arg(jsonError));
    if (request.schemaType == QLatin1String("AVRO")) {
        auto parsed = serde::AvroSchema::parse(request.schema, serde::schemaTexts(*references));
        if (!parsed)
            return invalidSchema(parsed.error().message);
    }
    return {};
}

// ---- registration and lookup ----

Result<registry::Schema> SandboxStore::registerSchema(const QString &subject,
                                                      const registry::Schema &request)
{
    QMutexLocker lock(&m_mutex);
    if (!isValidSubject(subject))
        return registryError(ErrInvalidSubject,
                             QStringLiteral("The specified subject is not valid."));
    registry::Schema schema = request;
    if (schema.schemaType.isEmpty())
        schema.schemaType = QStringLiteral("AVRO");
    if (auto valid = validateSchema(schema); !valid)
        return valid.error();
    const QString canonical = canonicalKey(schema);
    QSqlDatabase database = db();
    database.transaction();
    std::optional<int> id = findSchemaId(canonical);
    QList<SubjectRow> rows = readSubject(subject);
    if (id) {
        for (const SubjectRow &row : std::as_const(rows)) {
            if (!row.deleted && row.schemaId == *id) {
                database.rollback();
                return subjectVersionSchema(subject, row);
            }
        }
    } else {
        QSqlQuery insert(database);
        insert.prepare(
            QStringLiteral("INSERT INTO schemas (guid, schema_type, schema, refs, "
                           "metadata, rule_set, canonical) VALUES (?, ?, ?, ?, ?, ?, ?)"));
        insert.addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
        insert.addBindValue(schema.schemaType);
        insert.addBindValue(schema.schema);
        insert.addBindValue(compact(referencesJson(schema.references)));
        insert.addBindValue(compact(schema.metadata));
        insert.addBindValue(compact(schema.ruleSet));
        insert.addBindValue(canonical);
        if (!insert.exec()) {
            database.rollback();
            return sqlError(QStringLiteral("store a schema"), insert.lastError().text());
        }
        id = insert.lastInsertId().toInt();
        for (const registry::SchemaReference &ref : std::as_const(schema.references)) {
            QSqlQuery r(database);
            r.prepare(QStringLiteral("INSERT INTO schema_refs (schema_id, subject, version) VALUES "
                                     "(?, ?, ?)"));
            r.addBindValue(*id);
            r.addBindValue(ref.subject);
            r.addBindValue(ref.version);
            r.exec();
        }
    }
    // Soft-deleted versions keep their numbers; only permanent deletes free them.
    const SubjectRow row{rows.isEmpty() ? 1 : rows.last().version + 1, *id, now(), false};
    QSqlQuery q(database);
    q.prepare(QStringLiteral("INSERT INTO subject_versions (subject, version, schema_id, ts, "
                             "deleted) VALUES (?, ?, ?, ?, 0)"));
    q.addBindValue(subject);
    q.addBindValue(row.version);
    q.addBindValue(row.schemaId);
    q.addBindValue(row.ts);
    if (!q.exec()) {
        database.rollback();
        return sqlError(QStringLiteral("register a schema under '%1'").arg(subject),
                        q.lastError().text());
    }
    database.commit();
    return subjectVersionSchema(subject, row);
}

Result<registry::Schema> SandboxStore::lookupSchema(const QString &subject,
                                                    const registry::Schema &request,
                                                    bool includeDeleted)
{
    QMutexLocker lock(&m_mutex);
    const QList<SubjectRow> rows = readSubject(subject);
    const bool live =
        std::any_of(rows.cbegin(), rows.cend(), [](const SubjectRow &r) { return !r.deleted; });
    if (rows.isEmpty() || (!live && !includeDeleted))
        return subjectNotFound(subject);
    registry::Schema schema = request;
    if (schema.schemaType.isEmpty())
        schema.schemaType = QStringLiteral("AVRO");
    const std::optional<int> id = findSchemaId(canonicalKey(schema));
    if (id) {
        for (auto it = rows.crbegin(); it != rows.crend(); ++it) {
            if (it->schemaId == *id && (includeDeleted || !it->deleted))
                return subjectVersionSchema(subject, *it);
        }
    }
    return schemaNotFound();
}

// ---- reads ----

Result<registry::Schema> SandboxStore::getSchemaById(int id)
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT 1 FROM subject_versions WHERE schema_id = ? LIMIT 1"));
    q.addBindValue(id);
    // A schema whose subject versions were all permanently deleted is gone.
    if (!q.exec() || !q.next())
        return schemaNotFound(QString::number(id));
    const std::optional<registry::Schema> schema = readSchemaRow(id);
    if (!schema)
        return schemaNotFound(QString::number(id));
    return *schema;
}

Result<registry::Schema> SandboxStore::getSchemaByGuid(const QString &guid)
{
    int id = 0;
    {
        QMutexLocker lock(&m_mutex);
        QSqlQuery q(db());
        q.prepare(QStringLiteral("SELECT id FROM schemas WHERE guid = ?"));
        q.addBindValue(guid.toLower());
        if (!q.exec() || !q.next())
            return schemaNotFound(guid);
        id = q.value(0).toInt();
    }
    auto schema = getSchemaById(id);
    if (!schema)
        return schemaNotFound(guid);
    return schema;
}

Result<QList<SubjectVersion>> SandboxStore::versionsForSchema(int id, bool includeDeleted)
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT subject, version, deleted FROM subject_versions WHERE "
                             "schema_id = ? ORDER BY subject, version"));
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(QStringLiteral("look up schema %1").arg(id), q.lastError().text());
    bool any = false;
    QList<SubjectVersion> versions;
    while (q.next()) {
        any = true;
        if (includeDeleted || !q.value(2).toBool())
            versions.append(SubjectVersion{q.value(0).toString(), q.value(1).toInt()});
    }
    if (!any)
        return schemaNotFound(QString::number(id));
    return versions;
}

Result<QStringList> SandboxStore::subjectsForSchema(int id, bool includeDeleted)
{
    auto versions = versionsForSchema(id, includeDeleted);
    if (!versions)
        return versions.error();
    QStringList subjects;
    for (const SubjectVersion &v : std::as_const(*versions)) {
        if (!subjects.contains(v.subject))
            subjects.append(v.subject);
    }
    return subjects;
}

Result<QStringList> SandboxStore::listSubjects(const QString &subjectPrefix, bool includeDeleted,
                                               bool deletedOnly)
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("SELECT subject, MIN(deleted), MAX(deleted) FROM subject_versions "
                               "GROUP BY subject ORDER BY subject")))
        return sqlError(QStringLiteral("list subjects"), q.lastError().text());
    QStringList subjects;
    while (q.next()) {
        const QString subject = q.value(0).toString();
        const bool hasLive = q.value(1).toInt() == 0;
        const bool hasDeleted = q.value(2).toInt() == 1;
        if (!subject.startsWith(subjectPrefix))
            continue;
        const bool keep = deletedOnly ? hasDeleted : (hasLive || includeDeleted);
        if (keep)
            subjects.append(subject);
    }
    return subjects;
}

Result<QList<int>> SandboxStore::listVersions(const QString &subject, bool includeDeleted,
                                              bool deletedOnly)
{
    QMutexLocker lock(&m_mutex);
    const QList<SubjectRow> rows = readSubject(subject);
    QList<int> versions;
    for (const SubjectRow &row : rows) {
        if (deletedOnly ? row.deleted : (includeDeleted || !row.deleted))
            versions.append(row.version);
    }
    const bool live =
        std::any_of(rows.cbegin(), rows.cend(), [](const SubjectRow &r) { return !r.deleted; });
    if (rows.isEmpty() || (!live && !includeDeleted && !deletedOnly))
        return subjectNotFound(subject);
    return versions;
}

Result<registry::Schema> SandboxStore::getSubjectVersion(const QString &subject, int version,
                                                         bool includeDeleted)
{
    QMutexLocker lock(&m_mutex);
    const QList<SubjectRow> rows = readSubject(subject);
    const bool live =
        std::any_of(rows.cbegin(), rows.cend(), [](const SubjectRow &r) { return !r.deleted; });
    if (rows.isEmpty() || (!live && !includeDeleted))
        return subjectNotFound(subject);
    for (auto it = rows.crbegin(); it != rows.crend(); ++it) {
        if (!includeDeleted && it->deleted)
            continue;
        if (version == LatestVersion || it->version == version)
            return subjectVersionSchema(subject, *it);
    }
    return versionNotFound(version);
}

Result<QList<int>> SandboxStore::referencedBy(const QString &subject, int version)
{
    QMutexLocker lock(&m_mutex);
    const QList<SubjectRow> rows = readSubject(subject);
    if (rows.isEmpty())
        return subjectNotFound(subject);
    const auto row = std::find_if(rows.crbegin(), rows.crend(), [&](const SubjectRow &r) {
        return version == LatestVersion ? !r.deleted : r.version == version;
    });
    if (row == rows.crend())
        return versionNotFound(version);
    return referencingIds(subject, row->version, false);
}

// ---- deletes ----

Result<QList<int>> SandboxStore::deleteSubject(const QString &subject, bool permanent)
{
    QMutexLocker lock(&m_mutex);
    const QList<SubjectRow> rows = readSubject(subject);
    if (rows.isEmpty())
        return subjectNotFound(subject);
    const bool live =
        std::any_of(rows.cbegin(), rows.cend(), [](const SubjectRow &r) { return !r.deleted; });
    if (!permanent && !live)
        return registryError(ErrSubjectSoftDeleted,
                             QStringLiteral("Subject '%1' was soft deleted.Set permanent=true to "
                                            "delete permanently")
                                 .arg(subject));
    if (permanent && live)
        return registryError(ErrSubjectNotSoftDeleted,
                             QStringLiteral("Subject '%1' was not deleted first before being "
                                            "permanently deleted")
                                 .arg(subject));
    QList<int> versions;
    for (const SubjectRow &row : rows) {
        if (!permanent && row.deleted)
            continue;
        if (!referencingIds(subject, row.version, permanent).isEmpty())
            return referenceExists(subject, row.version);
        versions.append(row.version);
    }
    QSqlQuery q(db());
    if (permanent) {
        q.prepare(QStringLiteral("DELETE FROM subject_versions WHERE subject = ?"));
        q.addBindValue(subject);
    } else {
        q.prepare(
            QStringLiteral("UPDATE subject_versions SET deleted = 1, ts = ? WHERE subject = ? "
                           "AND deleted = 0"));
        q.addBindValue(now());
        q.addBindValue(subject);
    }
    if (!q.exec())
        return sqlError(QStringLiteral("delete subject '%1'").arg(subject), q.lastError().text());
    if (permanent) {
        QSqlQuery config(db());
        config.prepare(QStringLiteral("DELETE FROM config WHERE subject = ?"));
        config.addBindValue(subject);
        config.exec();
    }
    return versions;
}

Result<int> SandboxStore::deleteSubjectVersion(const QString &subject, int version, bool permanent)
{
    QMutexLocker lock(&m_mutex);
    const QList<SubjectRow> rows = readSubject(subject);
    if (rows.isEmpty())
        return subjectNotFound(subject);
    // "latest" is the newest live version for a soft delete, the newest of all for a permanent one.
    const auto row = std::find_if(rows.crbegin(), rows.crend(), [&](const SubjectRow &r) {
        return version == LatestVersion ? (permanent || !r.deleted) : r.version == version;
    });
    if (row == rows.crend())
        return versionNotFound(version);
    if (!permanent && row->deleted)
        return registryError(ErrVersionSoftDeleted,
                             QStringLiteral("Subject '%1' Version %2 was soft deleted.Set "
                                            "permanent=true to delete permanently")
                                 .arg(subject)
                                 .arg(row->version));
    if (permanent && !row->deleted)
        return registryError(ErrVersionNotSoftDeleted,
                             QStringLiteral("Subject '%1' Version %2 was not deleted first before "
                                            "being permanently deleted")
                                 .arg(subject)
                                 .arg(row->version));
    if (!referencingIds(subject, row->version, permanent).isEmpty())
        return referenceExists(subject, row->version);
    QSqlQuery q(db());
    if (permanent) {
        q.prepare(QStringLiteral("DELETE FROM subject_versions WHERE subject = ? AND version = ?"));
    } else {
        q.prepare(
            QStringLiteral("UPDATE subject_versions SET deleted = 1, ts = ? WHERE subject = ? "
                           "AND version = ?"));
        q.addBindValue(now());
    }
    q.addBindValue(subject);
    q.addBindValue(row->version);
    if (!q.exec())
        return sqlError(QStringLiteral("delete version %1 of '%2'").arg(row->version).arg(subject),
                        q.lastError().text());
    return row->version;
}

// ---- config ----

Result<QString> SandboxStore::compatibility(const QString &subject)
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT compatibility FROM config WHERE subject IN (?, '') ORDER BY "
                             "subject DESC LIMIT 1"));
    q.addBindValue(subject);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return QStringLiteral("BACKWARD");
}

Result<void> SandboxStore::setCompatibility(const QString &subject, const QString &level)
{
    QMutexLocker lock(&m_mutex);
    // As ConfigResource does with QualifiedSubject.isValidSubject: no control characters.
    if (!subject.isEmpty() && !isValidSubject(subject))
        return registryError(ErrInvalidSubject,
                             QStringLiteral("The specified subject is not valid."));
    if (!CompatibilityLevels.contains(level))
        return registryError(42203, QStringLiteral("Invalid compatibility level. Valid values are "
                                                   "none, backward, forward, full, "
                                                   "backward_transitive, forward_transitive, and "
                                                   "full_transitive"));
    QSqlQuery q(db());
    q.prepare(
        QStringLiteral("INSERT OR REPLACE INTO config (subject, compatibility) VALUES (?, ?)"));
    q.addBindValue(subject);
    q.addBindValue(level);
    if (!q.exec())
        return sqlError(QStringLiteral("store the compatibility level"), q.lastError().text());
    return {};
}

Result<registry::Schema> SandboxStore::inFormat(registry::Schema schema, const QString &format)
{
    if (format != QLatin1String("serialized") || schema.schemaType != QLatin1String("PROTOBUF"))
        return schema;
    QMutexLocker lock(&m_mutex);
    auto references = resolveReferences(schema.references, 0);
    if (!references)
        return references.error();
    auto parsed = serde::ProtobufSchema::parse(schema.schema, *references);
    if (!parsed)
        return invalidSchema(parsed.error().message);
    // A schema registered serialized goes back byte for byte as it came.
    const QByteArray given = schema.schema.trimmed().toLatin1();
    if (QByteArray::fromBase64Encoding(given, QByteArray::AbortOnBase64DecodingErrors))
        return schema;
    schema.schema = QString::fromLatin1(parsed->serializedDescriptor());
    return schema;
}

} // namespace kw::sandbox
