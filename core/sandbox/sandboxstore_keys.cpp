// SandboxStore: the DEK Registry half (KEKs and DEKs), following Confluent's
// AbstractDekRegistry rules as summarised in spec csfle-facts §1.3-§1.5 and workflow-facts §1.3.

#include "core/crypto/crypto.h"
#include "core/sandbox/faults.h"
#include "core/sandbox/keyrules_p.h"
#include "core/sandbox/registryerrors.h"
#include "core/sandbox/sandboxstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace kw::sandbox {

using namespace detail;

// ---- row access ----

std::optional<registry::Kek> SandboxStore::readKek(const QString &name)
{
    QSqlQuery q(db());
    q.prepare(
        QStringLiteral("SELECT name, kms_type, kms_key_id, kms_props, doc, shared, ts, deleted "
                       "FROM keks WHERE name = ?"));
    q.addBindValue(name);
    if (!q.exec() || !q.next())
        return std::nullopt;
    registry::Kek k;
    k.name = q.value(0).toString();
    k.kmsType = q.value(1).toString();
    k.kmsKeyId = q.value(2).toString();
    k.kmsProps = propsFromJson(q.value(3).toString());
    k.doc = q.value(4).toString();
    k.shared = q.value(5).toBool();
    k.ts = q.value(6).toLongLong();
    k.deleted = q.value(7).toBool();
    return k;
}

Result<void> SandboxStore::writeKek(const registry::Kek &kek)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO keks (name, kms_type, kms_key_id, kms_props, "
                             "doc, shared, ts, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(kek.name);
    q.addBindValue(kek.kmsType);
    q.addBindValue(kek.kmsKeyId);
    q.addBindValue(propsToJson(kek.kmsProps));
    q.addBindValue(kek.doc.isEmpty() ? QVariant() : QVariant(kek.doc));
    q.addBindValue(kek.shared ? 1 : 0);
    q.addBindValue(kek.ts);
    q.addBindValue(kek.deleted ? 1 : 0);
    if (!q.exec())
        return sqlError(QStringLiteral("store KEK '%1'").arg(kek.name), q.lastError().text());
    return {};
}

QList<registry::Dek> SandboxStore::readDeks(const QString &kekName, const QString &subject,
                                            const QString &algorithm)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM deks WHERE kek_name = ? AND subject = ? AND "
                             "algorithm = ? ORDER BY version")
                  .arg(DekColumns));
    q.addBindValue(kekName);
    q.addBindValue(subject);
    q.addBindValue(algorithm);
    QList<registry::Dek> deks;
    if (q.exec()) {
        while (q.next())
            deks.append(dekFromQuery(q));
    }
    return deks;
}

std::optional<registry::Dek> SandboxStore::readDek(const QString &kekName, const QString &subject,
                                                   const QString &algorithm, int version)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM deks WHERE kek_name = ? AND subject = ? AND "
                             "algorithm = ? AND version = ?")
                  .arg(DekColumns));
    q.addBindValue(kekName);
    q.addBindValue(subject);
    q.addBindValue(algorithm);
    q.addBindValue(version);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return dekFromQuery(q);
}

Result<void> SandboxStore::writeDek(const registry::Dek &dek)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO deks (%1) VALUES (?, ?, ?, ?, ?, ?, ?)")
                  .arg(DekColumns));
    q.addBindValue(dek.kekName);
    q.addBindValue(dek.subject);
    q.addBindValue(dek.algorithm);
    q.addBindValue(dek.version);
    q.addBindValue(QString::fromLatin1(dek.encryptedKeyMaterial.toBase64()));
    q.addBindValue(dek.ts);
    q.addBindValue(dek.deleted ? 1 : 0);
    if (!q.exec())
        return sqlError(QStringLiteral("store a DEK of KEK '%1'").arg(dek.kekName),
                        q.lastError().text());
    return {};
}

bool SandboxStore::hasDeks(const QString &kekName, bool includeDeleted)
{
    QSqlQuery q(db());
    q.prepare(
        includeDeleted
            ? QStringLiteral("SELECT 1 FROM deks WHERE kek_name = ? LIMIT 1")
            : QStringLiteral("SELECT 1 FROM deks WHERE kek_name = ? AND deleted = 0 LIMIT 1"));
    q.addBindValue(kekName);
    return q.exec() && q.next();
}

int SandboxStore::keyCount()
{
    QSqlQuery q(db());
    if (!q.exec(
            QStringLiteral("SELECT (SELECT COUNT(*) FROM keks) + (SELECT COUNT(*) FROM deks)")) ||
        !q.next())
        return 0;
    return q.value(0).toInt();
}

// ---- server-side KMS ----

