#include "core/sandbox/httpexchange.h"

#include "core/sandbox/registryerrors.h"

#include <QJsonDocument>

#include <limits>

namespace kw::sandbox {

QString HttpRequest::param(const QString &key) const
{
    return query.queryItemValue(key, QUrl::FullyDecoded);
}

QStringList HttpRequest::params(const QString &key) const
{
    return query.allQueryItemValues(key, QUrl::FullyDecoded);
}

bool HttpRequest::flag(const QString &key) const
{
    return param(key).compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
}

int HttpRequest::intParam(const QString &key, int fallback) const
{
    bool ok = false;
    const int value = param(key).toInt(&ok);
    return ok ? value : fallback;
}

bool HttpRequest::hasParam(const QString &key) const
{
    return query.hasQueryItem(key);
}

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &h : headers) {
        if (name.compare(h.first, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

HttpReply jsonReply(const QJsonObject &object, int status)
{
    return HttpReply{status, QJsonDocument(object).toJson(QJsonDocument::Compact),
                     QByteArray(RegistryContentType)};
}

HttpReply jsonReply(const QJsonArray &array, int status)
{
    return HttpReply{status, QJsonDocument(array).toJson(QJsonDocument::Compact),
                     QByteArray(RegistryContentType)};
}

HttpReply jsonReply(const QStringList &strings)
{
    return jsonReply(QJsonArray::fromStringList(strings));
}

HttpReply jsonReply(const QList<int> &numbers)
{
    QJsonArray array;
    for (int n : numbers)
        array.append(n);
    return jsonReply(array);
}

HttpReply rawReply(const QByteArray &body)
{
    return HttpReply{200, body, QByteArray(RegistryContentType)};
}

HttpReply noContent()
{
    return HttpReply{204, {}, {}};
}

HttpReply errorReply(int code, const QString &message)
{
    return jsonReply(
        QJsonObject{{QStringLiteral("error_code"), code}, {QStringLiteral("message"), message}},
        httpStatusForCode(code));
}

HttpReply errorReply(const Error &error)
{
    return errorReply(registryErrorCode(error), error.message);
}

HttpReply notFoundReply()
{
    return errorReply(404, QStringLiteral("HTTP 404 Not Found"));
}

HttpReply methodNotAllowed()
{
    return errorReply(405, QStringLiteral("HTTP 405 Method Not Allowed"));
}

Result<QJsonObject> jsonBody(const HttpRequest &request)
{
    if (request.body.trimmed().isEmpty())
        return QJsonObject{};
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return registryError(400, QStringLiteral("Unexpected character in the request body at "
                                                 "offset %1: %2")
                                      .arg(parseError.offset)
                                      .arg(parseError.errorString()));
    if (!doc.isObject())
        return registryError(422, QStringLiteral("The request body must be a JSON object."));
    return doc.object();
}

Result<int> parseVersion(const QString &segment)
{
    if (segment == QLatin1String("latest"))
        return -1;
    bool ok = false;
    const int version = segment.toInt(&ok);
    if (ok && (version > 0 || version == -1))
        return version;
    return registryError(ErrInvalidVersion,
                         QStringLiteral("The specified version '%1' is not a valid version id. "
                                        "Allowed values are between [1, 2^31-1] and the string "
                                        "\"latest\"")
                             .arg(segment));
}

namespace {

Error wrongType(const char *key, const char *type)
{
    return registryError(
        422, QStringLiteral("Field '%1' must be %2.").arg(QLatin1String(key), QLatin1String(type)));
}

// The field, or nullopt when absent or null.
std::optional<QJsonValue> field(const QJsonObject &o, const char *key, bool *present)
{
    const QJsonValue v = o.value(QLatin1String(key));
    const bool has = !v.isUndefined() && !v.isNull();
    if (present)
        *present = has;
    if (!has)
        return std::nullopt;
    return v;
}

} // namespace

Result<void> readString(const QJsonObject &o, const char *key, QString &out, bool *present)
{
    const auto v = field(o, key, present);
    if (!v)
        return {};
    if (!v->isString())
        return wrongType(key, "a string");
    out = v->toString();
    return {};
}

Result<void> readBool(const QJsonObject &o, const char *key, bool &out, bool *present)
{
    const auto v = field(o, key, present);
    if (!v)
        return {};
    if (!v->isBool())
        return wrongType(key, "true or false");
    out = v->toBool();
    return {};
}

Result<void> readInt(const QJsonObject &o, const char *key, int &out, bool *present)
{
    const auto v = field(o, key, present);
    if (!v)
        return {};
    const double d = v->toDouble();
    if (!v->isDouble() || d != static_cast<double>(static_cast<qint64>(d)) ||
        d < std::numeric_limits<int>::min() || d > std::numeric_limits<int>::max())
        return wrongType(key, "an integer");
    out = static_cast<int>(d);
    return {};
}

Result<void> readStringMap(const QJsonObject &o, const char *key, QMap<QString, QString> &out,
                           bool *present)
{
    const auto v = field(o, key, present);
    if (!v)
        return {};
    if (!v->isObject())
        return wrongType(key, "an object of strings");
    QMap<QString, QString> map;
    const QJsonObject object = v->toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isString())
            return wrongType(key, "an object of strings");
        map.insert(it.key(), it.value().toString());
    }
    out = map;
    return {};
}

} // namespace kw::sandbox
