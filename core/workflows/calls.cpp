#include "core/workflows/calls_p.h"

#include <QUrl>

namespace kw::workflows::detail {

namespace {

int registryCode(const Error &error)
{
    if (!error.code.startsWith(QLatin1String("registry.")))
        return 0;
    const QString rest = error.code.mid(9);
    if (rest.startsWith(QLatin1String("http_")))
        return rest.mid(5).toInt();
    return rest.toInt();
}

} // namespace

bool isTransient(const Error &error)
{
    static const QStringList codes{
        QStringLiteral("registry.unreachable"), QStringLiteral("registry.timeout"),
        QStringLiteral("registry.incomplete_reply"), QStringLiteral("kms.unavailable")};
    if (codes.contains(error.code))
        return true;
    const int code = registryCode(error);
    // HTTP 5xx, and the registry's own 5-digit codes of that class (50001, 50070, ...).
    return (code >= 500 && code <= 599) || (code >= 50000 && code <= 59999);
}

bool isNotFound(const Error &error)
{
    const int code = registryCode(error);
    return code == 404 || (code >= 40400 && code <= 40499 && code != 40471 && code != 40472);
}

bool isConflict(const Error &error)
{
    const int code = registryCode(error);
    return code == 409 || (code >= 40900 && code <= 40999);
}

kms::KekRef kekRef(const registry::Kek &kek)
{
    return {kek.name, kek.kmsType, kek.kmsKeyId, kek.kmsProps, kek.shared};
}

QString kmsLabel(const registry::Kek &kek)
{
    return QStringLiteral("%1 key %2").arg(kek.kmsType, kek.kmsKeyId);
}

Result<QByteArray> kmsWrap(const Environment &env, const registry::Kek &kek,
                           const QByteArray &plain)
{
    auto aead = env.kmsDrivers.aeadFor(kekRef(kek), env.kmsSettings);
    if (!aead)
        return aead.error();
    std::shared_ptr<kms::KmsAead> a = *aead;
    return call<QByteArray>(env, [a, plain] { return a->wrap(plain); });
}

Result<QByteArray> kmsUnwrap(const Environment &env, const registry::Kek &kek,
                             const QByteArray &wrapped)
{
    auto aead = env.kmsDrivers.aeadFor(kekRef(kek), env.kmsSettings);
    if (!aead)
        return aead.error();
    std::shared_ptr<kms::KmsAead> a = *aead;
    return call<QByteArray>(env, [a, wrapped] { return a->unwrap(wrapped); });
}

QString dekPath(const QString &kek, const QString &subject, int version, const QString &algorithm,
                const QString &query)
{
    const auto seg = [](const QString &s) {
        return QString::fromLatin1(QUrl::toPercentEncoding(s));
    };
    QString path = QStringLiteral("/dek-registry/v1/keks/%1/deks/%2").arg(seg(kek), seg(subject));
    if (version > 0)
        path += QStringLiteral("/versions/%1").arg(version);
    QStringList q;
    if (!algorithm.isEmpty())
        q.append(QStringLiteral("algorithm=") + algorithm);
    if (!query.isEmpty())
        q.append(query);
    if (!q.isEmpty())
        path += QLatin1Char('?') + q.join(QLatin1Char('&'));
    return path;
}

} // namespace kw::workflows::detail
