#pragma once
// The append-only, hash-chained audit log (SQLite): who revealed or changed what, when. Each
// entry's hash covers its content and the previous entry's hash, so an edited, inserted or
// removed row breaks the chain and verifyChain() names the first broken entry.

#include "common/clock.h"
#include "common/result.h"

#include <QJsonObject>
#include <QLatin1String>
#include <QList>
#include <QMutex>
#include <QString>

#include <memory>

namespace kw::audit {

// Error codes of this module (kw::Error::code).
inline constexpr QLatin1String ErrorStorage{"audit.storage"};
inline constexpr QLatin1String ErrorChainBroken{"audit.chain_broken"};
// The details looked like they carried a plaintext value; the audit log only names fields.
inline constexpr QLatin1String ErrorPlaintextRejected{"audit.plaintext_rejected"};

// Well-known actions.
inline constexpr QLatin1String ActionRecordReveal{"record.reveal"};
inline constexpr QLatin1String ActionRecordCopy{"record.copy"};

struct AuditEntry
{
    qint64 id = 0;     // set by append()
    qint64 timeMs = 0; // UTC ms since the epoch; set by append() from the store's clock
    QString actor;     // OS user name; append() fills it in when empty
    QString action;    // "record.reveal", ...
    QString profile;   // connection profile name
    QString registryUrl;
    // The record acted on, when the action is about one record.
    QString topic;
    int partition = -1;
    qint64 offset = -1;
    // Any other object acted on ("kek:orders-kek", ...).
    QString object;
    // What was done, e.g. {"fields": ["ssn", "card.number"]}. Never values.
    QJsonObject details;
    QString previousHash; // hex SHA-256; set by append()
    QString hash;         // hex SHA-256 over canonicalBytes(); set by append()

    // The exact bytes the hash covers: every field but id and hash, as compact JSON with
    // sorted keys (QJsonObject keeps keys sorted), so the form is stable across versions.
    [[nodiscard]] QByteArray canonicalBytes() const;
    [[nodiscard]] QString computeHash() const;
};

struct AuditFilter
{
    QString action; // empty: any
    QString topic;  // empty: any
    qint64 sinceMs = 0;
    qint64 untilMs = 0; // 0: no upper bound
    int limit = 0;      // 0: all; otherwise the newest `limit`, still in id order
};

class AuditStore
{
public:
    struct Options
    {
        QString path;                 // empty: <AppDataLocation>/audit.sqlite
        const Clock *clock = nullptr; // null: the system clock
        QString actor;                // empty: the OS user name
    };

    // Opens (creating when needed) the log. The store uses one SQLite connection of its own;
    // call it from the thread that opened it.
    static Result<std::shared_ptr<AuditStore>> open(const Options &options);
    ~AuditStore();
    AuditStore(const AuditStore &) = delete;
    AuditStore &operator=(const AuditStore &) = delete;

    // Stamps time, actor, previous hash and hash, writes the entry and returns it as stored.
    Result<AuditEntry> append(AuditEntry entry);
    Result<QList<AuditEntry>> entries(const AuditFilter &filter = {}) const;
    // Ok when every entry's hash matches its content and links to the one before it.
    Result<void> verifyChain() const;

    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] QString actor() const { return m_actor; }
    // The chain's start: the previous hash of the first entry.
    static QString genesisHash();
    static QString osUserName();

private:
    AuditStore() = default;
    Result<void> init();

    QString m_path;
    QString m_connection;
    QString m_actor;
    const Clock *m_clock = nullptr;
    mutable QMutex m_mutex;
};

} // namespace kw::audit
