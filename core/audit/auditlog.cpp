#include "core/audit/auditlog.h"

#include "core/domain/futurewatch.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPromise>
#include <QRandomGenerator>
#include <QThreadPool>

namespace kw::audit {

Q_DECLARE_LOGGING_CATEGORY(lcAudit)

namespace {

QByteArray newKey()
{
    QByteArray key(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(key.data()),
                                          key.size() / qsizetype(sizeof(quint32)));
    return key;
}

Error vaultError(const QString &what, const Error &error)
{
    return makeError(error.code, QStringLiteral("The keychain could not %1 for the audit log: %2 "
                                                "Reveals are refused until it can; allow "
                                                "Keywarden access to the keychain and try again.")
                                     .arg(what, error.message));
}

} // namespace

QString AuditLog::keyName()
{
    return QStringLiteral("audit-log-key");
}

QString AuditLog::headName(const QString &path)
{
    return QStringLiteral("audit-log-head:") + QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

QFuture<Result<std::shared_ptr<AuditLog>>> AuditLog::open(const Options &options,
                                                          std::shared_ptr<AuditVault> vault)
{
    std::shared_ptr<AuditLog> log(new AuditLog);
    log->m_options = options;
    log->m_path =
        QDir::cleanPath(QFileInfo(options.path.isEmpty() ? AuditStore::defaultPath() : options.path)
                            .absoluteFilePath());
    log->m_vault = std::move(vault);
    log->m_context = std::make_unique<QObject>();
    auto promise = std::make_shared<QPromise<Result<std::shared_ptr<AuditLog>>>>();
    QFuture<Result<std::shared_ptr<AuditLog>>> future = promise->future();
    promise->start();
    log->enqueue([log, promise] {
        log->startOpen([log, promise](Result<void> opened) {
            if (opened)
                promise->addResult(log);
            else
                promise->addResult(opened.error());
            promise->finish();
            log->taskDone();
        });
    });
    return future;
}

AuditLog::~AuditLog()
{
    // Continuations may be on their way out of this object's own watcher: the context (their
    // parent) goes with the event loop, not from inside them.
    if (m_context)
        m_context.release()->deleteLater();
}

QString AuditLog::keyingDescription() const
{
    if (isKeyed())
        return QStringLiteral("keyed (HMAC-SHA-256; key and head in %1)")
            .arg(m_vault->description());
    if (!m_unkeyedReason.isEmpty())
        return QStringLiteral("unkeyed (plain SHA-256 chain, no keychain: %1 Anyone who can "
                              "write the file could rewrite it undetected.)")
            .arg(m_unkeyedReason);
    return QStringLiteral("unkeyed (no key yet: the log is keyed the next time Keywarden "
                          "writes to it)");
}

void AuditLog::enqueue(Task task)
{
    m_tasks.push_back(std::move(task));
    if (m_busy)
        return;
    m_busy = true;
    Task next = std::move(m_tasks.front());
    m_tasks.pop_front();
    next();
}

void AuditLog::taskDone()
{
    m_busy = false;
    if (m_tasks.empty())
        return;
    m_busy = true;
    Task next = std::move(m_tasks.front());
    m_tasks.pop_front();
    next();
}

template<typename T, typename F>
void AuditLog::then(const QFuture<T> &future, F &&onResult)
{
    whenFinished(future, m_context.get(),
                 [self = shared_from_this(),
                  f = std::forward<F>(onResult)](const T &result) mutable { f(result); });
}

Result<void> AuditLog::openStore()
{
    auto store = AuditStore::open(
        {.path = m_path, .clock = m_options.clock, .actor = m_options.actor, .key = m_key});
    if (!store)
        return store.error();
    m_store = *store;
    return {};
}

void AuditLog::startOpen(Done done)
{
    if (!m_vault) {
        m_unkeyedReason = QStringLiteral("no keychain is configured.");
        afterVault(std::move(done));
        return;
    }
    then(m_vault->read(keyName()),
         [this, done](const Result<QByteArray> &key) mutable { keyRead(key, std::move(done)); });
}

void AuditLog::keyRead(const Result<QByteArray> &key, Done done)
{
    if (key) {
        m_key = *key;
    } else if (key.error().code == ErrorVaultNotFound) {
        m_keyMissing = true;
    } else if (key.error().code == ErrorVaultUnavailable) {
        m_unkeyedReason = key.error().message;
        qCWarning(lcAudit) << "audit log: no keychain, the chain is unkeyed:" << m_unkeyedReason;
        afterVault(std::move(done));
        return;
    } else {
        done(vaultError(QStringLiteral("read the log's key"), key.error()));
        return;
    }
    readHead([this, done](Result<void> read) mutable {
        if (!read) {
            done(read.error());
            return;
        }
        afterVault(std::move(done));
    });
}

void AuditLog::readHead(std::function<void(Result<void>)> done)
{
    then(m_vault->read(headName(m_path)), [this, done](const Result<QByteArray> &head) {
        m_headUnreadable = false;
        if (head) {
            m_head = AuditHead::fromJson(*head);
            m_headUnreadable = !m_head;
        } else if (head.error().code == ErrorVaultNotFound) {
            m_head.reset();
        } else {
            done(vaultError(QStringLiteral("read the log's head"), head.error()));
            return;
        }
        done({});
    });
}

void AuditLog::afterVault(Done done)
{
    if (!QFileInfo::exists(m_path)) {
        m_report = {};
        if (m_head) {
            m_report.problem = makeError(
                QString(ErrorLogDeleted),
                QStringLiteral("The audit log %1 is gone, but the keychain's head says it had %2 "
                               "entries (the last #%3): the file was deleted. Restore it from a "
                               "backup, or have an administrator acknowledge the loss in the "
                               "Keywarden window, which starts a new log linked to the lost one.")
                    .arg(m_path)
                    .arg(m_head->count)
                    .arg(m_head->lastId));
            m_report.brokenId = 1;
            done({});
            return;
        }
        if (m_options.mode == Mode::VerifyOnly) {
            done({}); // no log yet, nothing lost
            return;
        }
    }
    if (auto opened = openStore(); !opened) {
        done(opened.error());
        return;
    }
    if (m_keyMissing && !m_head && m_options.mode == Mode::Append) {
        createKey([this, done](Result<void> created) mutable {
            if (!created) {
                done(created.error());
                return;
            }
            check(std::move(done));
        });
        return;
    }
    check(std::move(done));
}

void AuditLog::createKey(Done done)
{
    // The file's write lock doubles as the lock around the keychain: processes starting
    // together on a fresh installation must agree on one key.
    if (auto locked = m_store->lockForWrite(); !locked) {
        done(locked.error());
        return;
    }
    then(m_vault->read(keyName()), [this, done](const Result<QByteArray> &existing) {
        if (existing) {
            m_store->rollbackWrite();
            m_key = *existing;
            m_keyMissing = false;
            m_store->useKey(m_key);
            done({});
            return;
        }
        if (existing.error().code != ErrorVaultNotFound) {
            m_store->rollbackWrite();
            done(vaultError(QStringLiteral("read the log's key"), existing.error()));
            return;
        }
        const QByteArray key = newKey();
        then(m_vault->write(keyName(), key), [this, done, key](const Result<void> &stored) {
            m_store->rollbackWrite();
            if (!stored) {
                done(vaultError(QStringLiteral("store a new key"), stored.error()));
                return;
            }
            m_key = key;
            m_keyMissing = false;
            m_store->useKey(m_key);
            qCInfo(lcAudit) << "audit log: created the installation's key in"
                            << m_vault->description();
            done({});
        });
    });
}

void AuditLog::check(Done done, bool underLock)
{
    checked(m_store->inspect(m_head), std::move(done), underLock, nullptr);
}

// What the walks of one verify(Progress) share. The reader is the worker's own connection:
// opened by the first walk and reused by the re-check under the write lock, because opening a
// store takes the write lock itself (its schema check). It lives on walkerThread() only.
struct AuditLog::BackgroundWalk
{
    AuditStore::Progress progress;
    std::shared_ptr<AuditStore> reader;
};

namespace {

// One thread that stays: SQLite connections belong to the thread that opened them, and the
// reader must be used and closed where it was opened.
QThreadPool &walkerThread()
{
    static QThreadPool pool;
    static const bool configured = [] {
        pool.setMaxThreadCount(1);
        pool.setExpiryTimeout(-1);
        return true;
    }();
    Q_UNUSED(configured);
    return pool;
}

} // namespace

void AuditLog::checkInBackground(Done done, std::shared_ptr<BackgroundWalk> walk, bool underLock)
{
    auto promise = std::make_shared<QPromise<Result<ChainReport>>>();
    QFuture<Result<ChainReport>> future = promise->future();
    promise->start();
    const AuditStore::Options options{
        .path = m_path, .clock = m_options.clock, .actor = m_options.actor, .key = m_key};
    walkerThread().start([promise, options, head = m_head, walk] {
        const auto report = [&]() -> Result<ChainReport> {
            if (!walk->reader) {
                // Opening would create a missing file; a log deleted meanwhile is found next
                // time.
                if (!QFileInfo::exists(options.path))
                    return makeError(QString(ErrorStorage),
                                     QStringLiteral("The audit log %1 disappeared while it was "
                                                    "being verified; verify it again.")
                                         .arg(options.path));
                auto store = AuditStore::open(options);
                if (!store)
                    return store.error();
                walk->reader = *store;
            }
            return walk->reader->inspect(head, walk->progress);
        };
        promise->addResult(report());
        promise->finish();
    });
    then(future, [this, done, walk, underLock](const Result<ChainReport> &report) mutable {
        checked(report, std::move(done), underLock, walk);
    });
}

void AuditLog::checked(const Result<ChainReport> &report, Done done, bool underLock,
                       std::shared_ptr<BackgroundWalk> walk)
{
    if (!report) {
        if (underLock)
            m_store->rollbackWrite();
        done(report.error());
        return;
    }
    judge(*report);
    if (underLock)
        m_store->rollbackWrite();
    if (m_report.problem && !underLock && m_unkeyedReason.isEmpty() && m_vault) {
        // A writer in another process moves the head just before it commits; what looks like a
        // mismatch may be that moment. Look again holding the write lock.
        if (auto locked = m_store->lockForWrite(); locked) {
            readHead([this, done, walk](Result<void> read) mutable {
                if (!read) {
                    m_store->rollbackWrite();
                    done(read.error());
                    return;
                }
                if (walk)
                    checkInBackground(std::move(done), walk, true);
                else
                    check(std::move(done), true);
            });
            return;
        }
    }
    if (!m_report.problem && m_options.mode == Mode::Append && isKeyed() && m_report.entries > 0 &&
        m_report.lastVersion == 1) {
        migrate(std::move(done));
        return;
    }
    done({});
}

void AuditLog::judge(ChainReport report)
{
    if (!report.problem && m_headUnreadable) {
        report.problem = makeError(
            QString(ErrorHeadMismatch),
            QStringLiteral("The keychain's head for the audit log %1 cannot be read: it was "
                           "overwritten. Keep the log as evidence; an administrator can "
                           "acknowledge it in the Keywarden window.")
                .arg(m_path));
    } else if (!report.problem && isKeyed() && !m_head && report.keyedEntries > 0) {
        report.problem = makeError(
            QString(ErrorHeadMismatch),
            QStringLiteral("The audit log %1 has keyed entries, but the keychain has no head for "
                           "it: the keychain entry was removed or the file was copied here from "
                           "elsewhere. Keep the log as evidence; an administrator can acknowledge "
                           "it in the Keywarden window.")
                .arg(m_path));
    }
    m_report = std::move(report);
}

void AuditLog::migrate(Done done)
{
    AuditEntry entry;
    entry.action = ActionAuditMigrate;
    entry.details = {
        {QStringLiteral("from"), QStringLiteral("format 1: unkeyed SHA-256 chain")},
        {QStringLiteral("to"), QStringLiteral("format 2: HMAC-SHA-256 under the installation key")},
        {QStringLiteral("entriesBefore"), m_report.entries}};
    write(entry, Kind::Migration, [done](Result<AuditEntry> written) {
        // An empty error: another process migrated the log first.
        if (!written && !written.error().isEmpty())
            done(written.error());
        else
            done({});
    });
}

QFuture<Result<AuditEntry>> AuditLog::append(AuditEntry entry)
{
    auto promise = std::make_shared<QPromise<Result<AuditEntry>>>();
    QFuture<Result<AuditEntry>> future = promise->future();
    promise->start();
    auto self = shared_from_this();
    enqueue([self, promise, entry = std::move(entry)]() mutable {
        self->write(std::move(entry), Kind::Normal, [self, promise](Result<AuditEntry> written) {
            promise->addResult(std::move(written));
            promise->finish();
            self->taskDone();
        });
    });
    return future;
}

QFuture<Result<AuditEntry>> AuditLog::acknowledge()
{
    auto promise = std::make_shared<QPromise<Result<AuditEntry>>>();
    QFuture<Result<AuditEntry>> future = promise->future();
    promise->start();
    auto self = shared_from_this();
    enqueue([self, promise]() {
        const auto finish = [self, promise](Result<AuditEntry> result) {
            promise->addResult(std::move(result));
            promise->finish();
            self->taskDone();
        };
        if (!self->m_report.problem) {
            finish(makeError(QString(ErrorNotVerified),
                             QStringLiteral("The audit log %1 verifies; there is nothing to "
                                            "acknowledge.")
                                 .arg(self->m_path)));
            return;
        }
        if (!self->m_store) {
            if (auto opened = self->openStore(); !opened) {
                finish(opened.error());
                return;
            }
        }
        const auto acknowledge = [self, finish](Result<void> ready) {
            if (!ready) {
                finish(ready.error());
                return;
            }
            self->write({}, Kind::Acknowledgement, [self, finish](Result<AuditEntry> written) {
                if (!written) {
                    finish(written);
                    return;
                }
                // From here on the log verifies again, unless something else is wrong.
                self->check([finish, written](Result<void>) { finish(written); });
            });
        };
        // The old key is gone (the keychain lost it): the new segment gets a new one.
        if (self->m_keyMissing && self->m_unkeyedReason.isEmpty() && self->m_vault)
            self->createKey(acknowledge);
        else
            acknowledge({});
    });
    return future;
}

QFuture<Result<ChainReport>> AuditLog::verify()
{
    return verifyWith(nullptr);
}

QFuture<Result<ChainReport>> AuditLog::verify(AuditStore::Progress progress)
{
    auto walk = std::make_shared<BackgroundWalk>();
    walk->progress = std::move(progress);
    return verifyWith(std::move(walk));
}

QFuture<Result<ChainReport>> AuditLog::verifyWith(std::shared_ptr<BackgroundWalk> walk)
{
    auto promise = std::make_shared<QPromise<Result<ChainReport>>>();
    QFuture<Result<ChainReport>> future = promise->future();
    promise->start();
    auto self = shared_from_this();
    enqueue([self, promise, walk]() {
        const auto finish = [self, promise](Result<void> checked) {
            if (checked)
                promise->addResult(self->m_report);
            else
                promise->addResult(checked.error());
            promise->finish();
            self->taskDone();
        };
        const auto check = [self, finish, walk](Result<void> read) {
            if (!read) {
                finish(read.error());
                return;
            }
            if (!QFileInfo::exists(self->m_path) || !self->m_store) {
                self->m_store.reset();
                self->afterVault(finish);
                return;
            }
            if (!walk) {
                self->check(finish);
                return;
            }
            // The reader is closed on its thread once the last walk is done.
            self->checkInBackground(
                [finish, walk](Result<void> checked) {
                    walkerThread().start([walk] { walk->reader.reset(); });
                    finish(std::move(checked));
                },
                walk);
        };
        if (self->isKeyed() || (self->m_vault && self->m_unkeyedReason.isEmpty()))
            self->readHead(check);
        else
            check({});
    });
    return future;
}

void AuditLog::write(AuditEntry entry, Kind kind, Written done)
{
    if (kind == Kind::Normal && m_report.problem) {
        done(makeError(QString(ErrorNotVerified),
                       QStringLiteral("Nothing was written to the audit log %1 because it does "
                                      "not verify: %2")
                           .arg(m_path, m_report.problem->message)));
        return;
    }
    if (!m_store) {
        done(makeError(QString(ErrorNotVerified),
                       QStringLiteral("The audit log %1 is not open.").arg(m_path)));
        return;
    }
    if (auto locked = m_store->lockForWrite(); !locked) {
        done(locked.error());
        return;
    }
    if (!isKeyed()) {
        writeLocked(std::move(entry), kind, std::nullopt, std::move(done));
        return;
    }
    // The head as it is now, under the lock: another process may have moved it.
    then(m_vault->read(headName(m_path)),
         [this, entry = std::move(entry), kind, done](const Result<QByteArray> &read) mutable {
             std::optional<AuditHead> head;
             if (read) {
                 head = AuditHead::fromJson(*read);
             } else if (read.error().code != ErrorVaultNotFound) {
                 m_store->rollbackWrite();
                 done(vaultError(QStringLiteral("read the log's head"), read.error()));
                 return;
             }
             writeLocked(std::move(entry), kind, head, std::move(done));
         });
}

void AuditLog::writeLocked(AuditEntry entry, Kind kind, std::optional<AuditHead> head, Written done)
{
    const auto fail = [this, &done](Error error) {
        m_store->rollbackWrite();
        done(std::move(error));
    };
    auto tail = m_store->tail();
    if (!tail) {
        fail(tail.error());
        return;
    }
    if (kind == Kind::Migration && tail->lastVersion == 2) {
        fail(Error{}); // another process migrated it first
        return;
    }
    QString linkTo;
    if (kind == Kind::Acknowledgement) {
        auto digest = m_store->segmentDigest(tail->entries);
        if (!digest) {
            fail(digest.error());
            return;
        }
        entry.action = ActionAuditAcknowledge;
        entry.object = QStringLiteral("audit-log:") + m_path;
        entry.details = {
            {QStringLiteral("problem"), m_report.problem ? m_report.problem->code : QString()},
            {QStringLiteral("brokenEntry"), m_report.brokenId},
            {QStringLiteral("entriesBefore"), tail->entries},
            {QStringLiteral("digestBefore"), *digest},
            {QStringLiteral("previousHead"),
             head ? QJsonObject{{QStringLiteral("lastId"), head->lastId},
                                {QStringLiteral("lastMac"), head->lastMac},
                                {QStringLiteral("count"), head->count}}
                  : QJsonObject{}}};
        if (tail->entries == 0 && head)
            linkTo = head->lastMac; // the new file continues the lost one
    } else if (isKeyed()) {
        const bool consistent = head ? tail->lastId == head->lastId &&
                                           tail->lastMac == head->lastMac &&
                                           tail->entries == head->count
                                     : tail->lastVersion != 2;
        if (!consistent) {
            m_report.problem = makeError(
                QString(ErrorHeadMismatch),
                QStringLiteral("The audit log %1 changed since it was verified: the file ends "
                               "at entry #%2 (%3 entries) but the keychain's head says #%4 (%5 "
                               "entries). Keep it as evidence; an administrator can acknowledge "
                               "it in the Keywarden window.")
                    .arg(m_path)
                    .arg(tail->lastId)
                    .arg(tail->entries)
                    .arg(head ? head->lastId : 0)
                    .arg(head ? head->count : 0));
            m_report.brokenId = tail->lastId;
            fail(makeError(
                QString(ErrorNotVerified),
                QStringLiteral("Nothing was written: %1").arg(m_report.problem->message)));
            return;
        }
    }
    auto written = m_store->insertLocked(std::move(entry), linkTo);
    if (!written) {
        fail(written.error());
        return;
    }
    const AuditHead next{written->id, written->hash, tail->entries + 1};
    const auto commit = [this, next, done, written = *written]() {
        if (auto committed = m_store->commitWrite(); !committed) {
            done(committed.error());
            return;
        }
        m_head = next;
        m_report.entries = next.count;
        m_report.lastId = next.lastId;
        m_report.lastMac = next.lastMac;
        m_report.lastVersion = written.version;
        m_report.keyedEntries += written.version == 2;
        m_report.legacyEntries += written.version == 1;
        done(written);
    };
    if (!isKeyed()) {
        commit();
        return;
    }
    // The head moves before the entry commits: if the keychain refuses, the entry is not
    // written either, and no committed entry is ever missing from the head.
    then(m_vault->write(headName(m_path), next.toJson()),
         [this, done, commit](const Result<void> &stored) {
             if (!stored) {
                 m_store->rollbackWrite();
                 done(vaultError(QStringLiteral("store the log's new head"), stored.error()));
                 return;
             }
             commit();
         });
}

} // namespace kw::audit
