#include "core/sandbox/sandboxstore.h"

#include "core/domain/readyfuture.h"
#include "core/sandbox/faults.h"
#include "core/sandbox/registryerrors.h"
#include "core/store/database.h"

#include <QFuture>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcSandboxStore, "keywarden.sandbox.store", QtInfoMsg)

namespace kw::sandbox {

namespace {

const char *const TableStatements[] = {
    "CREATE TABLE IF NOT EXISTS keks ("
    " name TEXT PRIMARY KEY, kms_type TEXT NOT NULL, kms_key_id TEXT NOT NULL,"
    " kms_props TEXT NOT NULL, doc TEXT, shared INTEGER NOT NULL, ts INTEGER NOT NULL,"
    " deleted INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS deks ("
    " kek_name TEXT NOT NULL, subject TEXT NOT NULL, algorithm TEXT NOT NULL,"
    " version INTEGER NOT NULL, encrypted_key_material TEXT NOT NULL, ts INTEGER NOT NULL,"
    " deleted INTEGER NOT NULL, PRIMARY KEY (kek_name, subject, algorithm, version))",
    "CREATE TABLE IF NOT EXISTS schemas ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT NOT NULL UNIQUE,"
    " schema_type TEXT NOT NULL, schema TEXT NOT NULL, refs TEXT NOT NULL,"
    " metadata TEXT NOT NULL, rule_set TEXT NOT NULL, canonical TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS schema_refs ("
    " schema_id INTEGER NOT NULL, subject TEXT NOT NULL, version INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS schema_refs_target ON schema_refs (subject, version)",
    "CREATE TABLE IF NOT EXISTS subject_versions ("
    " subject TEXT NOT NULL, version INTEGER NOT NULL, schema_id INTEGER NOT NULL,"
    " ts INTEGER NOT NULL, deleted INTEGER NOT NULL, PRIMARY KEY (subject, version))",
    "CREATE INDEX IF NOT EXISTS subject_versions_id ON subject_versions (schema_id)",
    "CREATE TABLE IF NOT EXISTS config (subject TEXT PRIMARY KEY, compatibility TEXT NOT NULL)",
};

template<typename T>
QFuture<Result<T>> ready(Result<T> result)
{
    return kw::readyFuture(std::move(result));
}

} // namespace

SandboxStore::SandboxStore(const Clock &clock)
    : m_clock(&clock)
    , m_kms(kms::KmsRegistry::withBuiltInDrivers())
{}

SandboxStore::~SandboxStore() = default;

Result<void> SandboxStore::open(const QString &path)
{
    QMutexLocker lock(&m_mutex);
    if (m_open)
        return makeError(QStringLiteral("sandbox.already_open"),
                         QStringLiteral("The sandbox store is already open."));
    QStringList tables;
    for (const char *statement : TableStatements)
        tables << QString::fromLatin1(statement);
    // The sandbox is a test double: WAL without a sync on every commit is plenty.
    auto opened =
        store::Database::open({.path = path,
                               .purpose = QStringLiteral("sandbox database"),
                               .synchronousNormal = true,
                               .migrations = {store::Migration::sql(
                                   1, QStringLiteral("create the sandbox tables"), tables)}});
    if (!opened) {
        return makeError(
            QStringLiteral("sandbox.store_open"),
            QStringLiteral("Could not open the sandbox database '%1': %2 Check that "
                           "the folder exists and is writable.")
                .arg(path.isEmpty() ? QStringLiteral("(memory)") : path, opened.error().message));
    }
    m_db = *opened;
    m_open = true;
    return {};
}

bool SandboxStore::isOpen() const
{
    QMutexLocker lock(&m_mutex);
    return m_open;
}

void SandboxStore::setLocalSecret(const QString &secret)
{
    QMutexLocker lock(&m_mutex);
    m_localSecret = secret;
}

QString SandboxStore::localSecret() const
{
    QMutexLocker lock(&m_mutex);
    return m_localSecret;
}

void SandboxStore::setClock(const Clock &clock)
{
    QMutexLocker lock(&m_mutex);
    m_clock = &clock;
}

const Clock &SandboxStore::clock() const
{
    QMutexLocker lock(&m_mutex);
    return *m_clock;
}

void SandboxStore::setFaultInjector(std::shared_ptr<FaultInjector> faults)
{
    QMutexLocker lock(&m_mutex);
    m_faults = std::move(faults);
}

void SandboxStore::setMaxKeys(int maxKeys)
{
    QMutexLocker lock(&m_mutex);
    m_maxKeys = maxKeys;
}

QSqlDatabase SandboxStore::db()
{
    // Before open(): an invalid database, so queries fail instead of touching a stray file.
    return m_db ? m_db->connection() : QSqlDatabase();
}

Error SandboxStore::sqlError(const QString &what, const QString &detail) const
{
    qCWarning(lcSandboxStore) << "SQL error:" << what << detail;
    return registryError(ErrStore, QStringLiteral("Error in the backend data store: could not %1 "
                                                  "(%2).")
                                       .arg(what, detail));
}

// ---- engine::KeySource / engine::SchemaSource ----

QFuture<Result<registry::Kek>> SandboxStore::kek(const QString &name, bool includeDeleted)
{
    return ready(getKek(name, includeDeleted));
}

QFuture<Result<registry::Dek>> SandboxStore::dek(const QString &kekName, const QString &subject,
                                                 int version, const QString &algorithm,
                                                 bool includeDeleted)
{
    return ready(getDek(kekName, subject, version, algorithm, includeDeleted));
}

QFuture<Result<registry::Dek>> SandboxStore::createDek(const QString &kekName,
                                                       const registry::Dek &request)
{
    return ready(registerDek(kekName, request, false));
}

QFuture<Result<registry::Schema>> SandboxStore::schemaById(int id)
{
    return ready(getSchemaById(id));
}

QFuture<Result<registry::Schema>> SandboxStore::schemaByGuid(const QUuid &guid)
{
    return ready(getSchemaByGuid(guid.toString(QUuid::WithoutBraces)));
}

QFuture<Result<registry::Schema>> SandboxStore::schemaVersion(const QString &subject, int version)
{
    // References must resolve even when the referenced version was soft-deleted.
    return ready(getSubjectVersion(subject, version, true));
}

} // namespace kw::sandbox
