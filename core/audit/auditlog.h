#pragma once
// The audit log as the applications use it: the file (AuditStore) plus its key and head in a
// vault (the OS keychain). Opening reads the key (creating it on first use) and the head,
// verifies the chain against both, and migrates an older unkeyed log once. A log that does not
// verify is never appended to: append() fails until an administrator acknowledges the break,
// which is itself an entry that starts a new segment linked to the old one. Without a
// keychain the log falls back to an unkeyed chain and says so.

#include "core/audit/auditstore.h"
#include "core/audit/auditvault.h"

#include <QFuture>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace kw::audit {

class AuditLog final : public std::enable_shared_from_this<AuditLog>
{
public:
    enum class Mode
    {
        Append,    // create the file and the key when missing; migrate an unkeyed log
        VerifyOnly // change nothing: no file, no key, no migration
    };
    struct Options
    {
        QString path;                 // empty: AuditStore::defaultPath()
        const Clock *clock = nullptr; // null: the system clock
        QString actor;                // empty: the OS account
        Mode mode = Mode::Append;
    };

    // Names of the vault entries: one key per installation, one head per log file.
    static QString keyName();
    static QString headName(const QString &path);

    // Call from a thread that runs an event loop (the GUI thread, the CLI's main thread): the
    // vault's answers and this object's work arrive there, and every method must be called
    // there. Fails only when the log cannot be read at all or the keychain refused access; a log
    // that does not verify opens with problem() set.
    static QFuture<Result<std::shared_ptr<AuditLog>>> open(const Options &options,
                                                           std::shared_ptr<AuditVault> vault);
    ~AuditLog();
    AuditLog(const AuditLog &) = delete;
    AuditLog &operator=(const AuditLog &) = delete;

    [[nodiscard]] QString path() const { return m_path; }
    // What it was opened with: AuditThread opens the same log again on a worker thread.
    [[nodiscard]] const Options &options() const { return m_options; }
    [[nodiscard]] std::shared_ptr<AuditVault> vault() const { return m_vault; }
    [[nodiscard]] bool isKeyed() const { return !m_key.isEmpty(); }
    // "keyed (HMAC-SHA-256; key and head in the system keychain)" or "unkeyed (...why...)".
    [[nodiscard]] QString keyingDescription() const;
    // The last verification: counts, the last entry, and the problem when there is one.
    [[nodiscard]] const ChainReport &report() const { return m_report; }
    [[nodiscard]] const std::optional<Error> &problem() const { return m_report.problem; }
    [[nodiscard]] bool fileExists() const { return m_store != nullptr; }
    // Reading entries; null when the file is gone (deleted) or was never created (VerifyOnly).
    [[nodiscard]] std::shared_ptr<AuditStore> store() const { return m_store; }

    // Writes the entry and moves the head, in that order, under the file's write lock (so
    // concurrent processes keep one chain and one head). Fails with ErrorNotVerified while a
    // problem is unacknowledged, and when the file or the head changed since the last check.
    QFuture<Result<AuditEntry>> append(AuditEntry entry);
    // Accepts the current problem on the record: an "audit.acknowledge" entry that names it,
    // holds a digest of every entry before it and links to the last of them (or, when the file
    // was deleted, to the lost head). Appends work again afterwards.
    QFuture<Result<AuditEntry>> acknowledge();
    // Reads the head again and walks the chain; updates problem().
    QFuture<Result<ChainReport>> verify();
    // The same, but the walk runs on a worker thread with a connection of its own, so a long
    // log does not hold up this thread's event loop (the GUI). `progress` hears (entries
    // checked, entries in all) on that worker thread; when it answers false the walk stops,
    // the future has ErrorCancelled and problem() is left as it was.
    QFuture<Result<ChainReport>> verify(AuditStore::Progress progress);

private:
    AuditLog() = default;
    using Task = std::function<void()>;
    void enqueue(Task task);
    void taskDone();

    template<typename T, typename F>
    void then(const QFuture<T> &future, F &&onResult);

    using Done = std::function<void(Result<void>)>;
    using Written = std::function<void(Result<AuditEntry>)>;
    enum class Kind
    {
        Normal,
        Migration,
        Acknowledgement
    };

    void startOpen(Done done);
    void keyRead(const Result<QByteArray> &key, Done done);
    void headRead(const Result<QByteArray> &head, Done done);
    void afterVault(Done done);
    void createKey(Done done);
    void readHead(std::function<void(Result<void>)> done);
    void check(Done done, bool underLock = false);
    // check() with the walk on a worker thread (see verify(Progress)).
    struct BackgroundWalk;
    void checkInBackground(Done done, std::shared_ptr<BackgroundWalk> walk, bool underLock = false);
    void checked(const Result<ChainReport> &report, Done done, bool underLock,
                 std::shared_ptr<BackgroundWalk> walk);
    QFuture<Result<ChainReport>> verifyWith(std::shared_ptr<BackgroundWalk> walk);
    void judge(ChainReport report);
    void migrate(Done done);
    void write(AuditEntry entry, Kind kind, Written done);
    void writeLocked(AuditEntry entry, Kind kind, std::optional<AuditHead> head, Written done);
    Result<void> openStore();

    Options m_options;
    QString m_path;
    std::shared_ptr<AuditVault> m_vault;
    std::unique_ptr<QObject> m_context; // lives in the opening thread; carries continuations
    std::shared_ptr<AuditStore> m_store;
    QByteArray m_key;
    bool m_keyMissing = false; // the vault has no key (yet)
    QString m_unkeyedReason;   // non-empty: no vault, unkeyed fallback
    std::optional<AuditHead> m_head;
    bool m_headUnreadable = false;
    ChainReport m_report;
    std::deque<Task> m_tasks;
    bool m_busy = false;
};

} // namespace kw::audit
