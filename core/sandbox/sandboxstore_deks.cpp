// SandboxStore: DEK versions (create with server-side generation and rewrap, get, list,
// delete, undelete), following spec csfle-facts §1.5 and workflow-facts §1.3.

#include "core/crypto/crypto.h"
#include "core/sandbox/keyrules_p.h"
#include "core/sandbox/registryerrors.h"
#include "core/sandbox/sandboxstore.h"

#include <QSqlError>
#include <QSqlQuery>

namespace kw::sandbox {

using namespace detail;

// ---- DEKs ----

Result<registry::Dek> SandboxStore::registerDek(const QString &kekName,
                                                const registry::Dek &request, bool rewrap)
{
    QMutexLocker lock(&m_mutex);
    const std::optional<registry::Kek> kek = readKek(kekName);
    if (!kek || (kek->deleted && !request.deleted))
        return keyNotFound(kekName);
    if (!isValidDekSubject(request.subject))
        return invalidKeyField(QStringLiteral("subject"));
    const Result<QString> algorithm = checkAlgorithm(request.algorithm);
    if (!algorithm)
        return algorithm.error();

    const std::optional<registry::Dek> existing =
        readDek(kekName, request.subject, *algorithm, request.version);
    registry::Dek dek = request;
    dek.kekName = kekName;
    dek.algorithm = *algorithm;
    dek.keyMaterial.clear();
    QByteArray rawKey;

    if (request.encryptedKeyMaterial.isEmpty()) {
        if (!kek->shared)
            return invalidKeyField(QStringLiteral("encryptedKeyMaterial"));
        if (existing && !rewrap)
            return keyExists(request.subject);
        if (existing) {
            // Rewrap: the same raw DEK under the KEK's current KMS key, checked by a round trip.
            auto old = kmsUnwrap(*kek, existing->encryptedKeyMaterial);
            if (!old)
                return old.error();
            rawKey = *old;
        } else {
            const crypto::SecureBytes fresh =
                crypto::generateTinkKey(*crypto::parseAlgorithm(*algorithm));
            rawKey = QByteArray(reinterpret_cast<const char *>(fresh.data()), fresh.size());
        }
        auto wrapped = kmsWrap(*kek, rawKey);
        if (!wrapped)
            return wrapped.error();
        auto check = kmsUnwrap(*kek, *wrapped);
        if (!check)
            return check.error();
        if (*check != rawKey)
            return registryError(ErrDekGeneration,
                                 QStringLiteral("DEK generation error for key '%1': the re-wrapped "
                                                "key did not decrypt to the same DEK")
                                     .arg(kekName));
        dek.encryptedKeyMaterial = *wrapped;
    } else if (existing) {
        const bool undelete = existing->deleted && !request.deleted &&
                              existing->encryptedKeyMaterial == request.encryptedKeyMaterial;
        // A shared KEK's rows are never overwritten with client material.
        if (!undelete && (!rewrap || kek->shared))
            return keyExists(request.subject);
    }
    if (!existing && keyCount() >= m_maxKeys)
        return tooManyKeys(m_maxKeys);

    dek.ts = now();
    if (auto written = writeDek(dek); !written)
        return written.error();
    if (!rawKey.isEmpty()) {
        dek.keyMaterial = rawKey;
        return dek;
    }
    return withKeyMaterial(*kek, dek);
}

Result<registry::Dek> SandboxStore::getDek(const QString &kekName, const QString &subject,
                                           int version, const QString &algorithm,
                                           bool includeDeleted)
{
    QMutexLocker lock(&m_mutex);
    const std::optional<registry::Kek> kek = readKek(kekName);
    if (!kek || (kek->deleted && !includeDeleted))
        return keyNotFound(kekName);
    if (!isValidDekSubject(subject))
        return invalidKeyField(QStringLiteral("subject"));
    const Result<QString> alg = checkAlgorithm(algorithm);
    if (!alg)
        return alg.error();
    std::optional<registry::Dek> dek;
    if (version == LatestVersion) {
        const QList<registry::Dek> all = readDeks(kekName, subject, *alg);
        for (auto it = all.crbegin(); it != all.crend(); ++it) {
            if (includeDeleted || !it->deleted) {
                dek = *it;
                break;
            }
        }
    } else {
        dek = readDek(kekName, subject, *alg, version);
    }
    if (!dek || (dek->deleted && !includeDeleted))
        return keyNotFound(subject);
    return withKeyMaterial(*kek, *dek);
}

Result<QStringList> SandboxStore::listDekSubjects(const QString &kekName, bool includeDeleted,
                                                  int offset, int limit)
{
    QMutexLocker lock(&m_mutex);
    const std::optional<registry::Kek> kek = readKek(kekName);
    if (!kek || (kek->deleted && !includeDeleted))
        return keyNotFound(kekName);
    QSqlQuery q(db());
    q.prepare(includeDeleted
                  ? QStringLiteral("SELECT DISTINCT subject FROM deks WHERE kek_name = ? "
                                   "ORDER BY subject")
                  : QStringLiteral("SELECT DISTINCT subject FROM deks WHERE kek_name = ? "
                                   "AND deleted = 0 ORDER BY subject"));
    q.addBindValue(kekName);
    if (!q.exec())
        return sqlError(QStringLiteral("list the DEKs of '%1'").arg(kekName), q.lastError().text());
    QStringList subjects;
    while (q.next())
        subjects.append(q.value(0).toString());
    return page(subjects, offset, limit);
}

Result<QList<int>> SandboxStore::listDekVersions(const QString &kekName, const QString &subject,
                                                 const QString &algorithm, bool includeDeleted,
                                                 int offset, int limit)
{
    QMutexLocker lock(&m_mutex);
    const std::optional<registry::Kek> kek = readKek(kekName);
    if (!kek || (kek->deleted && !includeDeleted))
        return keyNotFound(kekName);
    if (!isValidDekSubject(subject))
        return invalidKeyField(QStringLiteral("subject"));
    const Result<QString> alg = checkAlgorithm(algorithm);
    if (!alg)
        return alg.error();
    QList<int> versions;
    for (const registry::Dek &d : readDeks(kekName, subject, *alg)) {
        if (includeDeleted || !d.deleted)
            versions.append(d.version);
    }
    return page(versions, offset, limit);
}

namespace {
// The versions a delete or undelete of one version (or all, when version is nullopt) touches.
QList<registry::Dek> selectVersions(const QList<registry::Dek> &all, std::optional<int> version,
                                    bool latestIncludesDeleted)
{
    if (!version)
        return all;
    if (*version != SandboxStore::LatestVersion) {
        for (const registry::Dek &d : all) {
            if (d.version == *version)
                return {d};
        }
        return {};
    }
    for (auto it = all.crbegin(); it != all.crend(); ++it) {
        if (latestIncludesDeleted || !it->deleted)
            return {*it};
    }
    return {};
}
} // namespace

Result<void> SandboxStore::deleteDeks(const QString &kekName, const QString &subject,
                                      std::optional<int> version, const QString &algorithm,
                                      bool permanent)
{
    QMutexLocker lock(&m_mutex);
    // Permanent deletes must work under a soft-deleted KEK: that is the only way to empty it.
    if (!readKek(kekName))
        return keyNotFound(kekName);
    if (!isValidDekSubject(subject))
        return invalidKeyField(QStringLiteral("subject"));
    const Result<QString> alg = checkAlgorithm(algorithm);
    if (!alg)
        return alg.error();
    const QList<registry::Dek> rows =
        selectVersions(readDeks(kekName, subject, *alg), version, permanent);
    if (rows.isEmpty())
        return keyNotFound(subject);
    QSqlDatabase database = db();
    if (permanent) {
        for (const registry::Dek &d : rows) {
            if (!d.deleted)
                return notSoftDeleted(subject);
        }
        database.transaction();
        for (const registry::Dek &d : rows) {
            QSqlQuery q(database);
            q.prepare(QStringLiteral("DELETE FROM deks WHERE kek_name = ? AND subject = ? AND "
                                     "algorithm = ? AND version = ?"));
            q.addBindValue(kekName);
            q.addBindValue(subject);
            q.addBindValue(*alg);
            q.addBindValue(d.version);
            if (!q.exec()) {
                database.rollback();
                return sqlError(QStringLiteral("delete a DEK of '%1'").arg(subject),
                                q.lastError().text());
            }
        }
        database.commit();
        return {};
    }
    database.transaction();
    for (registry::Dek d : rows) {
        if (d.deleted)
            continue; // already in the target state: no-op
        d.deleted = true;
        d.ts = now();
        if (auto written = writeDek(d); !written) {
            database.rollback();
            return written;
        }
    }
    database.commit();
    return {};
}

Result<void> SandboxStore::undeleteDeks(const QString &kekName, const QString &subject,
                                        std::optional<int> version, const QString &algorithm)
{
    QMutexLocker lock(&m_mutex);
    const std::optional<registry::Kek> kek = readKek(kekName);
    if (!kek)
        return keyNotFound(kekName);
    if (kek->deleted)
        return mustUndeleteFirst(kekName);
    if (!isValidDekSubject(subject))
        return invalidKeyField(QStringLiteral("subject"));
    const Result<QString> alg = checkAlgorithm(algorithm);
    if (!alg)
        return alg.error();
    const QList<registry::Dek> rows =
        selectVersions(readDeks(kekName, subject, *alg), version, true);
    if (rows.isEmpty())
        return keyNotFound(subject);
    QSqlDatabase database = db();
    database.transaction();
    for (registry::Dek d : rows) {
        if (!d.deleted)
            continue;
        d.deleted = false;
        d.ts = now();
        if (auto written = writeDek(d); !written) {
            database.rollback();
            return written;
        }
    }
    database.commit();
    return {};
}

Result<void> SandboxStore::deleteDekVersions(const QString &kekName, const QString &subject,
                                             const QString &algorithm, bool permanent)
{
    return deleteDeks(kekName, subject, std::nullopt, algorithm, permanent);
}

Result<void> SandboxStore::deleteDekVersion(const QString &kekName, const QString &subject,
                                            int version, const QString &algorithm, bool permanent)
{
    return deleteDeks(kekName, subject, version, algorithm, permanent);
}

Result<void> SandboxStore::undeleteDekVersions(const QString &kekName, const QString &subject,
                                               const QString &algorithm)
{
    return undeleteDeks(kekName, subject, std::nullopt, algorithm);
}

Result<void> SandboxStore::undeleteDekVersion(const QString &kekName, const QString &subject,
                                              int version, const QString &algorithm)
{
    return undeleteDeks(kekName, subject, version, algorithm);
}

} // namespace kw::sandbox
