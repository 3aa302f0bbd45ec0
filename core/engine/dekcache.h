#pragma once
// Unwrapped DEKs, keyed by (KEK, subject, version, algorithm), so each key costs one KMS
// unwrap per session. Bounded (least recently used entries go first) and time-limited; key
// bytes are wiped when an entry goes. Concurrent requests for the same key share one load.
// Failed loads are remembered briefly so a bad key does not cost one KMS call per record.

#include "core/crypto/crypto.h"
#include "core/domain/clock.h"
#include "core/domain/result.h"

#include <QHash>
#include <QHashFunctions>
#include <QMutex>
#include <QString>

#include <functional>
#include <list>
#include <memory>

namespace kw::engine {

struct DekKey
{
    QString kekName;
    QString subject;
    int version = 1;
    crypto::DekAlgorithm algorithm = crypto::DekAlgorithm::Aes256Gcm;

    [[nodiscard]] QString toString() const;
    friend bool operator==(const DekKey &, const DekKey &) = default;
};

// Hashes the fields directly: the cache is asked once per encrypted field of every record.
inline size_t qHash(const DekKey &key, size_t seed = 0) noexcept
{
    return qHashMulti(seed, key.kekName, key.subject, key.version, int(key.algorithm));
}

class DekCache
{
public:
    struct Options
    {
        qsizetype capacity = 10000;
        qint64 ttlMs = 60LL * 60 * 1000;   // unwrapped keys live at most an hour
        qint64 failureTtlMs = 30LL * 1000; // a failure is retried after 30 s
    };
    struct Stats
    {
        quint64 hits = 0;
        quint64 loads = 0;      // loader calls (each may cost a KMS unwrap)
        quint64 kmsUnwraps = 0; // counted by the loaders through countKmsUnwrap()
        quint64 evictions = 0;
        qsizetype size = 0;
    };
    using Cipher = std::shared_ptr<const crypto::DekCipher>;
    using Loader = std::function<Result<Cipher>()>;

    DekCache();
    explicit DekCache(Options options, const Clock &clock = Clock::system());

    // The cached cipher, or the loader's result (cached too). Blocks while another thread
    // loads the same key. Call from worker threads only.
    Result<Cipher> get(const DekKey &key, const Loader &loader);
    // True when get() would answer `key` without its loader: cached and not expired, or being
    // loaded right now.
    [[nodiscard]] bool contains(const DekKey &key) const;
    void countKmsUnwrap();
    [[nodiscard]] Stats stats() const;
    void clear();

private:
    struct Entry;
    void evictLocked();

    Options m_options;
    const Clock &m_clock;
    mutable QMutex m_mutex;
    QHash<DekKey, std::shared_ptr<Entry>> m_entries;
    std::list<DekKey> m_lru; // front: most recently used
    Stats m_stats;
};

} // namespace kw::engine
