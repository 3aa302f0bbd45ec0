#include "core/engine/dekcache.h"

#include <QMutexLocker>

namespace kw::engine {

struct DekCache::Entry
{
    QMutex loadMutex; // held while loading, so concurrent readers wait for one load
    bool loaded = false;
    std::optional<Result<Cipher>> result;
    qint64 expiresAtMs = 0;
    std::list<DekKey>::iterator lruPos;
};

QString DekKey::toString() const
{
    return QStringLiteral("%1/%2/v%3/%4")
        .arg(kekName, subject)
        .arg(version)
        .arg(crypto::algorithmName(algorithm));
}

DekCache::DekCache()
    : DekCache(Options{})
{}

DekCache::DekCache(Options options, const Clock &clock)
    : m_options(options)
    , m_clock(clock)
{}

Result<DekCache::Cipher> DekCache::get(const DekKey &key, const Loader &loader)
{
    const DekKey &id = key;
    std::shared_ptr<Entry> entry;
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_entries.find(id);
        if (it != m_entries.end() && (*it)->loaded && (*it)->expiresAtMs <= m_clock.nowMs()) {
            m_lru.erase((*it)->lruPos);
            m_entries.erase(it);
            ++m_stats.evictions;
            it = m_entries.end();
        }
        if (it == m_entries.end()) {
            entry = std::make_shared<Entry>();
            m_lru.push_front(id);
            entry->lruPos = m_lru.begin();
            m_entries.insert(id, entry);
            evictLocked();
        } else {
            entry = *it;
            m_lru.splice(m_lru.begin(), m_lru, entry->lruPos);
            // The common case, answered under this one lock: `loaded` is only ever set under
            // m_mutex, and a loaded entry never changes.
            if (entry->loaded) {
                ++m_stats.hits;
                return *entry->result;
            }
        }
    }

    QMutexLocker loadLock(&entry->loadMutex);
    if (entry->loaded) {
        QMutexLocker lock(&m_mutex);
        ++m_stats.hits;
        return *entry->result;
    }
    Result<Cipher> result = loader();
    {
        QMutexLocker lock(&m_mutex);
        ++m_stats.loads;
        entry->result = result;
        entry->loaded = true;
        entry->expiresAtMs = m_clock.nowMs() + (result ? m_options.ttlMs : m_options.failureTtlMs);
    }
    return result;
}

void DekCache::evictLocked()
{
    while (m_entries.size() > m_options.capacity && !m_lru.empty()) {
        // Dropping the last reference wipes the key: DekCipher keeps it in SecureBytes.
        m_entries.remove(m_lru.back());
        m_lru.pop_back();
        ++m_stats.evictions;
    }
}

bool DekCache::contains(const DekKey &key) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(key);
    return it != m_entries.cend() && (!(*it)->loaded || (*it)->expiresAtMs > m_clock.nowMs());
}

void DekCache::countKmsUnwrap()
{
    QMutexLocker lock(&m_mutex);
    ++m_stats.kmsUnwraps;
}

DekCache::Stats DekCache::stats() const
{
    QMutexLocker lock(&m_mutex);
    Stats s = m_stats;
    s.size = m_entries.size();
    return s;
}

void DekCache::clear()
{
    QMutexLocker lock(&m_mutex);
    m_entries.clear();
    m_lru.clear();
}

} // namespace kw::engine
