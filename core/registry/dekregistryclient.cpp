#include "core/registry/dekregistryclient.h"

#include "core/registry/clientutil_p.h"
#include "core/registry/logging_p.h"
#include "core/registry/replyparsers_p.h"

#include <QJsonObject>

namespace kw::registry {

using detail::RequestContext;
using detail::sendAndParse;

namespace {

const QString kService = QStringLiteral("DEK Registry");

RestRequest request(QByteArray method, QStringList tail)
{
    QStringList path{QStringLiteral("dek-registry"), QStringLiteral("v1"), QStringLiteral("keks")};
    path += tail;
    return RestRequest::make(std::move(method), std::move(path)).setService(kService);
}

QString versionSegment(int version)
{
    return version == -1 ? QStringLiteral("latest") : QString::number(version);
}

void addAlgorithm(RestRequest &r, const QString &algorithm)
{
    if (!algorithm.isEmpty())
        r.addQuery(QStringLiteral("algorithm"), algorithm);
}

void addDeleted(RestRequest &r, bool deleted)
{
    if (deleted)
        r.addQuery(QStringLiteral("deleted"), true);
}

void addPaging(RestRequest &r, int offset, int limit)
{
    if (offset > 0)
        r.addQuery(QStringLiteral("offset"), offset);
    if (limit >= 0)
        r.addQuery(QStringLiteral("limit"), limit);
}

} // namespace

namespace detail {

Result<Kek> parseKek(const Reply &reply, const RequestContext &ctx)
{
    if (!reply.json.isObject())
        return detail::malformed(ctx, QStringLiteral("a KEK object"));
    auto kek = Kek::fromJson(reply.json.object());
    if (!kek)
        return detail::inContext(kek.error(), ctx);
    return kek;
}

Result<Dek> parseDek(const Reply &reply, const RequestContext &ctx)
{
    if (!reply.json.isObject())
        return detail::malformed(ctx, QStringLiteral("a DEK object"));
    auto dek = Dek::fromJson(reply.json.object());
    if (!dek)
        return detail::inContext(dek.error(), ctx);
    return dek;
}

} // namespace detail

using detail::parseDek;
using detail::parseKek;

QJsonObject KekUpdate::toJson() const
{
    QJsonObject o;
    if (clearKmsProps) {
        o.insert(QStringLiteral("kmsProps"), QJsonValue::Null);
    } else if (kmsProps) {
        QJsonObject props;
        for (auto it = kmsProps->cbegin(); it != kmsProps->cend(); ++it)
            props.insert(it.key(), it.value());
        o.insert(QStringLiteral("kmsProps"), props);
    }
    if (clearDoc)
        o.insert(QStringLiteral("doc"), QJsonValue::Null);
    else if (doc)
        o.insert(QStringLiteral("doc"), *doc);
    if (shared)
        o.insert(QStringLiteral("shared"), *shared);
    return o;
}

QJsonObject createKekRequestJson(const Kek &kek)
{
    QJsonObject o = kek.toJson();
    o.remove(QStringLiteral("ts"));
    o.insert(QStringLiteral("deleted"), kek.deleted);
    return o;
}

QJsonObject createDekRequestJson(const Dek &dek, bool includeSubject)
{
    QJsonObject o{{QStringLiteral("version"), dek.version}};
    if (includeSubject)
        o.insert(QStringLiteral("subject"), dek.subject);
    if (!dek.algorithm.isEmpty())
        o.insert(QStringLiteral("algorithm"), dek.algorithm);
    if (!dek.encryptedKeyMaterial.isEmpty())
        o.insert(QStringLiteral("encryptedKeyMaterial"),
                 QString::fromLatin1(dek.encryptedKeyMaterial.toBase64()));
    if (dek.deleted)
        o.insert(QStringLiteral("deleted"), true);
    return o;
}

DekRegistryClient::DekRegistryClient(RestTransport *transport)
    : m_transport(transport)
{}

QFuture<Result<QStringList>> DekRegistryClient::listKeks(const KekListOptions &options)
{
    RestRequest r = request("GET", {});
    for (const QString &prefix : options.subjectPrefixes)
        r.addQuery(QStringLiteral("subjectPrefix"), prefix);
    addDeleted(r, options.deleted);
    addPaging(r, options.offset, options.limit);
    return sendAndParse<QStringList>(m_transport, std::move(r), detail::parseStringList);
}

QFuture<Result<Kek>> DekRegistryClient::createKek(const Kek &kek, bool testSharing)
{
    RestRequest r = request("POST", {});
    if (testSharing)
        r.addQuery(QStringLiteral("testSharing"), true);
    r.setBody(QJsonDocument(createKekRequestJson(kek)));
    return sendAndParse<Kek>(m_transport, std::move(r), parseKek);
}

QFuture<Result<Kek>> DekRegistryClient::getKek(const QString &name, bool deleted)
{
    RestRequest r = request("GET", {name});
    addDeleted(r, deleted);
    return sendAndParse<Kek>(m_transport, std::move(r), parseKek);
}

QFuture<Result<Kek>> DekRegistryClient::updateKek(const QString &name, const KekUpdate &update,
                                                  bool testSharing)
{
    RestRequest r = request("PUT", {name});
    if (testSharing)
        r.addQuery(QStringLiteral("testSharing"), true);
    r.setBody(QJsonDocument(update.toJson()));
    return sendAndParse<Kek>(m_transport, std::move(r), parseKek);
}

QFuture<Result<void>> DekRegistryClient::deleteKek(const QString &name, bool permanent)
{
    RestRequest r = request("DELETE", {name});
    if (permanent)
        r.addQuery(QStringLiteral("permanent"), true);
    return sendAndParse<void>(m_transport, std::move(r), detail::parseNothing);
}

QFuture<Result<void>> DekRegistryClient::undeleteKek(const QString &name)
{
    return sendAndParse<void>(m_transport, request("POST", {name, QStringLiteral("undelete")}),
                              detail::parseNothing);
}

QFuture<Result<Kek>> DekRegistryClient::testKek(const QString &name)
{
    return sendAndParse<Kek>(m_transport, request("POST", {name, QStringLiteral("test")}),
                             parseKek);
}

QFuture<Result<QStringList>> DekRegistryClient::listDekSubjects(const QString &kekName,
                                                                const DekListOptions &options)
{
    RestRequest r = request("GET", {kekName, QStringLiteral("deks")});
    addDeleted(r, options.deleted);
    addPaging(r, options.offset, options.limit);
    return sendAndParse<QStringList>(m_transport, std::move(r), detail::parseStringList);
}

QFuture<Result<Dek>> DekRegistryClient::createDek(const QString &kekName, const Dek &dek,
                                                  bool rewrap)
{
    if (!m_transport)
        return detail::readyResult<Dek>(detail::transportGone(kService));
    RestRequest r = request("POST", {kekName, QStringLiteral("deks"), dek.subject});
    if (rewrap)
        r.addQuery(QStringLiteral("rewrap"), true);
    r.setBody(QJsonDocument(createDekRequestJson(dek, true)));
    r.passThroughStatuses = {405};

    // Older registries only have the deprecated POST /keks/{name}/deks (subject in the body);
    // like Confluent's clients, fall back to it when the new path answers 405.
    RestRequest fallback = request("POST", {kekName, QStringLiteral("deks")});
    fallback.setBody(QJsonDocument(createDekRequestJson(dek, true)));

    auto promise = std::make_shared<QPromise<Result<Dek>>>();
    promise->start();
    QFuture<Result<Dek>> future = promise->future();
    QPointer<RestTransport> transport = m_transport;
    const RequestContext ctx{kService, m_transport->describe(r)};
    m_transport->send(std::move(r)).then([promise, transport, ctx, fallback](Result<Reply> reply) {
        auto deliver = [promise](Result<Dek> result) {
            promise->addResult(std::move(result));
            promise->finish();
        };
        if (!reply) {
            deliver(reply.error());
            return;
        }
        if (reply->httpStatus != 405) {
            deliver(parseDek(*reply, ctx));
            return;
        }
        qCInfo(lcRegistry) << ctx.what << "answered 405; using the deprecated create-DEK endpoint";
        sendAndParse<Dek>(transport, fallback, parseDek).then([deliver](Result<Dek> dekResult) {
            deliver(std::move(dekResult));
        });
    });
    return future;
}

QFuture<Result<Dek>> DekRegistryClient::getDek(const QString &kekName, const QString &subject,
                                               const QString &algorithm, bool deleted)
{
    RestRequest r = request("GET", {kekName, QStringLiteral("deks"), subject});
    addAlgorithm(r, algorithm);
    addDeleted(r, deleted);
    return sendAndParse<Dek>(m_transport, std::move(r), parseDek);
}

QFuture<Result<void>> DekRegistryClient::deleteDek(const QString &kekName, const QString &subject,
                                                   const QString &algorithm, bool permanent)
{
    RestRequest r = request("DELETE", {kekName, QStringLiteral("deks"), subject});
    addAlgorithm(r, algorithm);
    if (permanent)
        r.addQuery(QStringLiteral("permanent"), true);
    return sendAndParse<void>(m_transport, std::move(r), detail::parseNothing);
}

QFuture<Result<void>> DekRegistryClient::undeleteDek(const QString &kekName, const QString &subject,
                                                     const QString &algorithm)
{
    RestRequest r =
        request("POST", {kekName, QStringLiteral("deks"), subject, QStringLiteral("undelete")});
    addAlgorithm(r, algorithm);
    return sendAndParse<void>(m_transport, std::move(r), detail::parseNothing);
}

QFuture<Result<QList<int>>> DekRegistryClient::listDekVersions(const QString &kekName,
                                                               const QString &subject,
                                                               const QString &algorithm,
                                                               const DekListOptions &options)
{
    RestRequest r =
        request("GET", {kekName, QStringLiteral("deks"), subject, QStringLiteral("versions")});
    addAlgorithm(r, algorithm);
    addDeleted(r, options.deleted);
    addPaging(r, options.offset, options.limit);
    return sendAndParse<QList<int>>(m_transport, std::move(r), detail::parseIntList);
}

QFuture<Result<Dek>> DekRegistryClient::getDekVersion(const QString &kekName,
                                                      const QString &subject, int version,
                                                      const QString &algorithm, bool deleted)
{
    RestRequest r = request("GET", {kekName, QStringLiteral("deks"), subject,
                                    QStringLiteral("versions"), versionSegment(version)});
    addAlgorithm(r, algorithm);
    addDeleted(r, deleted);
    return sendAndParse<Dek>(m_transport, std::move(r), parseDek);
}

QFuture<Result<void>> DekRegistryClient::deleteDekVersion(const QString &kekName,
                                                          const QString &subject, int version,
                                                          const QString &algorithm, bool permanent)
{
    RestRequest r = request("DELETE", {kekName, QStringLiteral("deks"), subject,
                                       QStringLiteral("versions"), versionSegment(version)});
    addAlgorithm(r, algorithm);
    if (permanent)
        r.addQuery(QStringLiteral("permanent"), true);
    return sendAndParse<void>(m_transport, std::move(r), detail::parseNothing);
}

QFuture<Result<void>> DekRegistryClient::undeleteDekVersion(const QString &kekName,
                                                            const QString &subject, int version,
                                                            const QString &algorithm)
{
    RestRequest r =
        request("POST", {kekName, QStringLiteral("deks"), subject, QStringLiteral("versions"),
                         versionSegment(version), QStringLiteral("undelete")});
    addAlgorithm(r, algorithm);
    return sendAndParse<void>(m_transport, std::move(r), detail::parseNothing);
}

QFuture<Result<QStringList>>
DekRegistryClient::listAllKeks(int pageSize, const QStringList &subjectPrefixes, bool deleted)
{
    QPointer<RestTransport> transport = m_transport;
    return detail::PageWalker<QString>::walk(
        [transport, subjectPrefixes, deleted](int offset, int limit) {
            return DekRegistryClient(transport.data())
                .listKeks({subjectPrefixes, deleted, offset, limit});
        },
        pageSize);
}

QFuture<Result<QStringList>> DekRegistryClient::listAllDekSubjects(const QString &kekName,
                                                                   int pageSize, bool deleted)
{
    QPointer<RestTransport> transport = m_transport;
    return detail::PageWalker<QString>::walk(
        [transport, kekName, deleted](int offset, int limit) {
            return DekRegistryClient(transport.data())
                .listDekSubjects(kekName, {deleted, offset, limit});
        },
        pageSize);
}

QFuture<Result<QList<int>>> DekRegistryClient::listAllDekVersions(const QString &kekName,
                                                                  const QString &subject,
                                                                  const QString &algorithm,
                                                                  int pageSize, bool deleted)
{
    QPointer<RestTransport> transport = m_transport;
    return detail::PageWalker<int>::walk(
        [transport, kekName, subject, algorithm, deleted](int offset, int limit) {
            return DekRegistryClient(transport.data())
                .listDekVersions(kekName, subject, algorithm, {deleted, offset, limit});
        },
        pageSize);
}

QFuture<Result<Kek>> DekRegistryClient::kek(const QString &name, bool includeDeleted)
{
    return getKek(name, includeDeleted);
}

QFuture<Result<Dek>> DekRegistryClient::dek(const QString &kekName, const QString &subject,
                                            int version, const QString &algorithm,
                                            bool includeDeleted)
{
    return getDekVersion(kekName, subject, version, algorithm, includeDeleted);
}

QFuture<Result<Dek>> DekRegistryClient::createDek(const QString &kekName, const Dek &request)
{
    return createDek(kekName, request, false);
}

QFuture<Result<QList<int>>> DekRegistryClient::dekVersions(const QString &kekName,
                                                           const QString &subject,
                                                           const QString &algorithm,
                                                           bool includeDeleted)
{
    DekListOptions options;
    options.deleted = includeDeleted;
    return listDekVersions(kekName, subject, algorithm, options);
}

} // namespace kw::registry
