#include "core/audit/auditvault.h"

#include "core/domain/readyfuture.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace kw::audit {

AuditVault::~AuditVault() = default;

QByteArray AuditHead::toJson() const
{
    const QJsonObject object{{QStringLiteral("lastId"), lastId},
                             {QStringLiteral("lastMac"), lastMac},
                             {QStringLiteral("count"), count}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

std::optional<AuditHead> AuditHead::fromJson(const QByteArray &json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    if (!doc.isObject())
        return std::nullopt;
    const QJsonObject object = doc.object();
    AuditHead head;
    head.lastId = object.value(QStringLiteral("lastId")).toInteger(-1);
    head.lastMac = object.value(QStringLiteral("lastMac")).toString();
    head.count = object.value(QStringLiteral("count")).toInteger(-1);
    if (head.lastId < 0 || head.count < 0 || head.lastMac.isEmpty())
        return std::nullopt;
    return head;
}

QFuture<Result<QByteArray>> MemoryAuditVault::read(const QString &name)
{
    QMutexLocker lock(&m_mutex);
    if (!m_available)
        return readyFuture(Result<QByteArray>(makeError(
            QString(ErrorVaultUnavailable), QStringLiteral("The test vault is switched off."))));
    const auto it = m_values.constFind(name);
    if (it == m_values.cend())
        return readyFuture(Result<QByteArray>(
            makeError(QString(ErrorVaultNotFound),
                      QStringLiteral("The vault has no entry '%1'.").arg(name))));
    return readyFuture(Result<QByteArray>(*it));
}

QFuture<Result<void>> MemoryAuditVault::write(const QString &name, const QByteArray &value)
{
    QMutexLocker lock(&m_mutex);
    if (!m_available)
        return readyFuture(Result<void>(makeError(
            QString(ErrorVaultUnavailable), QStringLiteral("The test vault is switched off."))));
    m_values.insert(name, value);
    return readyFuture(Result<void>());
}

QString MemoryAuditVault::description() const
{
    return QStringLiteral("memory");
}

void MemoryAuditVault::setAvailable(bool available)
{
    QMutexLocker lock(&m_mutex);
    m_available = available;
}

void MemoryAuditVault::remove(const QString &name)
{
    QMutexLocker lock(&m_mutex);
    m_values.remove(name);
}

QStringList MemoryAuditVault::names() const
{
    QMutexLocker lock(&m_mutex);
    return m_values.keys();
}

QByteArray MemoryAuditVault::value(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    return m_values.value(name);
}

} // namespace kw::audit
