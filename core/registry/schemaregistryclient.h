#pragma once
// Typed, asynchronous client for the Schema Registry REST API (subjects, versions, schemas by
// id and guid, lookup, register, delete, config) on top of a RestTransport.

#include "core/domain/keysources.h"
#include "core/domain/registrytypes.h"
#include "core/net/resttransport.h"

#include <QFuture>
#include <QJsonObject>
#include <QMap>
#include <QPointer>
#include <QStringList>

namespace kw::registry {

struct SubjectVersion
{
    QString subject;
    int version = 0;
    bool operator==(const SubjectVersion &) const = default;
};

struct SubjectListOptions
{
    QString subjectPrefix;
    bool deleted = false;
    bool deletedOnly = false;
    int offset = 0;
    int limit = -1;
};

struct VersionListOptions
{
    bool deleted = false;
    bool deletedOnly = false;
    bool deletedAsNegative = false;
    int offset = 0;
    int limit = -1;
};

struct SchemaFormatOptions
{
    QString subject;         // schemaById only: the subject to look the id up in
    QString format;          // e.g. "serialized" or "resolved"; empty: server default
    QString referenceFormat; // empty: server default
    bool findTags = false;
};

struct SchemaListOptions
{
    QString subjectPrefix;
    bool deleted = false;
    bool latestOnly = false;
    QString ruleType;
    int offset = 0;
    int limit = -1;
};

class SchemaRegistryClient final : public engine::SchemaSource
{
public:
    // The transport must outlive the requests' use of it; the client only borrows it.
    explicit SchemaRegistryClient(RestTransport *transport);

    // GET /subjects
    QFuture<Result<QStringList>> subjects(const SubjectListOptions &options = {});
    // GET /subjects/{s}/versions
    QFuture<Result<QList<int>>> versions(const QString &subject,
                                         const VersionListOptions &options = {});
    // GET /subjects/{s}/versions/{v}; version -1 means "latest".
    QFuture<Result<Schema>> version(const QString &subject, int version, bool deleted = false,
                                    const SchemaFormatOptions &format = {});
    // GET /subjects/{s}/versions/{v}/schema: the schema text as stored.
    QFuture<Result<QByteArray>> rawSchema(const QString &subject, int version,
                                          bool deleted = false);
    // GET /subjects/{s}/versions/{v}/referencedby: ids of schemas referencing this version.
    QFuture<Result<QList<int>>> referencedBy(const QString &subject, int version);
    // GET /subjects/{s}/metadata?key=..&value=..: the latest version with matching metadata.
    QFuture<Result<Schema>> latestWithMetadata(const QString &subject,
                                               const QMap<QString, QString> &metadata,
                                               bool deleted = false);
    // GET /schemas/ids/{id}; the result's id is filled in from the request.
    QFuture<Result<Schema>> schemaById(int id, const SchemaFormatOptions &options);
    // GET /schemas/ids/{id}/subjects
    QFuture<Result<QStringList>> subjectsForId(int id, bool deleted = false);
    // GET /schemas/ids/{id}/versions
    QFuture<Result<QList<SubjectVersion>>> versionsForId(int id, bool deleted = false);
    // GET /schemas/ids/{id}/schema
    QFuture<Result<QByteArray>> rawSchemaById(int id, const QString &subject = {});
    // GET /schemas/guids/{guid}
    QFuture<Result<Schema>> schemaByGuid(const QString &guid,
                                         const SchemaFormatOptions &options = {});
    // GET /schemas/guids/{guid}/ids
    QFuture<Result<QList<int>>> idsForGuid(const QString &guid);
    // GET /schemas/types
    QFuture<Result<QStringList>> schemaTypes();
    // GET /schemas
    QFuture<Result<QList<Schema>>> schemas(const SchemaListOptions &options = {});
    // POST /subjects/{s}: is this schema registered under the subject? Answers with its version.
    QFuture<Result<Schema>> lookup(const QString &subject, const Schema &schema,
                                   bool normalize = false, bool deleted = false);
    // POST /subjects/{s}/versions: registers (or finds) the schema; answers with its id.
    QFuture<Result<int>> registerSchema(const QString &subject, const Schema &schema,
                                        bool normalize = false);
    // DELETE /subjects/{s}: answers with the versions deleted. Soft delete first, then permanent.
    QFuture<Result<QList<int>>> deleteSubject(const QString &subject, bool permanent = false);
    // DELETE /subjects/{s}/versions/{v}: answers with the version deleted.
    QFuture<Result<int>> deleteVersion(const QString &subject, int version, bool permanent = false);
    // GET /config, or GET /config/{subject} when a subject is given.
    QFuture<Result<QJsonObject>> config(const QString &subject = {}, bool defaultToGlobal = false);

    // Pages through GET /subjects with offset/limit.
    QFuture<Result<QStringList>> allSubjects(const QString &subjectPrefix = {},
                                             bool deleted = false, int pageSize = 1000);

    // engine::SchemaSource
    QFuture<Result<Schema>> schemaById(int id) override;
    QFuture<Result<Schema>> schemaByGuid(const QUuid &guid) override;
    // Explicit versions are fetched with deleted=true, so references of old records resolve.
    QFuture<Result<Schema>> schemaVersion(const QString &subject, int version) override;

private:
    QPointer<RestTransport> m_transport;
};

// The body of a register or lookup request: schema, schemaType (unless AVRO), references,
// metadata and ruleSet.
QJsonObject schemaRequestJson(const Schema &schema);

} // namespace kw::registry
