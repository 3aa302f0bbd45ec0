#include "core/registry/schemaregistryclient.h"

#include "core/registry/clientutil_p.h"
#include "core/registry/replyparsers_p.h"

#include <QJsonArray>
#include <QUuid>

namespace kw::registry {

using detail::RequestContext;
using detail::sendAndParse;

namespace {

const QString kService = QStringLiteral("Schema Registry");

RestRequest request(QByteArray method, QStringList path)
{
    return RestRequest::make(std::move(method), std::move(path)).setService(kService);
}

QString versionSegment(int version)
{
    return version == -1 ? QStringLiteral("latest") : QString::number(version);
}

void addFormat(RestRequest &r, const SchemaFormatOptions &options)
{
    if (!options.format.isEmpty())
        r.addQuery(QStringLiteral("format"), options.format);
    if (!options.referenceFormat.isEmpty())
        r.addQuery(QStringLiteral("referenceFormat"), options.referenceFormat);
    if (options.findTags)
        r.addQuery(QStringLiteral("findTags"), true);
}

void addPaging(RestRequest &r, int offset, int limit)
{
    if (offset > 0)
        r.addQuery(QStringLiteral("offset"), offset);
    if (limit >= 0)
        r.addQuery(QStringLiteral("limit"), limit);
}

Result<QByteArray> parseRaw(const Reply &reply, const RequestContext &)
{
    return reply.body;
}

QFuture<Result<Schema>> withId(QFuture<Result<Schema>> future, int id)
{
    return future.then([id](Result<Schema> s) -> Result<Schema> {
        if (s && s->id == 0)
            s->id = id;
        return s;
    });
}

} // namespace

namespace detail {

Result<Schema> parseSchema(const Reply &reply, const RequestContext &ctx)
{
    if (!reply.json.isObject())
        return detail::malformed(ctx, QStringLiteral("a schema object"));
    auto schema = Schema::fromJson(reply.json.object());
    if (!schema)
        return detail::inContext(schema.error(), ctx);
    return schema;
}

Result<int> parseIntField(const Reply &reply, const RequestContext &ctx, const QString &field)
{
    const QJsonValue v = reply.json.isObject() ? reply.json.object().value(field) : QJsonValue();
    if (!v.isDouble())
        return detail::malformed(ctx, QStringLiteral("an object with an integer '%1'").arg(field));
    return v.toInt();
}

Result<int> parseBareInt(const Reply &reply, const RequestContext &ctx)
{
    // DELETE /subjects/{s}/versions/{v} answers with a bare number.
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + reply.body + "]", &error);
    if (error.error != QJsonParseError::NoError || doc.array().size() != 1 ||
        !doc.array().at(0).isDouble())
        return detail::malformed(ctx, QStringLiteral("a version number"));
    return doc.array().at(0).toInt();
}

Result<QList<Schema>> parseSchemaList(const Reply &reply, const RequestContext &ctx)
{
    if (!reply.json.isArray())
        return detail::malformed(ctx, QStringLiteral("a JSON array of schemas"));
    QList<Schema> out;
    for (const QJsonValue &v : reply.json.array()) {
        auto s = Schema::fromJson(v.toObject());
        if (!s)
            return detail::inContext(s.error(), ctx);
        out.append(*s);
    }
    return out;
}

Result<QList<SubjectVersion>> parseSubjectVersions(const Reply &reply, const RequestContext &ctx)
{
    const QString expected = QStringLiteral("a JSON array of {subject, version}");
    if (!reply.json.isArray())
        return detail::malformed(ctx, expected);
    QList<SubjectVersion> out;
    for (const QJsonValue &v : reply.json.array()) {
        const QJsonObject o = v.toObject();
        if (!o.value(QStringLiteral("subject")).isString() ||
            !o.value(QStringLiteral("version")).isDouble())
            return detail::malformed(ctx, expected);
        out.append({o.value(QStringLiteral("subject")).toString(),
                    o.value(QStringLiteral("version")).toInt()});
    }
    return out;
}

} // namespace detail

using detail::parseBareInt;
using detail::parseIntField;
using detail::parseSchema;

