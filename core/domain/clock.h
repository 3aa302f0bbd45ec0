#pragma once
// The time source for everything that depends on "now" (DEK ages, rotation due dates, cache
// expiry), so tests can move time by hand.

#include <QDateTime>

#include <atomic>

namespace kw {

class Clock
{
public:
    virtual ~Clock() = default;
    // Milliseconds since the Unix epoch.
    [[nodiscard]] virtual qint64 nowMs() const = 0;

    // The process-wide wall clock.
    static const Clock &system();
};

class SystemClock final : public Clock
{
public:
    [[nodiscard]] qint64 nowMs() const override { return QDateTime::currentMSecsSinceEpoch(); }
};

// A clock that only moves when told to; thread-safe.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 0)
        : m_now(startMs)
    {}
    [[nodiscard]] qint64 nowMs() const override { return m_now.load(); }
    void setNowMs(qint64 ms) { m_now.store(ms); }
    void advanceMs(qint64 ms) { m_now.fetch_add(ms); }

private:
    std::atomic<qint64> m_now;
};

inline const Clock &Clock::system()
{
    static const SystemClock clock;
    return clock;
}

} // namespace kw
