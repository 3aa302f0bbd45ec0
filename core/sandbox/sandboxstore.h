#pragma once
// The sandbox registry's state in SQLite: KEKs, DEKs, schemas and subject versions, with the
// DEK Registry and Schema Registry rules (validation, error codes, delete rules) as plain calls.

#include "core/domain/clock.h"
#include "core/domain/keysources.h"
#include "core/domain/registrytypes.h"
#include "core/domain/result.h"
#include "core/kms/kms.h"
#include "core/serde/fieldvisit.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>

namespace kw::store {
class Database;
}

namespace kw::sandbox {

class FaultInjector;

// PUT /keks/{name}: a field left unset keeps its value; set to an empty value clears it.
struct KekUpdate
{
    std::optional<QMap<QString, QString>> kmsProps;
    std::optional<QString> doc;
    std::optional<bool> shared;
};

struct SubjectVersion
{
    QString subject;
    int version = 0;
    bool operator==(const SubjectVersion &) const = default;
};

// Thread-safe: every call takes one lock and uses a SQLite connection of the calling thread,
// so the HTTP server thread and in-process users (seeders, tests, workers) can share it.
// Errors carry the registry's error code as "registry.<code>" (see registryerrors.h).
class SandboxStore final : public engine::KeySource, public engine::SchemaSource
{
public:
    static constexpr int DefaultMaxKeys = 20000;
    // "latest" in version arguments.
    static constexpr int LatestVersion = -1;

    explicit SandboxStore(const Clock &clock = Clock::system());
    ~SandboxStore() override;
    SandboxStore(const SandboxStore &) = delete;
    SandboxStore &operator=(const SandboxStore &) = delete;

    // Opens the SQLite file at `path` (created if missing), or a private in-memory database
    // when `path` is empty, and creates the tables.
    Result<void> open(const QString &path = {});
    [[nodiscard]] bool isOpen() const;

    // The secret the server uses for local-kms KEKs whose kmsProps carry no "secret" (the
    // role LOCAL_SECRET plays for Confluent's server). Empty: the LOCAL_SECRET variable.
    void setLocalSecret(const QString &secret);
    [[nodiscard]] QString localSecret() const;
    // dek.registry.max.keys: KEKs plus DEKs, deleted ones included.
    void setMaxKeys(int maxKeys);
    // The clock that stamps `ts` on every write. A seeder can switch to a ManualClock to
    // backdate rows and switch back afterwards; `clock` must outlive its use here.
    void setClock(const Clock &clock);
    [[nodiscard]] const Clock &clock() const;
    // Server-side KMS calls fail as `faults` decides (faults.h), answering 50070 as the
    // registry does when its KMS fails; null (the default) turns it off.
    void setFaultInjector(std::shared_ptr<FaultInjector> faults);

    // ---- DEK Registry (spec csfle-facts §1.3-§1.5) ----
    // `request.deleted` is the request's "deleted" flag. The reply has the normalised kmsType.
    Result<registry::Kek> createKek(const registry::Kek &request, bool testSharing = false);
    Result<registry::Kek> getKek(const QString &name, bool includeDeleted);
    Result<QStringList> listKeks(const QStringList &subjectPrefixes, bool includeDeleted,
                                 int offset = 0, int limit = -1);
    Result<registry::Kek> updateKek(const QString &name, const KekUpdate &update,
                                    bool testSharing = false);
    Result<void> deleteKek(const QString &name, bool permanent);
    Result<void> undeleteKek(const QString &name);
    // POST /keks/{name}/test: test-wraps a random DEK with a shared KEK's KMS.
    Result<registry::Kek> testKek(const QString &name);

    // POST /keks/{k}/deks/{s}. request: subject, version (<= 0 is stored as given; the route
    // layer defaults a missing one to 1), algorithm (empty: AES256_GCM), encryptedKeyMaterial
    // (empty: generated when the KEK is shared), deleted.
    Result<registry::Dek> registerDek(const QString &kekName, const registry::Dek &request,
                                      bool rewrap = false);
    // version: a positive version or LatestVersion; algorithm empty means AES256_GCM.
    Result<registry::Dek> getDek(const QString &kekName, const QString &subject, int version,
                                 const QString &algorithm, bool includeDeleted);
    Result<QStringList> listDekSubjects(const QString &kekName, bool includeDeleted, int offset = 0,
                                        int limit = -1);
    Result<QList<int>> listDekVersions(const QString &kekName, const QString &subject,
                                       const QString &algorithm, bool includeDeleted,
                                       int offset = 0, int limit = -1);
    // All versions of (kek, subject, algorithm).
    Result<void> deleteDekVersions(const QString &kekName, const QString &subject,
                                   const QString &algorithm, bool permanent);
    Result<void> deleteDekVersion(const QString &kekName, const QString &subject, int version,
                                  const QString &algorithm, bool permanent);
    Result<void> undeleteDekVersions(const QString &kekName, const QString &subject,
                                     const QString &algorithm);
    Result<void> undeleteDekVersion(const QString &kekName, const QString &subject, int version,
                                    const QString &algorithm);

    // Writes KEKs and DEKs as given, in one transaction, without the REST rules or the
    // max-keys limit: for synthetic seeds (scaleseed.h) only.
    Result<void> bulkInsert(const QList<registry::Kek> &keks, const QList<registry::Dek> &deks);