QJsonObject schemaRequestJson(const Schema &schema)
{
    QJsonObject o{{QStringLiteral("schema"), schema.schema}};
    if (!schema.schemaType.isEmpty() && schema.schemaType != QLatin1String("AVRO"))
        o.insert(QStringLiteral("schemaType"), schema.schemaType);
    if (!schema.references.isEmpty()) {
        QJsonArray refs;
        for (const SchemaReference &r : schema.references)
            refs.append(QJsonObject{{QStringLiteral("name"), r.name},
                                    {QStringLiteral("subject"), r.subject},
                                    {QStringLiteral("version"), r.version}});
        o.insert(QStringLiteral("references"), refs);
    }
    if (!schema.metadata.isEmpty())
        o.insert(QStringLiteral("metadata"), schema.metadata);
    if (!schema.ruleSet.isEmpty())
        o.insert(QStringLiteral("ruleSet"), schema.ruleSet);
    return o;
}

SchemaRegistryClient::SchemaRegistryClient(RestTransport *transport)
    : m_transport(transport)
{}

QFuture<Result<QStringList>> SchemaRegistryClient::subjects(const SubjectListOptions &options)
{
    RestRequest r = request("GET", {QStringLiteral("subjects")});
    if (!options.subjectPrefix.isEmpty())
        r.addQuery(QStringLiteral("subjectPrefix"), options.subjectPrefix);
    if (options.deleted)
        r.addQuery(QStringLiteral("deleted"), true);
    if (options.deletedOnly)
        r.addQuery(QStringLiteral("deletedOnly"), true);
    addPaging(r, options.offset, options.limit);
    return sendAndParse<QStringList>(m_transport, std::move(r), detail::parseStringList);
}

QFuture<Result<QStringList>> SchemaRegistryClient::allSubjects(const QString &subjectPrefix,
                                                               bool deleted, int pageSize)
{
    QPointer<RestTransport> transport = m_transport;
    return detail::PageWalker<QString>::walk(
        [transport, subjectPrefix, deleted](int offset, int limit) {
            SchemaRegistryClient client(transport.data());
            return client.subjects({subjectPrefix, deleted, false, offset, limit});
        },
        pageSize);
}

QFuture<Result<QList<int>>> SchemaRegistryClient::versions(const QString &subject,
                                                           const VersionListOptions &options)
{
    RestRequest r =
        request("GET", {QStringLiteral("subjects"), subject, QStringLiteral("versions")});
    if (options.deleted)
        r.addQuery(QStringLiteral("deleted"), true);
    if (options.deletedOnly)
        r.addQuery(QStringLiteral("deletedOnly"), true);
    if (options.deletedAsNegative)
        r.addQuery(QStringLiteral("deletedAsNegative"), true);
    addPaging(r, options.offset, options.limit);
    return sendAndParse<QList<int>>(m_transport, std::move(r), detail::parseIntList);
}

QFuture<Result<Schema>> SchemaRegistryClient::version(const QString &subject, int version,
                                                      bool deleted,
                                                      const SchemaFormatOptions &format)
{
    RestRequest r = request("GET", {QStringLiteral("subjects"), subject, QStringLiteral("versions"),
                                    versionSegment(version)});
    if (deleted)
        r.addQuery(QStringLiteral("deleted"), true);
    addFormat(r, format);
    return sendAndParse<Schema>(m_transport, std::move(r), parseSchema);
}

QFuture<Result<QByteArray>> SchemaRegistryClient::rawSchema(const QString &subject, int version,
                                                            bool deleted)
{
    RestRequest r = request("GET", {QStringLiteral("subjects"), subject, QStringLiteral("versions"),
                                    versionSegment(version), QStringLiteral("schema")});
    if (deleted)
        r.addQuery(QStringLiteral("deleted"), true);
    r.expectJson = false;
    return sendAndParse<QByteArray>(m_transport, std::move(r), parseRaw);
}

