#pragma once
// One HTTP request and its reply as plain values, so the sandbox's route handlers are simple
// functions of (store, request) -> reply, plus the JSON and parameter helpers they share.

#include "core/domain/result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <optional>

namespace kw::sandbox {

struct HttpRequest
{
    QByteArray method;    // "GET", "POST", ...
    QStringList segments; // the path split at '/', each segment percent-decoded
    QUrlQuery query;
    QByteArray body;
    // For the KMS doubles, which check signatures and tokens: the headers as received, and
    // the path and query exactly as sent (still percent-encoded).
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray rawPath;
    QByteArray rawQuery;

    // Query parameters, fully decoded.
    [[nodiscard]] QString param(const QString &key) const;
    [[nodiscard]] QStringList params(const QString &key) const;
    // true only for "true" (any case), as JAX-RS parses booleans; absent means false.
    [[nodiscard]] bool flag(const QString &key) const;
    [[nodiscard]] int intParam(const QString &key, int fallback) const;
    [[nodiscard]] bool hasParam(const QString &key) const;
    // The value of header `name` (any case), empty when absent.
    [[nodiscard]] QByteArray header(QByteArrayView name) const;
};

struct HttpReply
{
    int status = 200;
    QByteArray body;
    QByteArray contentType;
    // Further headers (the KMS doubles' Retry-After).
    QList<QPair<QByteArray, QByteArray>> headers = {};
};

inline constexpr char RegistryContentType[] = "application/vnd.schemaregistry.v1+json";

[[nodiscard]] HttpReply jsonReply(const QJsonObject &object, int status = 200);
[[nodiscard]] HttpReply jsonReply(const QJsonArray &array, int status = 200);
[[nodiscard]] HttpReply jsonReply(const QStringList &strings);
[[nodiscard]] HttpReply jsonReply(const QList<int> &numbers);
// A raw body (e.g. a schema text) with the registry content type.
[[nodiscard]] HttpReply rawReply(const QByteArray &body);
[[nodiscard]] HttpReply noContent();
// {"error_code": code, "message": message} with the status that goes with the code.
[[nodiscard]] HttpReply errorReply(int code, const QString &message);
// The same for a store error ("registry.<code>").
[[nodiscard]] HttpReply errorReply(const Error &error);
[[nodiscard]] HttpReply notFoundReply();
[[nodiscard]] HttpReply methodNotAllowed();

// The body as a JSON object. An empty body is {}. Malformed JSON: 400/error_code 400; valid JSON
// that is not an object: 422/error_code 422.
[[nodiscard]] Result<QJsonObject> jsonBody(const HttpRequest &request);
// A {version} path segment: a positive int, "latest" or -1 (-> -1). Otherwise 42202.
[[nodiscard]] Result<int> parseVersion(const QString &segment);

// Typed field access for request bodies; a field of the wrong JSON type gives 422/422.
// Absent or null leaves `out` unchanged and returns false in `present` (when given).
Result<void> readString(const QJsonObject &o, const char *key, QString &out,
                        bool *present = nullptr);
Result<void> readBool(const QJsonObject &o, const char *key, bool &out, bool *present = nullptr);
Result<void> readInt(const QJsonObject &o, const char *key, int &out, bool *present = nullptr);
Result<void> readStringMap(const QJsonObject &o, const char *key, QMap<QString, QString> &out,
                           bool *present = nullptr);

} // namespace kw::sandbox
