#pragma once
// A registry held in memory: schemas, KEKs and DEKs loaded from JSON in the REST shapes. Used
// by tests, the interop fixtures and offline analysis; answers with the registry's error codes.

#include "core/domain/keysources.h"

#include <QHash>
#include <QJsonObject>
#include <QMutex>

namespace kw::engine {

class MemoryRegistry final : public SchemaSource, public KeySource
{
public:
    explicit MemoryRegistry(qint64 nowMs = 0);

    // Loads {"keks":[...], "deks":[...], "schemas":[...]} (extra keys ignored).
    Result<void> load(const QJsonObject &state);
    [[nodiscard]] QJsonObject save() const;

    void addKek(const registry::Kek &kek);
    void addDek(const registry::Dek &dek);
    void addSchema(const registry::Schema &schema);
    // The time stamped on DEKs that createDek() registers.
    void setNowMs(qint64 nowMs);

    QFuture<Result<registry::Schema>> schemaById(int id) override;
    QFuture<Result<registry::Schema>> schemaByGuid(const QUuid &guid) override;
    QFuture<Result<registry::Schema>> schemaVersion(const QString &subject, int version) override;
    QFuture<Result<registry::Kek>> kek(const QString &name, bool includeDeleted) override;
    QFuture<Result<registry::Dek>> dek(const QString &kekName, const QString &subject, int version,
                                       const QString &algorithm, bool includeDeleted) override;
    QFuture<Result<registry::Dek>> createDek(const QString &kekName,
                                             const registry::Dek &request) override;
    QFuture<Result<QList<int>>> dekVersions(const QString &kekName, const QString &subject,
                                            const QString &algorithm, bool includeDeleted) override;

    [[nodiscard]] QList<registry::Dek> deks() const;

private:
    Result<registry::Dek> findDek(const QString &kekName, const QString &subject, int version,
                                  const QString &algorithm, bool includeDeleted) const;

    mutable QMutex m_mutex;
    qint64 m_nowMs;
    QHash<QString, registry::Kek> m_keks;
    QList<registry::Dek> m_deks;
    QList<registry::Schema> m_schemas;
};

} // namespace kw::engine