QFuture<Result<QList<int>>> SchemaRegistryClient::referencedBy(const QString &subject, int version)
{
    RestRequest r = request("GET", {QStringLiteral("subjects"), subject, QStringLiteral("versions"),
                                    versionSegment(version), QStringLiteral("referencedby")});
    return sendAndParse<QList<int>>(m_transport, std::move(r), detail::parseIntList);
}

QFuture<Result<Schema>>
SchemaRegistryClient::latestWithMetadata(const QString &subject,
                                         const QMap<QString, QString> &metadata, bool deleted)
{
    RestRequest r =
        request("GET", {QStringLiteral("subjects"), subject, QStringLiteral("metadata")});
    for (auto it = metadata.cbegin(); it != metadata.cend(); ++it) {
        r.addQuery(QStringLiteral("key"), it.key());
        r.addQuery(QStringLiteral("value"), it.value());
    }
    if (deleted)
        r.addQuery(QStringLiteral("deleted"), true);
    return sendAndParse<Schema>(m_transport, std::move(r), parseSchema);
}

QFuture<Result<Schema>> SchemaRegistryClient::schemaById(int id, const SchemaFormatOptions &options)
{
    RestRequest r =
        request("GET", {QStringLiteral("schemas"), QStringLiteral("ids"), QString::number(id)});
    if (!options.subject.isEmpty())
        r.addQuery(QStringLiteral("subject"), options.subject);
    addFormat(r, options);
    return withId(sendAndParse<Schema>(m_transport, std::move(r), parseSchema), id);
}

QFuture<Result<QStringList>> SchemaRegistryClient::subjectsForId(int id, bool deleted)
{
    RestRequest r = request("GET", {QStringLiteral("schemas"), QStringLiteral("ids"),
                                    QString::number(id), QStringLiteral("subjects")});
    if (deleted)
        r.addQuery(QStringLiteral("deleted"), true);
    return sendAndParse<QStringList>(m_transport, std::move(r), detail::parseStringList);
}

QFuture<Result<QList<SubjectVersion>>> SchemaRegistryClient::versionsForId(int id, bool deleted)
{
    RestRequest r = request("GET", {QStringLiteral("schemas"), QStringLiteral("ids"),
                                    QString::number(id), QStringLiteral("versions")});
    if (deleted)
        r.addQuery(QStringLiteral("deleted"), true);
    return sendAndParse<QList<SubjectVersion>>(m_transport, std::move(r),
                                               detail::parseSubjectVersions);
}

QFuture<Result<QByteArray>> SchemaRegistryClient::rawSchemaById(int id, const QString &subject)
{
    RestRequest r = request("GET", {QStringLiteral("schemas"), QStringLiteral("ids"),
                                    QString::number(id), QStringLiteral("schema")});
    if (!subject.isEmpty())
        r.addQuery(QStringLiteral("subject"), subject);
    r.expectJson = false;
    return sendAndParse<QByteArray>(m_transport, std::move(r), parseRaw);
}

QFuture<Result<Schema>> SchemaRegistryClient::schemaByGuid(const QString &guid,
                                                           const SchemaFormatOptions &options)
{
    RestRequest r = request("GET", {QStringLiteral("schemas"), QStringLiteral("guids"), guid});
    addFormat(r, options);
    return sendAndParse<Schema>(
        m_transport, std::move(r),
        [guid](const Reply &reply, const RequestContext &ctx) -> Result<Schema> {
            auto s = parseSchema(reply, ctx);
            if (s && s->guid.isEmpty())
                s->guid = guid;
            return s;
        });
}

QFuture<Result<QList<int>>> SchemaRegistryClient::idsForGuid(const QString &guid)
{
    RestRequest r = request(
        "GET", {QStringLiteral("schemas"), QStringLiteral("guids"), guid, QStringLiteral("ids")});
    return sendAndParse<QList<int>>(m_transport, std::move(r), detail::parseIntList);
}

QFuture<Result<QStringList>> SchemaRegistryClient::schemaTypes()
{
    return sendAndParse<QStringList>(
        m_transport, request("GET", {QStringLiteral("schemas"), QStringLiteral("types")}),
        detail::parseStringList);
}