Result<std::shared_ptr<kms::KmsAead>> SandboxStore::aeadFor(const registry::Kek &kek)
{
    // The server holds a secret for local-kms only; other types rely on the KEK's kmsProps.
    kms::KmsSettings settings;
    if (!m_localSecret.isEmpty())
        settings[QStringLiteral("local-kms")].insert(QStringLiteral("secret"), m_localSecret);
    const kms::KekRef ref{kek.name, kek.kmsType, kek.kmsKeyId, kek.kmsProps, kek.shared};
    auto aead = m_kms.aeadFor(ref, settings);
    if (!aead)
        return registryError(ErrDekGeneration,
                             QStringLiteral("The sandbox cannot use the KMS of key '%1': %2")
                                 .arg(kek.name, aead.error().message));
    return aead;
}

namespace {
Error kmsFailure(const registry::Kek &kek, const Error &error)
{
    const int code = error.code == kms::ErrorAccessDenied ? ErrKeyAccessDenied : ErrDekGeneration;
    return registryError(
        code, QStringLiteral("DEK generation error for key '%1': %2").arg(kek.name, error.message));
}
} // namespace

std::optional<Error> SandboxStore::injectedKmsFault(const registry::Kek &kek, const char *call)
{
    quint64 index = 0;
    if (!m_faults || !m_faults->nextKmsCall(&index))
        return std::nullopt;
    qCDebug(lcSandboxFaults).noquote()
        << "Injected KMS fault" << index << ": failed the" << call << "for key" << kek.name;
    return registryError(ErrDekGeneration,
                         QStringLiteral("DEK generation error for key '%1': the KMS is unavailable "
                                        "(the sandbox injected a KMS failure; fault seed %2, KMS "
                                        "call %3).")
                             .arg(kek.name)
                             .arg(m_faults->options().seed)
                             .arg(index));
}

Result<QByteArray> SandboxStore::kmsWrap(const registry::Kek &kek, const QByteArray &plain)
{
    auto aead = aeadFor(kek);
    if (!aead)
        return aead.error();
    if (auto fault = injectedKmsFault(kek, "wrap"))
        return *fault;
    auto wrapped = engine::awaitResult((*aead)->wrap(plain));
    if (!wrapped)
        return kmsFailure(kek, wrapped.error());
    return wrapped;
}

Result<QByteArray> SandboxStore::kmsUnwrap(const registry::Kek &kek, const QByteArray &wrapped)
{
    auto aead = aeadFor(kek);
    if (!aead)
        return aead.error();
    if (auto fault = injectedKmsFault(kek, "unwrap"))
        return *fault;
    auto plain = engine::awaitResult((*aead)->unwrap(wrapped));
    if (!plain)
        return kmsFailure(kek, plain.error());
    return plain;
}

Result<void> SandboxStore::testWrap(const registry::Kek &kek)
{
    const crypto::SecureBytes key = crypto::generateTinkKey(crypto::DekAlgorithm::Aes256Gcm);
    const QByteArray plain(reinterpret_cast<const char *>(key.data()), key.size());
    auto wrapped = kmsWrap(kek, plain);
    if (!wrapped)
        return wrapped.error();
    auto back = kmsUnwrap(kek, *wrapped);
    if (!back)
        return back.error();
    return {};
}

Result<registry::Dek> SandboxStore::withKeyMaterial(const registry::Kek &kek, registry::Dek dek)
{
    if (!kek.shared || dek.encryptedKeyMaterial.isEmpty())
        return dek;
    auto plain = kmsUnwrap(kek, dek.encryptedKeyMaterial);
    if (!plain)
        return plain.error();
    dek.keyMaterial = *plain;
    return dek;
}

// ---- KEKs ----

Result<registry::Kek> SandboxStore::createKek(const registry::Kek &request, bool testSharing)
{
    QMutexLocker lock(&m_mutex);
    if (!isValidKekName(request.name))
        return invalidKeyField(QStringLiteral("name"));
    // Any kmsType is accepted, as by the real registry: CreateKekRequest.validate() in
    // confluentinc/schema-registry only checks the kmsKeyId shape of the types it knows and
    // leaves the rest to the KMS client ("minimal validation"), so a KEK of a type no driver
    // knows is stored and fails only when a DEK is wrapped with it (50070). Control characters
    // are refused here (the real registry stores them): a kmsType or kmsKeyId is an id that
    // tools print and match, and no KMS names a key with them.
    if (request.kmsType.isEmpty() || containsIsoControl(request.kmsType))
        return invalidKeyField(QStringLiteral("kmsType"));
    if (request.kmsKeyId.isEmpty() || containsIsoControl(request.kmsKeyId))
        return invalidKeyField(QStringLiteral("kmsKeyId"));
    registry::Kek kek = request;
    kek.kmsType = normaliseKmsType(request.kmsType);
    if (!kmsKeyIdFitsType(kek.kmsType, kek.kmsKeyId))
        return invalidKeyField(QStringLiteral("kmsKeyId"));
    if (testSharing && kek.shared) {
        if (auto tested = testWrap(kek); !tested)
            return tested.error();
    }
    const std::optional<registry::Kek> existing = readKek(kek.name);
    if (existing) {
        // Create acts as undelete for an equivalent soft-deleted KEK.
        if (!(existing->deleted && !request.deleted && equivalent(*existing, kek)))
            return keyExists(kek.name);
    } else if (keyCount() >= m_maxKeys) {
        return tooManyKeys(m_maxKeys);
    }
    kek.ts = now();
    if (auto written = writeKek(kek); !written)
        return written.error();
    return kek;
}

