#pragma once
// The append-only, MAC-chained audit log (SQLite): who revealed or changed what, when. Each
// entry's MAC covers its content and the previous entry's MAC. Keyed entries (format 2) use
// HMAC-SHA-256 under the installation's key, which lives in the OS keychain, not beside the
// file, so whoever can write the file still cannot forge a chain that verifies. Entries of
// format 1 (plain SHA-256) are older logs and the no-keychain fallback: they show accidents,
// not tampering. AuditLog adds the keychain half (key and head); this class is the file.

#include "core/audit/auditvault.h"
#include "core/domain/clock.h"
#include "core/domain/result.h"

#include <QJsonObject>
#include <QLatin1String>
#include <QList>
#include <QMutex>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace kw::store {
class Database;
}

namespace kw::audit {

// Error codes of this module (kw::Error::code).
inline constexpr QLatin1String ErrorStorage{"audit.storage"};
inline constexpr QLatin1String ErrorChainBroken{"audit.chain_broken"};
// The keychain's head names entries the file no longer has, or has different ones.
inline constexpr QLatin1String ErrorHeadMismatch{"audit.head_mismatch"};
// The keychain has a head for this log but the file is gone.
inline constexpr QLatin1String ErrorLogDeleted{"audit.log_deleted"};
// Keyed entries with no key to check them (no keychain, or its entry was removed).
inline constexpr QLatin1String ErrorKeyMissing{"audit.key_missing"};
// The log did not verify and nobody acknowledged it yet: nothing is appended.
inline constexpr QLatin1String ErrorNotVerified{"audit.not_verified"};
// The details looked like they carried a plaintext value; the audit log only names fields.
inline constexpr QLatin1String ErrorPlaintextRejected{"audit.plaintext_rejected"};

// A walk was stopped by its caller.
inline constexpr QLatin1String ErrorCancelled{"audit.cancelled"};

// Well-known actions.
inline constexpr QLatin1String ActionRecordReveal{"record.reveal"};
inline constexpr QLatin1String ActionRecordCopy{"record.copy"};
// The one-time switch of an older, unkeyed log to keyed entries.
inline constexpr QLatin1String ActionAuditMigrate{"audit.migrate"};
// An admin acknowledged a log that did not verify; a new segment starts, linked to the old.
inline constexpr QLatin1String ActionAuditAcknowledge{"audit.acknowledge"};

struct AuditEntry
{
    qint64 id = 0;     // set by append()
    qint64 timeMs = 0; // UTC ms since the epoch; set by append() from the store's clock
    QString actor;     // OS account name; append() fills it in when empty
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
    // 1: hash is SHA-256 (older logs, no-keychain fallback); 2: hash is HMAC-SHA-256 under the
    // installation key. Set by append().
    int version = 1;
    QString previousHash; // hex MAC of the entry before; set by append()
    QString hash;         // hex MAC over canonicalBytes(); set by append()

    // The exact bytes the MAC covers: every field but id and hash, as compact JSON with
    // sorted keys (QJsonObject keeps keys sorted) and "v" = version, so each format is stable.
    [[nodiscard]] QByteArray canonicalBytes() const;
    // SHA-256 of canonicalBytes() (format 1).
    [[nodiscard]] QString computeHash() const;
    // HMAC-SHA-256 of canonicalBytes() under `key` (format 2).
    [[nodiscard]] QString computeMac(const QByteArray &key) const;
};

struct AuditFilter
{
    QString action; // empty: any
    QString topic;  // empty: any
    QString actor;  // empty: any
    QString object; // empty: any; otherwise entries whose object contains it (case-insensitive)
    qint64 sinceMs = 0;
    qint64 untilMs = 0; // 0: no upper bound
    int limit = 0;      // 0: all; otherwise the newest `limit`, still in id order

    bool operator==(const AuditFilter &) const = default;
};

// Which end of the log a page starts from.
enum class AuditOrder
{
    NewestFirst,
    OldestFirst
};

// A running digest over entries in id order (SHA-256 of the digest before, an entry's
// canonical bytes and its MAC), starting from 32 zero bytes. An acknowledgement records it
// for what it accepted; an anchor records it for what it covered.
[[nodiscard]] QByteArray nextEntryDigest(const QByteArray &digest, const AuditEntry &entry);

// What a walk over the whole chain found.
struct ChainReport
{
    qint64 entries = 0;
    qint64 keyedEntries = 0;  // format 2
    qint64 legacyEntries = 0; // format 1
    qint64 acknowledgements = 0;
    qint64 lastId = 0;
    QString lastMac;
    int lastVersion = 0;
    // The first problem since the last acknowledgement, and the entry it is about (0: the log
    // as a whole, e.g. truncation named by the head).
    std::optional<Error> problem;
    qint64 brokenId = 0;