QFuture<Result<QList<Schema>>> SchemaRegistryClient::schemas(const SchemaListOptions &options)
{
    RestRequest r = request("GET", {QStringLiteral("schemas")});
    if (!options.subjectPrefix.isEmpty())
        r.addQuery(QStringLiteral("subjectPrefix"), options.subjectPrefix);
    if (options.deleted)
        r.addQuery(QStringLiteral("deleted"), true);
    if (options.latestOnly)
        r.addQuery(QStringLiteral("latestOnly"), true);
    if (!options.ruleType.isEmpty())
        r.addQuery(QStringLiteral("ruleType"), options.ruleType);
    addPaging(r, options.offset, options.limit);
    return sendAndParse<QList<Schema>>(m_transport, std::move(r), detail::parseSchemaList);
}

QFuture<Result<Schema>> SchemaRegistryClient::lookup(const QString &subject, const Schema &schema,
                                                     bool normalize, bool deleted)
{
    RestRequest r = request("POST", {QStringLiteral("subjects"), subject});
    if (normalize)
        r.addQuery(QStringLiteral("normalize"), true);
    if (deleted)
        r.addQuery(QStringLiteral("deleted"), true);
    r.setBody(QJsonDocument(schemaRequestJson(schema)));
    return sendAndParse<Schema>(
        m_transport, std::move(r),
        [subject](const Reply &reply, const RequestContext &ctx) -> Result<Schema> {
            auto s = parseSchema(reply, ctx);
            if (s && s->subject.isEmpty())
                s->subject = subject;
            return s;
        });
}

QFuture<Result<int>> SchemaRegistryClient::registerSchema(const QString &subject,
                                                          const Schema &schema, bool normalize)
{
    RestRequest r =
        request("POST", {QStringLiteral("subjects"), subject, QStringLiteral("versions")});
    if (normalize)
        r.addQuery(QStringLiteral("normalize"), true);
    r.setBody(QJsonDocument(schemaRequestJson(schema)));
    return sendAndParse<int>(m_transport, std::move(r),
                             [](const Reply &reply, const RequestContext &ctx) {
                                 return parseIntField(reply, ctx, QStringLiteral("id"));
                             });
}

QFuture<Result<QList<int>>> SchemaRegistryClient::deleteSubject(const QString &subject,
                                                                bool permanent)
{
    RestRequest r = request("DELETE", {QStringLiteral("subjects"), subject});
    if (permanent)
        r.addQuery(QStringLiteral("permanent"), true);
    return sendAndParse<QList<int>>(m_transport, std::move(r), detail::parseIntList);
}

QFuture<Result<int>> SchemaRegistryClient::deleteVersion(const QString &subject, int version,
                                                         bool permanent)
{
    RestRequest r = request("DELETE", {QStringLiteral("subjects"), subject,
                                       QStringLiteral("versions"), versionSegment(version)});
    if (permanent)
        r.addQuery(QStringLiteral("permanent"), true);
    return sendAndParse<int>(m_transport, std::move(r), parseBareInt);
}

QFuture<Result<QJsonObject>> SchemaRegistryClient::config(const QString &subject,
                                                          bool defaultToGlobal)
{
    RestRequest r = subject.isEmpty() ? request("GET", {QStringLiteral("config")})
                                      : request("GET", {QStringLiteral("config"), subject});
    if (!subject.isEmpty() && defaultToGlobal)
        r.addQuery(QStringLiteral("defaultToGlobal"), true);
    return sendAndParse<QJsonObject>(m_transport, std::move(r), detail::parseObject);
}

QFuture<Result<Schema>> SchemaRegistryClient::schemaById(int id)
{
    return schemaById(id, SchemaFormatOptions{});
}

QFuture<Result<Schema>> SchemaRegistryClient::schemaByGuid(const QUuid &guid)
{
    return schemaByGuid(guid.toString(QUuid::WithoutBraces), SchemaFormatOptions{});
}

QFuture<Result<Schema>> SchemaRegistryClient::schemaVersion(const QString &subject, int version)
{
    return this->version(subject, version, version != -1);
}

} // namespace kw::registry
