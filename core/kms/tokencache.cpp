#include "core/kms/tokencache.h"

#include <QCryptographicHash>

namespace kw::kms {

QString TokenCache::keyFor(const QString &tokenUrl, const QString &principal, QByteArrayView secret)
{
    return tokenUrl + QLatin1Char('\n') + principal + QLatin1Char('\n') +
           QString::fromLatin1(
               QCryptographicHash::hash(secret, QCryptographicHash::Sha256).toHex());
}

std::optional<QString> TokenCache::find(const QString &key, qint64 nowMs, qint64 marginMs) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(key);
    if (it == m_entries.constEnd() || it->expiresMs - marginMs <= nowMs)
        return std::nullopt;
    return it->token;
}

void TokenCache::insert(const QString &key, const QString &token, qint64 expiresMs)
{
    QMutexLocker lock(&m_mutex);
    m_entries.insert(key, {token, expiresMs});
}

void TokenCache::remove(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    m_entries.remove(key);
}

void TokenCache::clear()
{
    QMutexLocker lock(&m_mutex);
    m_entries.clear();
}

} // namespace kw::kms