    [[nodiscard]] bool ok() const { return !problem.has_value(); }
    [[nodiscard]] AuditHead head() const { return {lastId, lastMac, entries}; }
};

class AuditStore
{
public:
    struct Options
    {
        QString path;                 // empty: defaultPath()
        const Clock *clock = nullptr; // null: the system clock
        QString actor;                // empty: the OS account (osUserName())
        QByteArray key;               // empty: unkeyed (format 1 entries)
    };

    // Opens (creating when needed, 0600 in a 0700 folder) the log. The store uses one SQLite
    // connection of its own; call it from the thread that opened it.
    static Result<std::shared_ptr<AuditStore>> open(const Options &options);
    ~AuditStore();
    AuditStore(const AuditStore &) = delete;
    AuditStore &operator=(const AuditStore &) = delete;

    // Stamps time, actor, format, previous MAC and MAC, writes the entry in one IMMEDIATE
    // transaction and returns it as stored.
    Result<AuditEntry> append(AuditEntry entry);

    // The same in steps, for AuditLog, which records the new head in the keychain while the
    // write lock is held: lockForWrite() (BEGIN IMMEDIATE, waits up to the busy timeout),
    // insertLocked(), then commitWrite() or rollbackWrite(). `linkTo` replaces the previous
    // entry's MAC (an acknowledgement after the file was deleted links to the lost head).
    Result<void> lockForWrite();
    Result<AuditEntry> insertLocked(AuditEntry entry, const QString &linkTo = {});
    Result<void> commitWrite();
    void rollbackWrite();

    Result<QList<AuditEntry>> entries(const AuditFilter &filter = {}) const;
    // One page of the entries `filter` selects (its limit is ignored): `limit` entries after
    // skipping `offset`, from the end `order` names. Reads only that page.
    Result<QList<AuditEntry>> page(const AuditFilter &filter, qint64 offset, int limit,
                                   AuditOrder order = AuditOrder::NewestFirst) const;
    // How many entries `filter` selects (its limit is ignored).
    Result<qint64> count(const AuditFilter &filter = {}) const;
    // The actions and actors that occur in the log, sorted: for filter choices.
    Result<QStringList> actions() const;
    Result<QStringList> actors() const;
    // Walks the chain: links, MACs (format 2 needs the key), no format 1 after format 2,
    // acknowledgements, and, given the keychain's head, that no entry it covers is missing or
    // different. Fails only when the file cannot be read; a broken chain is in the report.
    Result<ChainReport> inspect(const std::optional<AuditHead> &head = std::nullopt) const;
    // The same, telling `progress` (entries checked, entries in all) every few thousand
    // entries; when it answers false the walk stops with ErrorCancelled.
    using Progress = std::function<bool(qint64 done, qint64 total)>;
    Result<ChainReport> inspect(const std::optional<AuditHead> &head,
                                const Progress &progress) const;
    // Ok when inspect() finds no problem; otherwise that problem.
    Result<void> verifyChain() const;
    // The last entry and the count, unchecked (entries, lastId, lastMac, lastVersion).
    Result<ChainReport> tail() const;
    // Whether the entry's MAC matches its content. Keyed entries need the key: without it
    // they never do.
    [[nodiscard]] bool authenticates(const AuditEntry &entry) const;
    // The digest of the first `count` entries that an acknowledgement records.
    Result<QString> segmentDigest(qint64 count) const;

    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] QString actor() const { return m_actor; }
    [[nodiscard]] bool isKeyed() const { return !m_key.isEmpty(); }
    // From now on entries are keyed with `key` (AuditLog, once it created the key).
    void useKey(const QByteArray &key);
    // The chain's start: the previous hash of the first entry.
    static QString genesisHash();
    // The account this process runs as (getpwuid(geteuid())), or its uid number; never taken
    // from the environment, which anyone can set.
    static QString osUserName();
    // <AppDataLocation>/audit.sqlite
    static QString defaultPath();

private:
    AuditStore() = default;
    Result<void> init();

    QString m_path;
    std::shared_ptr<store::Database> m_db;
    QString m_actor;
    QByteArray m_key;
    const Clock *m_clock = nullptr;
    mutable QMutex m_mutex;
};

} // namespace kw::audit
