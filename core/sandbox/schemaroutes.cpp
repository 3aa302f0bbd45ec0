#include "core/sandbox/schemaroutes.h"

#include "core/sandbox/registryerrors.h"
#include "core/sandbox/sandboxstore.h"

namespace kw::sandbox {

namespace {

const QByteArray Get = QByteArrayLiteral("GET");
const QByteArray Post = QByteArrayLiteral("POST");
const QByteArray Put = QByteArrayLiteral("PUT");
const QByteArray Delete = QByteArrayLiteral("DELETE");

// The by-id shape (SchemaString): no id, subject or version.
QJsonObject schemaString(registry::Schema schema)
{
    schema.id = 0;
    schema.subject.clear();
    schema.version = 0;
    schema.ts = 0;
    schema.deleted = false;
    return schema.toJson();
}

HttpReply schemaReply(const Result<registry::Schema> &result)
{
    return result ? jsonReply(result->toJson()) : errorReply(result.error());
}

// The schema in the form the request's `format` query asks for (Protobuf: serialized).
Result<registry::Schema> formatted(SandboxStore &store, const Result<registry::Schema> &schema,
                                   const HttpRequest &request)
{
    if (!schema)
        return schema;
    return store.inFormat(*schema, request.param(QStringLiteral("format")));
}

HttpReply listReply(const Result<QStringList> &result)
{
    return result ? jsonReply(*result) : errorReply(result.error());
}

HttpReply listReply(const Result<QList<int>> &result)
{
    return result ? jsonReply(*result) : errorReply(result.error());
}

// RegisterSchemaRequest: schema, schemaType, references, metadata, ruleSet.
Result<registry::Schema> schemaRequest(const HttpRequest &request)
{
    const Result<QJsonObject> body = jsonBody(request);
    if (!body)
        return body.error();
    if (!body->value(QStringLiteral("schema")).isString())
        return registryError(ErrInvalidSchema, QStringLiteral("Empty schema"));
    QJsonObject fields = *body;
    // Ids and versions in the request only matter in IMPORT mode, which the sandbox lacks.
    fields.remove(QStringLiteral("id"));
    fields.remove(QStringLiteral("version"));
    auto schema = registry::Schema::fromJson(fields);
    if (!schema)
        return registryError(
            422, QStringLiteral("Unrecognized request body: %1").arg(schema.error().message));
    return schema;
}

HttpReply registerSchema(SandboxStore &store, const QString &subject, const HttpRequest &request)
{
    const Result<registry::Schema> schema = schemaRequest(request);
    if (!schema)
        return errorReply(schema.error());
    const Result<registry::Schema> registered = store.registerSchema(subject, *schema);
    if (!registered)
        return errorReply(registered.error());
    return jsonReply(QJsonObject{{QStringLiteral("id"), registered->id},
                                 {QStringLiteral("version"), registered->version},
                                 {QStringLiteral("guid"), registered->guid}});
}

HttpReply versionRoutes(SandboxStore &store, const QString &subject, const QStringList &rest,
                        const HttpRequest &request)
{
    const QByteArray &m = request.method;
    const bool deleted = request.flag(QStringLiteral("deleted"));
    if (rest.isEmpty()) { // /subjects/{s}/versions
        if (m == Get)
            return listReply(
                store.listVersions(subject, deleted, request.flag(QStringLiteral("deletedOnly"))));
        if (m == Post)
            return registerSchema(store, subject, request);
        return HttpReply(methodNotAllowed());
    }
    if (rest.size() > 2)
        return notFoundReply();
    const Result<int> version = parseVersion(rest.at(0));
    if (rest.size() == 1) {
        if (m != Get && m != Delete)
            return methodNotAllowed();
        if (!version)
            return errorReply(version.error());
        if (m == Get)
            return schemaReply(
                formatted(store, store.getSubjectVersion(subject, *version, deleted), request));
        const Result<int> removed = store.deleteSubjectVersion(
            subject, *version, request.flag(QStringLiteral("permanent")));
        if (!removed)
            return errorReply(removed.error());
        return HttpReply{200, QByteArray::number(*removed), QByteArray(RegistryContentType)};
    }
    const QString &what = rest.at(1);
    if (what != QLatin1String("schema") && what != QLatin1String("referencedby"))
        return notFoundReply();
    if (m != Get)
        return methodNotAllowed();
    if (!version)
        return errorReply(version.error());
    if (what == QLatin1String("referencedby"))
        return listReply(store.referencedBy(subject, *version));
    const Result<registry::Schema> schema =
        formatted(store, store.getSubjectVersion(subject, *version, deleted), request);
    return schema ? rawReply(schema->schema.toUtf8()) : errorReply(schema.error());
}

// GET /subjects/{s}/metadata?key=K&value=V...: the latest version whose metadata.properties
// hold every given pair (40401 for an unknown subject, 40402 when no version matches).
HttpReply metadataLookup(SandboxStore &store, const QString &subject, const HttpRequest &request)
{
    if (request.method != Get)
        return methodNotAllowed();
    const QStringList keys = request.params(QStringLiteral("key"));
    const QStringList values = request.params(QStringLiteral("value"));
    if (keys.size() != values.size())
        return errorReply(42202, QStringLiteral("Each metadata key needs a value."));
    const Result<QList<int>> versions = store.listVersions(subject, false);
    if (!versions)
        return errorReply(versions.error());
    for (auto it = versions->crbegin(); it != versions->crend(); ++it) {
        const Result<registry::Schema> schema = store.getSubjectVersion(subject, *it, false);
        if (!schema)
            continue;
        const QJsonObject properties =
            schema->metadata.value(QStringLiteral("properties")).toObject();
        bool matches = true;
        for (qsizetype i = 0; i < keys.size() && matches; ++i)
            matches = properties.value(keys.at(i)).toString() == values.at(i);
        if (matches)
            return schemaReply(formatted(store, schema, request));
    }
    return errorReply(40402, QStringLiteral("Version not found."));
}

HttpReply subjectRoutes(SandboxStore &store, const QStringList &rest, const HttpRequest &request)
{
    const QByteArray &m = request.method;
    if (rest.isEmpty()) { // /subjects
        if (m != Get)
            return methodNotAllowed();
        return listReply(store.listSubjects(request.param(QStringLiteral("subjectPrefix")),
                                            request.flag(QStringLiteral("deleted")),
                                            request.flag(QStringLiteral("deletedOnly"))));
    }
    const QString &subject = rest.at(0);
    if (rest.size() == 1) {
        if (m == Post) { // lookup
            const Result<registry::Schema> schema = schemaRequest(request);
            if (!schema)
                return errorReply(schema.error());
            return schemaReply(
                store.lookupSchema(subject, *schema, request.flag(QStringLiteral("deleted"))));
        }
        if (m == Delete) {
            const Result<QList<int>> removed =
                store.deleteSubject(subject, request.flag(QStringLiteral("permanent")));
            return listReply(removed);
        }
        return methodNotAllowed();
    }
    if (rest.at(1) == QLatin1String("metadata") && rest.size() == 2)
        return metadataLookup(store, subject, request);
    if (rest.at(1) != QLatin1String("versions"))
        return notFoundReply();
    return versionRoutes(store, subject, rest.mid(2), request);
}

HttpReply schemaIdRoutes(SandboxStore &store, const QStringList &rest, const HttpRequest &request)
{
    if (rest.size() > 2)
        return notFoundReply();
    if (request.method != Get)
        return methodNotAllowed();
    bool ok = false;
    const int id = rest.at(0).toInt(&ok);
    if (!ok)
        return notFoundReply();
    const bool deleted = request.flag(QStringLiteral("deleted"));
    if (rest.size() == 1) {
        const Result<registry::Schema> schema = formatted(store, store.getSchemaById(id), request);
        return schema ? jsonReply(schemaString(*schema)) : errorReply(schema.error());
    }
    const QString &what = rest.at(1);
    if (what == QLatin1String("subjects"))
        return listReply(store.subjectsForSchema(id, deleted));
    if (what == QLatin1String("versions")) {
        const Result<QList<SubjectVersion>> versions = store.versionsForSchema(id, deleted);
        if (!versions)
            return errorReply(versions.error());
        QJsonArray array;
        for (const SubjectVersion &v : *versions)
            array.append(QJsonObject{{QStringLiteral("subject"), v.subject},
                                     {QStringLiteral("version"), v.version}});
        return jsonReply(array);
    }
    if (what == QLatin1String("schema")) {
        const Result<registry::Schema> schema = formatted(store, store.getSchemaById(id), request);
        return schema ? rawReply(schema->schema.toUtf8()) : errorReply(schema.error());
    }
    return notFoundReply();
}

// GET /schemas: every live subject version (or only the latest ones), filtered by prefix.
HttpReply listSchemas(SandboxStore &store, const HttpRequest &request)
{
    const bool deleted = request.flag(QStringLiteral("deleted"));
    const bool latestOnly = request.flag(QStringLiteral("latestOnly"));
    const Result<QStringList> subjects =
        store.listSubjects(request.param(QStringLiteral("subjectPrefix")), deleted);
    if (!subjects)
        return errorReply(subjects.error());
    QJsonArray array;
    for (const QString &subject : *subjects) {
        const Result<QList<int>> versions = store.listVersions(subject, deleted);
        if (!versions)
            continue;
        QList<int> wanted = *versions;
        if (latestOnly && !wanted.isEmpty())
            wanted = {wanted.last()};
        for (int v : std::as_const(wanted)) {
            const Result<registry::Schema> schema = store.getSubjectVersion(subject, v, deleted);
            if (schema)
                array.append(schema->toJson());
        }
    }
    const int offset = std::max(0, request.intParam(QStringLiteral("offset"), 0));
    const int limit = request.intParam(QStringLiteral("limit"), -1);
    QJsonArray paged;
    for (qsizetype i = offset; i < array.size() && (limit <= 0 || paged.size() < limit); ++i)
        paged.append(array.at(i));
    return jsonReply(paged);
}

HttpReply schemasRoutes(SandboxStore &store, const QStringList &rest, const HttpRequest &request)
{
    if (rest.isEmpty())
        return request.method == Get ? listSchemas(store, request) : methodNotAllowed();
    if (rest.at(0) == QLatin1String("types") && rest.size() == 1) {
        if (request.method != Get)
            return methodNotAllowed();
        return jsonReply(QStringList{QStringLiteral("JSON"), QStringLiteral("PROTOBUF"),
                                     QStringLiteral("AVRO")});
    }
    if (rest.at(0) == QLatin1String("ids") && rest.size() >= 2)
        return schemaIdRoutes(store, rest.mid(1), request);
    if (rest.at(0) == QLatin1String("guids") && (rest.size() == 2 || rest.size() == 3)) {
        if (request.method != Get)
            return methodNotAllowed();
        if (rest.size() == 3 && rest.at(2) != QLatin1String("ids"))
            return notFoundReply();
        const Result<registry::Schema> schema =
            formatted(store, store.getSchemaByGuid(rest.at(1)), request);
        if (!schema)
            return errorReply(schema.error());
        // One schema, one id per guid in this registry (no contexts).
        return rest.size() == 2 ? jsonReply(schemaString(*schema))
                                : jsonReply(QJsonArray{schema->id});
    }
    return notFoundReply();
}

HttpReply configRoutes(SandboxStore &store, const QStringList &rest, const HttpRequest &request)
{
    if (rest.size() > 1)
        return notFoundReply();
    const QString subject = rest.isEmpty() ? QString() : rest.at(0);
    if (request.method == Get) {
        const Result<QString> level = store.compatibility(subject);
        if (!level)
            return errorReply(level.error());
        return jsonReply(QJsonObject{{QStringLiteral("compatibilityLevel"), *level}});
    }
    if (request.method == Put) {
        const Result<QJsonObject> body = jsonBody(request);
        if (!body)
            return errorReply(body.error());
        QString level;
        if (auto r = readString(*body, "compatibility", level); !r)
            return errorReply(r.error());
        level = level.toUpper();
        if (auto set = store.setCompatibility(subject, level); !set)
            return errorReply(set.error());
        return jsonReply(QJsonObject{{QStringLiteral("compatibility"), level}});
    }
    return methodNotAllowed();
}

HttpReply modeRoutes(const QStringList &rest, const HttpRequest &request)
{
    if (rest.size() > 1)
        return notFoundReply();
    if (request.method == Get)
        return jsonReply(QJsonObject{{QStringLiteral("mode"), QStringLiteral("READWRITE")}});
    if (request.method == Put) {
        const Result<QJsonObject> body = jsonBody(request);
        if (!body)
            return errorReply(body.error());
        const QString mode = body->value(QStringLiteral("mode")).toString();
        if (mode != QLatin1String("READWRITE"))
            return errorReply(42204, QStringLiteral("The sandbox only supports mode READWRITE."));
        return jsonReply(QJsonObject{{QStringLiteral("mode"), mode}});
    }
    return methodNotAllowed();
}

} // namespace

std::optional<HttpReply> routeSchemaRegistry(SandboxStore &store, const HttpRequest &request)
{
    const QStringList &s = request.segments;
    if (s.isEmpty()) // GET / answers {} like Schema Registry does
        return request.method == Get ? jsonReply(QJsonObject{}) : methodNotAllowed();
    const QString &root = s.at(0);
    if (root == QLatin1String("subjects"))
        return subjectRoutes(store, s.mid(1), request);
    if (root == QLatin1String("schemas"))
        return schemasRoutes(store, s.mid(1), request);
    if (root == QLatin1String("config"))
        return configRoutes(store, s.mid(1), request);
    if (root == QLatin1String("mode"))
        return modeRoutes(s.mid(1), request);
    return std::nullopt;
}

} // namespace kw::sandbox
