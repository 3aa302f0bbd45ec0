#pragma once
// Typed, asynchronous client for the DEK Registry REST API (/dek-registry/v1/keks...): KEKs,
// DEKs and DEK versions, their soft/permanent delete and undelete, on top of a RestTransport.

#include "core/domain/keysources.h"
#include "core/domain/registrytypes.h"
#include "core/net/resttransport.h"

#include <QFuture>
#include <QMap>
#include <QPointer>
#include <QStringList>

#include <optional>

namespace kw::registry {

struct KekListOptions
{
    QStringList subjectPrefixes; // KEKs that have a DEK whose subject starts with any of these
    bool deleted = false;
    int offset = 0;
    int limit = -1;
};

struct DekListOptions
{
    bool deleted = false;
    int offset = 0;
    int limit = -1;
};

// PUT /keks/{name}: absent fields keep their value; the clear flags send JSON null.
struct KekUpdate
{
    std::optional<QMap<QString, QString>> kmsProps;
    bool clearKmsProps = false;
    std::optional<QString> doc;
    bool clearDoc = false;
    std::optional<bool> shared;

    [[nodiscard]] QJsonObject toJson() const;
};

class DekRegistryClient final : public engine::KeySource
{
public:
    // The transport must outlive the requests' use of it; the client only borrows it.
    explicit DekRegistryClient(RestTransport *transport);

    // An empty algorithm is left out of the request; the server then uses AES256_GCM.
    // Versions: a positive number, or -1 for the latest (sent as "latest").

    // GET /keks
    QFuture<Result<QStringList>> listKeks(const KekListOptions &options = {});
    // POST /keks: the request's name, kmsType, kmsKeyId, kmsProps, doc, shared and deleted.
    QFuture<Result<Kek>> createKek(const Kek &kek, bool testSharing = false);
    // GET /keks/{name}
    QFuture<Result<Kek>> getKek(const QString &name, bool deleted = false);
    // PUT /keks/{name}
    QFuture<Result<Kek>> updateKek(const QString &name, const KekUpdate &update,
                                   bool testSharing = false);
    // DELETE /keks/{name}: soft delete first, then permanent.
    QFuture<Result<void>> deleteKek(const QString &name, bool permanent = false);
    // POST /keks/{name}/undelete
    QFuture<Result<void>> undeleteKek(const QString &name);
    // POST /keks/{name}/test: the registry test-wraps a key with the KMS (shared KEKs only).
    QFuture<Result<Kek>> testKek(const QString &name);

    // GET /keks/{name}/deks: DEK subjects of the KEK, all algorithms.
    QFuture<Result<QStringList>> listDekSubjects(const QString &kekName,
                                                 const DekListOptions &options = {});
    // POST /keks/{name}/deks/{subject} (falls back to the deprecated POST /keks/{name}/deks
    // when the server answers 405): the request's subject, version, algorithm and
    // encryptedKeyMaterial (left out for a shared KEK: the registry generates the key).
    QFuture<Result<Dek>> createDek(const QString &kekName, const Dek &request, bool rewrap);
    // GET /keks/{name}/deks/{subject}: version 1, not the latest.
    QFuture<Result<Dek>> getDek(const QString &kekName, const QString &subject,
                                const QString &algorithm = {}, bool deleted = false);
    // DELETE /keks/{name}/deks/{subject}: all versions of one algorithm.
    QFuture<Result<void>> deleteDek(const QString &kekName, const QString &subject,
                                    const QString &algorithm = {}, bool permanent = false);
    // POST /keks/{name}/deks/{subject}/undelete
    QFuture<Result<void>> undeleteDek(const QString &kekName, const QString &subject,
                                      const QString &algorithm = {});
    // GET /keks/{name}/deks/{subject}/versions
    QFuture<Result<QList<int>>> listDekVersions(const QString &kekName, const QString &subject,
                                                const QString &algorithm = {},
                                                const DekListOptions &options = {});
    // GET /keks/{name}/deks/{subject}/versions/{version}
    QFuture<Result<Dek>> getDekVersion(const QString &kekName, const QString &subject, int version,
                                       const QString &algorithm = {}, bool deleted = false);
    // DELETE /keks/{name}/deks/{subject}/versions/{version}
    QFuture<Result<void>> deleteDekVersion(const QString &kekName, const QString &subject,
                                           int version, const QString &algorithm = {},
                                           bool permanent = false);
    // POST /keks/{name}/deks/{subject}/versions/{version}/undelete
    QFuture<Result<void>> undeleteDekVersion(const QString &kekName, const QString &subject,
                                             int version, const QString &algorithm = {});

    // Page walkers: offset/limit pages until a short page.
    QFuture<Result<QStringList>>
    listAllKeks(int pageSize = 1000, const QStringList &subjectPrefixes = {}, bool deleted = false);
    QFuture<Result<QStringList>> listAllDekSubjects(const QString &kekName, int pageSize = 1000,
                                                    bool deleted = false);
    QFuture<Result<QList<int>>> listAllDekVersions(const QString &kekName, const QString &subject,
                                                   const QString &algorithm = {},
                                                   int pageSize = 1000, bool deleted = false);

    // engine::KeySource
    QFuture<Result<Kek>> kek(const QString &name, bool includeDeleted) override;
    QFuture<Result<Dek>> dek(const QString &kekName, const QString &subject, int version,
                             const QString &algorithm, bool includeDeleted) override;
    QFuture<Result<Dek>> createDek(const QString &kekName, const Dek &request) override;
    QFuture<Result<QList<int>>> dekVersions(const QString &kekName, const QString &subject,
                                            const QString &algorithm, bool includeDeleted) override;

private:
    QPointer<RestTransport> m_transport;
};

// Request bodies in the REST shapes (CreateKekRequest, CreateDekRequest).
QJsonObject createKekRequestJson(const Kek &kek);
QJsonObject createDekRequestJson(const Dek &dek, bool includeSubject);

} // namespace kw::registry
