#include "core/registry/clientutil_p.h"
#include "core/registry/logging_p.h"

#include <QJsonObject>

#include <cmath>

Q_LOGGING_CATEGORY(lcRegistry, "keywarden.registry", QtInfoMsg)

namespace kw::registry::detail {

Error malformed(const RequestContext &ctx, const QString &expected)
{
    return makeError(
        QStringLiteral("registry.malformed_reply"),
        QStringLiteral("%1 answered %2 with an unexpected reply: expected %3. Check that the URL "
                       "points at a Schema Registry.")
            .arg(ctx.service, ctx.what, expected));
}

Error inContext(const Error &error, const RequestContext &ctx)
{
    QString message = error.message;
    while (message.endsWith(QLatin1Char('.')))
        message.chop(1);
    return makeError(error.code,
                     QStringLiteral("%1 — %2 (%3).").arg(message, ctx.what, ctx.service));
}

Error transportGone(const QString &service)
{
    return makeError(
        QStringLiteral("registry.cancelled"),
        QStringLiteral("%1: the request was cancelled because its connection was closed.")
            .arg(service));
}

Result<QStringList> parseStringList(const Reply &reply, const RequestContext &ctx)
{
    if (!reply.json.isArray())
        return malformed(ctx, QStringLiteral("a JSON array of strings"));
    QStringList out;
    const QJsonArray array = reply.json.array();
    out.reserve(array.size());
    for (const QJsonValue &v : array) {
        if (!v.isString())
            return malformed(ctx, QStringLiteral("a JSON array of strings"));
        out.append(v.toString());
    }
    return out;
}

Result<QList<int>> parseIntList(const Reply &reply, const RequestContext &ctx)
{
    if (!reply.json.isArray())
        return malformed(ctx, QStringLiteral("a JSON array of integers"));
    QList<int> out;
    const QJsonArray array = reply.json.array();
    out.reserve(array.size());
    for (const QJsonValue &v : array) {
        // Range first: converting a double beyond qint64 to an integer is undefined, and a
        // server may send any number ([1e30]).
        const double d = v.toDouble(0.5);
        if (!v.isDouble() || !(d >= INT_MIN && d <= INT_MAX) || d != std::trunc(d))
            return malformed(ctx, QStringLiteral("a JSON array of integers"));
        out.append(int(d));
    }
    return out;
}

Result<QJsonObject> parseObject(const Reply &reply, const RequestContext &ctx)
{
    if (!reply.json.isObject())
        return malformed(ctx, QStringLiteral("a JSON object"));
    return reply.json.object();
}

Result<void> parseNothing(const Reply &, const RequestContext &)
{
    return {};
}

} // namespace kw::registry::detail
