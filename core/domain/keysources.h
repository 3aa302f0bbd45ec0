#pragma once
// What the engine needs from a registry, as two narrow async interfaces: schemas by id, guid
// or subject version, and KEKs/DEKs from the DEK Registry. The REST clients, the sandbox and
// the in-memory registry of tests implement them.

#include "core/domain/readyfuture.h"
#include "core/domain/registrytypes.h"
#include "core/domain/result.h"

#include <QFuture>
#include <QUuid>

namespace kw::engine {

class SchemaSource
{
public:
    virtual ~SchemaSource() = default;
    virtual QFuture<Result<registry::Schema>> schemaById(int id) = 0;
    virtual QFuture<Result<registry::Schema>> schemaByGuid(const QUuid &guid) = 0;
    // A subject version, for resolving references. version -1 means latest.
    virtual QFuture<Result<registry::Schema>> schemaVersion(const QString &subject,
                                                            int version) = 0;
};

class KeySource
{
public:
    virtual ~KeySource() = default;
    virtual QFuture<Result<registry::Kek>> kek(const QString &name, bool includeDeleted) = 0;
    // version -1 means the latest version.
    virtual QFuture<Result<registry::Dek>> dek(const QString &kekName, const QString &subject,
                                               int version, const QString &algorithm,
                                               bool includeDeleted) = 0;
    // Registers a DEK version. Without encryptedKeyMaterial the KEK must be shared and the
    // registry generates the key (and returns keyMaterial).
    virtual QFuture<Result<registry::Dek>> createDek(const QString &kekName,
                                                     const registry::Dek &request) = 0;
    // The version numbers of a DEK subject under a KEK. Optional: a source without it answers
    // with an error and readers fetch versions one at a time.
    virtual QFuture<Result<QList<int>>> dekVersions(const QString &kekName, const QString &subject,
                                                    const QString &algorithm, bool includeDeleted);
};

inline QFuture<Result<QList<int>>> KeySource::dekVersions(const QString &, const QString &,
                                                          const QString &, bool)
{
    return readyFuture(Result<QList<int>>(makeError(
        QStringLiteral("engine.unsupported"), QStringLiteral("This key source cannot list DEK "
                                                             "versions."))));
}

// Waits for a registry or KMS future. Only for worker threads: never call it on the UI thread.
template<typename T>
Result<T> awaitResult(QFuture<Result<T>> future)
{
    future.waitForFinished();
    if (future.isCanceled() || future.resultCount() == 0)
        return makeError(QStringLiteral("engine.cancelled"),
                         QStringLiteral("The request was cancelled."));
    return future.result();
}

} // namespace kw::engine