Result<registry::Kek> SandboxStore::getKek(const QString &name, bool includeDeleted)
{
    QMutexLocker lock(&m_mutex);
    const std::optional<registry::Kek> kek = readKek(name);
    if (!kek || (kek->deleted && !includeDeleted))
        return keyNotFound(name);
    return *kek;
}

Result<QStringList> SandboxStore::listKeks(const QStringList &subjectPrefixes, bool includeDeleted,
                                           int offset, int limit)
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery q(db());
    QStringList names;
    if (subjectPrefixes.isEmpty()) {
        if (!q.exec(includeDeleted ? QStringLiteral("SELECT name FROM keks ORDER BY name")
                                   : QStringLiteral("SELECT name FROM keks WHERE deleted = 0 "
                                                    "ORDER BY name")))
            return sqlError(QStringLiteral("list KEKs"), q.lastError().text());
        while (q.next())
            names.append(q.value(0).toString());
    } else {
        if (!q.exec(QStringLiteral("SELECT DISTINCT k.name, d.subject FROM keks k JOIN deks d ON "
                                   "d.kek_name = k.name%1")
                        .arg(includeDeleted ? QString()
                                            : QStringLiteral(" WHERE k.deleted = 0 AND "
                                                             "d.deleted = 0"))))
            return sqlError(QStringLiteral("list KEKs"), q.lastError().text());
        while (q.next()) {
            const QString subject = q.value(1).toString();
            const bool match = std::any_of(subjectPrefixes.cbegin(), subjectPrefixes.cend(),
                                           [&](const QString &p) { return subject.startsWith(p); });
            if (match)
                names.append(q.value(0).toString());
        }
        names.sort();
        names.removeDuplicates();
    }
    return page(names, offset, limit);
}

Result<registry::Kek> SandboxStore::updateKek(const QString &name, const KekUpdate &update,
                                              bool testSharing)
{
    QMutexLocker lock(&m_mutex);
    if (!isValidKekName(name))
        return invalidKeyField(QStringLiteral("name"));
    std::optional<registry::Kek> kek = readKek(name);
    if (!kek || kek->deleted)
        return keyNotFound(name);
    if (update.kmsProps)
        kek->kmsProps = *update.kmsProps;
    if (update.doc)
        kek->doc = *update.doc;
    if (update.shared)
        kek->shared = *update.shared;
    if (testSharing && kek->shared) {
        if (auto tested = testWrap(*kek); !tested)
            return tested.error();
    }
    kek->ts = now();
    if (auto written = writeKek(*kek); !written)
        return written.error();
    return *kek;
}

Result<void> SandboxStore::deleteKek(const QString &name, bool permanent)
{
    QMutexLocker lock(&m_mutex);
    std::optional<registry::Kek> kek = readKek(name);
    if (!kek)
        return keyNotFound(name);
    if (permanent) {
        if (!kek->deleted)
            return notSoftDeleted(name);
        if (hasDeks(name, true))
            return referencesExist(name);
        QSqlQuery q(db());
        q.prepare(QStringLiteral("DELETE FROM keks WHERE name = ?"));
        q.addBindValue(name);
        if (!q.exec())
            return sqlError(QStringLiteral("delete KEK '%1'").arg(name), q.lastError().text());
        return {};
    }
    if (kek->deleted)
        return {};
    if (hasDeks(name, false))
        return referencesExist(name);
    kek->deleted = true;
    kek->ts = now();
    return writeKek(*kek);
}

Result<void> SandboxStore::undeleteKek(const QString &name)
{
    QMutexLocker lock(&m_mutex);
    std::optional<registry::Kek> kek = readKek(name);
    if (!kek)
        return keyNotFound(name);
    if (!kek->deleted)
        return {};
    kek->deleted = false;
    kek->ts = now();
    return writeKek(*kek);
}

Result<registry::Kek> SandboxStore::testKek(const QString &name)
{
    QMutexLocker lock(&m_mutex);
    std::optional<registry::Kek> kek = readKek(name);
    if (!kek || kek->deleted)
        return keyNotFound(name);
    if (!kek->shared)
        return invalidKeyField(QStringLiteral("shared"));
    if (auto tested = testWrap(*kek); !tested)
        return tested.error();
    return *kek;
}

} // namespace kw::sandbox
