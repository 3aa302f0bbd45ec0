#include "core/engine/memoryregistry.h"

#include "core/domain/readyfuture.h"

#include <QJsonArray>
#include <QMutexLocker>

#include <algorithm>

namespace kw::engine {

namespace {

template<typename T>
QFuture<Result<T>> ready(Result<T> r)
{
    return kw::readyFuture(std::move(r));
}

Error keyNotFound(const QString &name)
{
    return makeError(QStringLiteral("registry.40470"),
                     QStringLiteral("Key '%1' not found").arg(name));
}

} // namespace

MemoryRegistry::MemoryRegistry(qint64 nowMs)
    : m_nowMs(nowMs)
{}

Result<void> MemoryRegistry::load(const QJsonObject &state)
{
    for (const QJsonValue &v : state.value(QStringLiteral("keks")).toArray()) {
        auto kek = registry::Kek::fromJson(v.toObject());
        if (!kek)
            return kek.error();
        addKek(*kek);
    }
    for (const QJsonValue &v : state.value(QStringLiteral("deks")).toArray()) {
        auto dek = registry::Dek::fromJson(v.toObject());
        if (!dek)
            return dek.error();
        addDek(*dek);
    }
    for (const QJsonValue &v : state.value(QStringLiteral("schemas")).toArray()) {
        auto schema = registry::Schema::fromJson(v.toObject());
        if (!schema)
            return schema.error();
        addSchema(*schema);
    }
    return {};
}

QJsonObject MemoryRegistry::save() const
{
    QMutexLocker lock(&m_mutex);
    QJsonArray keks, deks, schemas;
    for (const registry::Kek &k : m_keks)
        keks.append(k.toJson());
    for (const registry::Dek &d : m_deks)
        deks.append(d.toJson());
    for (const registry::Schema &s : m_schemas)
        schemas.append(s.toJson());
    return {{QStringLiteral("keks"), keks},
            {QStringLiteral("deks"), deks},
            {QStringLiteral("schemas"), schemas}};
}

void MemoryRegistry::addKek(const registry::Kek &kek)
{
    QMutexLocker lock(&m_mutex);
    m_keks.insert(kek.name, kek);
}

void MemoryRegistry::addDek(const registry::Dek &dek)
{
    QMutexLocker lock(&m_mutex);
    m_deks.append(dek);
}

void MemoryRegistry::addSchema(const registry::Schema &schema)
{
    QMutexLocker lock(&m_mutex);
    m_schemas.append(schema);
}

void MemoryRegistry::setNowMs(qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    m_nowMs = nowMs;
}

QList<registry::Dek> MemoryRegistry::deks() const
{
    QMutexLocker lock(&m_mutex);
    return m_deks;
}

QFuture<Result<registry::Schema>> MemoryRegistry::schemaById(int id)
{
    QMutexLocker lock(&m_mutex);
    for (const registry::Schema &s : std::as_const(m_schemas))
        if (s.id == id)
            return ready<registry::Schema>(s);
    return ready<registry::Schema>(
        makeError(QStringLiteral("registry.40403"), QStringLiteral("Schema %1 not found").arg(id)));
}

QFuture<Result<registry::Schema>> MemoryRegistry::schemaByGuid(const QUuid &guid)
{
    QMutexLocker lock(&m_mutex);
    for (const registry::Schema &s : std::as_const(m_schemas))
        if (!s.guid.isEmpty() && QUuid::fromString(s.guid) == guid)
            return ready<registry::Schema>(s);
    return ready<registry::Schema>(
        makeError(QStringLiteral("registry.40403"),
                  QStringLiteral("Schema %1 not found").arg(guid.toString(QUuid::WithoutBraces))));
}

QFuture<Result<registry::Schema>> MemoryRegistry::schemaVersion(const QString &subject, int version)
{
    QMutexLocker lock(&m_mutex);
    const registry::Schema *best = nullptr;
    for (const registry::Schema &s : std::as_const(m_schemas)) {
        if (s.subject != subject || s.deleted)
            continue;
        if (version == -1 ? (!best || s.version > best->version) : s.version == version)
            best = &s;
    }
    if (best)
        return ready<registry::Schema>(*best);
    return ready<registry::Schema>(makeError(
        QStringLiteral("registry.40402"),
        QStringLiteral("Version %1 of subject '%2' not found").arg(version).arg(subject)));
}

QFuture<Result<registry::Kek>> MemoryRegistry::kek(const QString &name, bool includeDeleted)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_keks.constFind(name);
    if (it == m_keks.cend() || (it->deleted && !includeDeleted))
        return ready<registry::Kek>(keyNotFound(name));
    return ready<registry::Kek>(*it);
}

Result<registry::Dek> MemoryRegistry::findDek(const QString &kekName, const QString &subject,
                                              int version, const QString &algorithm,
                                              bool includeDeleted) const
{
    const registry::Dek *best = nullptr;
    for (const registry::Dek &d : m_deks) {
        if (d.kekName != kekName || d.subject != subject || d.algorithm != algorithm)
            continue;
        if (d.deleted && !includeDeleted)
            continue;
        if (version == -1 ? (!best || d.version > best->version) : d.version == version)
            best = &d;
    }
    if (!best)
        return keyNotFound(subject);
    return *best;
}

QFuture<Result<registry::Dek>> MemoryRegistry::dek(const QString &kekName, const QString &subject,
                                                   int version, const QString &algorithm,
                                                   bool includeDeleted)
{
    QMutexLocker lock(&m_mutex);
    if (!m_keks.contains(kekName))
        return ready<registry::Dek>(keyNotFound(kekName));
    return ready(findDek(kekName, subject, version, algorithm, includeDeleted));
}

QFuture<Result<QList<int>>> MemoryRegistry::dekVersions(const QString &kekName,
                                                        const QString &subject,
                                                        const QString &algorithm,
                                                        bool includeDeleted)
{
    QMutexLocker lock(&m_mutex);
    if (!m_keks.contains(kekName))
        return ready<QList<int>>(keyNotFound(kekName));
    QList<int> versions;
    for (const registry::Dek &d : std::as_const(m_deks))
        if (d.kekName == kekName && d.subject == subject && d.algorithm == algorithm &&
            (includeDeleted || !d.deleted))
            versions.append(d.version);
    std::sort(versions.begin(), versions.end());
    return ready<QList<int>>(versions);
}

QFuture<Result<registry::Dek>> MemoryRegistry::createDek(const QString &kekName,
                                                         const registry::Dek &request)
{
    QMutexLocker lock(&m_mutex);
    const auto kek = m_keks.constFind(kekName);
    if (kek == m_keks.cend() || kek->deleted)
        return ready<registry::Dek>(keyNotFound(kekName));
    if (request.encryptedKeyMaterial.isEmpty())
        return ready<registry::Dek>(makeError(
            QStringLiteral("registry.42271"),
            QStringLiteral("Invalid or missing value for field 'encryptedKeyMaterial' of key (this "
                           "in-memory registry does not generate keys for shared KEKs)")));
    if (findDek(kekName, request.subject, request.version, request.algorithm, true))
        return ready<registry::Dek>(makeError(
            QStringLiteral("registry.40971"),
            QStringLiteral("Key '%1' already exists; use a different value").arg(request.subject)));
    registry::Dek dek = request;
    dek.kekName = kekName;
    dek.ts = m_nowMs;
    dek.deleted = false;
    m_deks.append(dek);
    return ready<registry::Dek>(dek);
}

} // namespace kw::engine