    // ---- Schema Registry (spec csfle-facts §8) ----
    // Registers `request` (schema, schemaType, references, metadata, ruleSet) under `subject`.
    // Returns the subject version (id, guid, version). No compatibility checks are made.
    Result<registry::Schema> registerSchema(const QString &subject,
                                            const registry::Schema &request);
    // POST /subjects/{s}: the version of `subject` that has this schema.
    Result<registry::Schema> lookupSchema(const QString &subject, const registry::Schema &request,
                                          bool includeDeleted);
    // The schema behind an id (no subject/version); 40403 when unknown.
    Result<registry::Schema> getSchemaById(int id);
    Result<registry::Schema> getSchemaByGuid(const QString &guid);
    // `schema` in the form a `format` query asks for: "serialized" turns a Protobuf schema's
    // text into a base64 serialized FileDescriptorProto, as Confluent's clients fetch it (a
    // schema registered in that form is returned as given). Other formats and types: as stored.
    Result<registry::Schema> inFormat(registry::Schema schema, const QString &format);
    Result<QStringList> subjectsForSchema(int id, bool includeDeleted);
    Result<QList<SubjectVersion>> versionsForSchema(int id, bool includeDeleted);
    Result<QStringList> listSubjects(const QString &subjectPrefix, bool includeDeleted,
                                     bool deletedOnly = false);
    Result<QList<int>> listVersions(const QString &subject, bool includeDeleted,
                                    bool deletedOnly = false);
    // version: positive or LatestVersion.
    Result<registry::Schema> getSubjectVersion(const QString &subject, int version,
                                               bool includeDeleted);
    // Ids of the schemas (live subject versions) that reference subject/version.
    Result<QList<int>> referencedBy(const QString &subject, int version);
    // Returns the versions deleted.
    Result<QList<int>> deleteSubject(const QString &subject, bool permanent);
    Result<int> deleteSubjectVersion(const QString &subject, int version, bool permanent);
    // Compatibility level of `subject` (empty: global), falling back to the global one.
    Result<QString> compatibility(const QString &subject);
    Result<void> setCompatibility(const QString &subject, const QString &level);

    // ---- engine::KeySource / engine::SchemaSource (ready futures) ----
    QFuture<Result<registry::Kek>> kek(const QString &name, bool includeDeleted) override;
    QFuture<Result<registry::Dek>> dek(const QString &kekName, const QString &subject, int version,
                                       const QString &algorithm, bool includeDeleted) override;
    QFuture<Result<registry::Dek>> createDek(const QString &kekName,
                                             const registry::Dek &request) override;
    QFuture<Result<registry::Schema>> schemaById(int id) override;
    QFuture<Result<registry::Schema>> schemaByGuid(const QUuid &guid) override;
    QFuture<Result<registry::Schema>> schemaVersion(const QString &subject, int version) override;

private:
    struct SubjectRow
    {
        int version = 0;
        int schemaId = 0;
        qint64 ts = 0;
        bool deleted = false;
    };

    // All private helpers expect m_mutex to be held.
    QSqlDatabase db();
    Error sqlError(const QString &what, const QString &detail) const;
    [[nodiscard]] qint64 now() const { return m_clock->nowMs(); }

    std::optional<registry::Kek> readKek(const QString &name);
    Result<void> writeKek(const registry::Kek &kek);
    QList<registry::Dek> readDeks(const QString &kekName, const QString &subject,
                                  const QString &algorithm);
    std::optional<registry::Dek> readDek(const QString &kekName, const QString &subject,
                                         const QString &algorithm, int version);
    Result<void> writeDek(const registry::Dek &dek);
    bool hasDeks(const QString &kekName, bool includeDeleted);
    int keyCount();
    // One version (LatestVersion allowed) or, with nullopt, all versions.
    Result<void> deleteDeks(const QString &kekName, const QString &subject,
                            std::optional<int> version, const QString &algorithm, bool permanent);
    Result<void> undeleteDeks(const QString &kekName, const QString &subject,
                              std::optional<int> version, const QString &algorithm);
    Result<std::shared_ptr<kms::KmsAead>> aeadFor(const registry::Kek &kek);
    // The error of an injected KMS failure for this call, if one is due.
    std::optional<Error> injectedKmsFault(const registry::Kek &kek, const char *call);
    Result<QByteArray> kmsWrap(const registry::Kek &kek, const QByteArray &plain);
    Result<QByteArray> kmsUnwrap(const registry::Kek &kek, const QByteArray &wrapped);
    Result<void> testWrap(const registry::Kek &kek);
    Result<registry::Dek> withKeyMaterial(const registry::Kek &kek, registry::Dek dek);

    QList<SubjectRow> readSubject(const QString &subject);
    std::optional<registry::Schema> readSchemaRow(int id);
    registry::Schema subjectVersionSchema(const QString &subject, const SubjectRow &row);
    // The schemas `refs` name, each after the ones it references itself, by reference name.
    Result<QList<serde::NamedSchema>>
    resolveReferences(const QList<registry::SchemaReference> &refs, int depth);
    Result<void> validateSchema(const registry::Schema &request);
    std::optional<int> findSchemaId(const QString &canonical);
    QList<int> referencingIds(const QString &subject, int version, bool includeDeleted);

    const Clock *m_clock;
    mutable QMutex m_mutex;
    std::shared_ptr<store::Database> m_db;
    bool m_open = false;
    // One connection per thread that used the store; Qt SQL connections are thread-bound.
    QString m_localSecret;
    int m_maxKeys = DefaultMaxKeys;
    kms::KmsRegistry m_kms;
    std::shared_ptr<FaultInjector> m_faults;
};

} // namespace kw::sandbox
