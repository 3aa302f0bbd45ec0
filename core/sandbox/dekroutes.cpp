#include "core/sandbox/dekroutes.h"

#include "core/sandbox/keyrules_p.h"
#include "core/sandbox/registryerrors.h"
#include "core/sandbox/sandboxstore.h"

namespace kw::sandbox {

namespace {

using Method = QByteArray;
const Method Get = QByteArrayLiteral("GET");
const Method Post = QByteArrayLiteral("POST");
const Method Put = QByteArrayLiteral("PUT");
const Method Delete = QByteArrayLiteral("DELETE");

template<typename T>
HttpReply replyFor(const Result<T> &result)
{
    if (!result)
        return errorReply(result.error());
    return jsonReply(result->toJson());
}

HttpReply replyFor(const Result<void> &result)
{
    return result ? noContent() : errorReply(result.error());
}

HttpReply listReply(const Result<QStringList> &result)
{
    return result ? jsonReply(*result) : errorReply(result.error());
}

HttpReply listReply(const Result<QList<int>> &result)
{
    return result ? jsonReply(*result) : errorReply(result.error());
}

// CreateKekRequest.
HttpReply createKek(SandboxStore &store, const HttpRequest &request)
{
    const Result<QJsonObject> body = jsonBody(request);
    if (!body)
        return errorReply(body.error());
    registry::Kek kek;
    for (const Result<void> &read :
         {readString(*body, "name", kek.name), readString(*body, "kmsType", kek.kmsType),
          readString(*body, "kmsKeyId", kek.kmsKeyId),
          readStringMap(*body, "kmsProps", kek.kmsProps), readString(*body, "doc", kek.doc),
          readBool(*body, "shared", kek.shared), readBool(*body, "deleted", kek.deleted)}) {
        if (!read)
            return errorReply(read.error());
    }
    return replyFor(store.createKek(kek, request.flag(QStringLiteral("testSharing"))));
}

// UpdateKekRequest: absent keeps, null clears.
HttpReply updateKek(SandboxStore &store, const QString &name, const HttpRequest &request)
{
    const Result<QJsonObject> body = jsonBody(request);
    if (!body)
        return errorReply(body.error());
    KekUpdate update;
    QMap<QString, QString> props;
    QString doc;
    bool shared = false;
    bool present = false;
    if (auto r = readStringMap(*body, "kmsProps", props, &present); !r)
        return errorReply(r.error());
    if (present || body->contains(QStringLiteral("kmsProps")))
        update.kmsProps = props;
    if (auto r = readString(*body, "doc", doc, &present); !r)
        return errorReply(r.error());
    if (present || body->contains(QStringLiteral("doc")))
        update.doc = doc;
    if (auto r = readBool(*body, "shared", shared, &present); !r)
        return errorReply(r.error());
    if (present)
        update.shared = shared;
    return replyFor(store.updateKek(name, update, request.flag(QStringLiteral("testSharing"))));
}

// CreateDekRequest; `subject` from the path, or from the body for the deprecated route.
HttpReply createDek(SandboxStore &store, const QString &kekName, std::optional<QString> subject,
                    const HttpRequest &request)
{
    const Result<QJsonObject> body = jsonBody(request);
    if (!body)
        return errorReply(body.error());
    registry::Dek dek;
    dek.version = 1;
    dek.algorithm.clear();
    QString material;
    QString bodySubject;
    for (const Result<void> &read :
         {readString(*body, "subject", bodySubject), readInt(*body, "version", dek.version),
          readString(*body, "algorithm", dek.algorithm),
          readString(*body, "encryptedKeyMaterial", material),
          readBool(*body, "deleted", dek.deleted)}) {
        if (!read)
            return errorReply(read.error());
    }
    dek.subject = subject ? *subject : bodySubject;
    if (!material.isEmpty()) {
        auto decoded = QByteArray::fromBase64Encoding(material.toLatin1(),
                                                      QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.isEmpty())
            return errorReply(invalidKeyField(QStringLiteral("encryptedKeyMaterial")));
        dek.encryptedKeyMaterial = *decoded;
    }
    return replyFor(store.registerDek(kekName, dek, request.flag(QStringLiteral("rewrap"))));
}

// /dek-registry/v1/keks/{name}/deks/{subject}[/...]
HttpReply dekRoutes(SandboxStore &store, const QString &name, const QStringList &rest,
                    const HttpRequest &request)
{
    const QString subject = rest.at(0);
    const QString algorithm = request.param(QStringLiteral("algorithm"));
    const bool deleted = request.flag(QStringLiteral("deleted"));
    const bool permanent = request.flag(QStringLiteral("permanent"));
    const int offset = request.intParam(QStringLiteral("offset"), 0);
    const int limit = request.intParam(QStringLiteral("limit"), -1);
    const Method &m = request.method;

    if (rest.size() == 1) {
        if (m == Get) // version 1 (MIN_VERSION), not the latest
            return replyFor(store.getDek(name, subject, 1, algorithm, deleted));
        if (m == Post)
            return createDek(store, name, subject, request);
        if (m == Delete)
            return replyFor(store.deleteDekVersions(name, subject, algorithm, permanent));
        return methodNotAllowed();
    }
    if (rest.size() == 2 && rest.at(1) == QLatin1String("undelete")) {
        if (m != Post)
            return methodNotAllowed();
        return replyFor(store.undeleteDekVersions(name, subject, algorithm));
    }
    if (rest.at(1) != QLatin1String("versions") || rest.size() > 4)
        return notFoundReply();
    if (rest.size() == 2) {
        if (m != Get)
            return methodNotAllowed();
        return listReply(store.listDekVersions(name, subject, algorithm, deleted, offset, limit));
    }
    if (rest.size() == 4 && rest.at(3) != QLatin1String("undelete"))
        return notFoundReply();
    const Result<int> version = parseVersion(rest.at(2));
    if (rest.size() == 4) {
        if (m != Post)
            return methodNotAllowed();
        if (!version)
            return errorReply(version.error());
        return replyFor(store.undeleteDekVersion(name, subject, *version, algorithm));
    }
    if (m != Get && m != Delete)
        return methodNotAllowed();
    if (!version)
        return errorReply(version.error());
    if (m == Get)
        return replyFor(store.getDek(name, subject, *version, algorithm, deleted));
    return replyFor(store.deleteDekVersion(name, subject, *version, algorithm, permanent));
}

// /dek-registry/v1/keks/{name}[/...]
HttpReply kekRoutes(SandboxStore &store, const QStringList &rest, const HttpRequest &request)
{
    const QString name = rest.at(0);
    const Method &m = request.method;
    if (!detail::isValidKekName(name))
        return errorReply(invalidKeyField(QStringLiteral("name")));
    if (rest.size() == 1) {
        if (m == Get)
            return replyFor(store.getKek(name, request.flag(QStringLiteral("deleted"))));
        if (m == Put)
            return updateKek(store, name, request);
        if (m == Delete)
            return replyFor(store.deleteKek(name, request.flag(QStringLiteral("permanent"))));
        return methodNotAllowed();
    }
    const QString &what = rest.at(1);
    if (rest.size() == 2 && what == QLatin1String("undelete"))
        return m == Post ? replyFor(store.undeleteKek(name)) : methodNotAllowed();
    if (rest.size() == 2 && what == QLatin1String("test"))
        return m == Post ? replyFor(store.testKek(name)) : methodNotAllowed();
    if (what != QLatin1String("deks"))
        return notFoundReply();
    if (rest.size() == 2) {
        if (m == Get)
            return listReply(store.listDekSubjects(name, request.flag(QStringLiteral("deleted")),
                                                   request.intParam(QStringLiteral("offset"), 0),
                                                   request.intParam(QStringLiteral("limit"), -1)));
        if (m == Post) // deprecated form, subject in the body
            return createDek(store, name, std::nullopt, request);
        return methodNotAllowed();
    }
    return dekRoutes(store, name, rest.mid(2), request);
}

} // namespace

std::optional<HttpReply> routeDekRegistry(SandboxStore &store, const HttpRequest &request)
{
    const QStringList &s = request.segments;
    if (s.size() < 3 || s.at(0) != QLatin1String("dek-registry") ||
        s.at(1) != QLatin1String("v1") || s.at(2) != QLatin1String("keks"))
        return std::nullopt;
    if (s.size() == 3) {
        if (request.method == Get)
            return listReply(store.listKeks(request.params(QStringLiteral("subjectPrefix")),
                                            request.flag(QStringLiteral("deleted")),
                                            request.intParam(QStringLiteral("offset"), 0),
                                            request.intParam(QStringLiteral("limit"), -1)));
        if (request.method == Post)
            return createKek(store, request);
        return methodNotAllowed();
    }
    return kekRoutes(store, s.mid(3), request);
}

} // namespace kw::sandbox
