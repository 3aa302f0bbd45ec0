#pragma once
// Helpers for the registry client tests: wait for a future while the event loop runs.

#include "core/domain/result.h"

#include <QFuture>
#include <QTest>

namespace kw::test {

// Spins the event loop (the transport lives in this thread) until the future finishes.
template<typename T>
Result<T> wait(QFuture<Result<T>> future, int timeoutMs = 20000)
{
    if (!QTest::qWaitFor([&] { return future.isFinished(); }, timeoutMs))
        return makeError(QStringLiteral("test.timeout"),
                         QStringLiteral("The future did not finish in time."));
    if (future.isCanceled() || future.resultCount() == 0)
        return makeError(QStringLiteral("test.cancelled"),
                         QStringLiteral("The future was cancelled."));
    return future.result();
}

inline const char *describe(const Error &e)
{
    thread_local QByteArray text;
    text = (e.code + QStringLiteral(": ") + e.message).toUtf8();
    return text.constData();
}

// The error of a failed result as text; empty for a success.
template<typename T>
const char *errorText(const Result<T> &r)
{
    return r ? "" : describe(r.error());
}

} // namespace kw::test

// Checks a Result (evaluated once), printing its error on failure.
#define KW_VERIFY_OK(expr)                                                                         \
    do {                                                                                           \
        const auto &kwResult_ = (expr);                                                            \
        QVERIFY2(bool(kwResult_), kw::test::errorText(kwResult_));                                 \
    } while (false)
#define KW_VERIFY_ERROR(expr, expectedCode)                                                        \
    do {                                                                                           \
        const auto &kwResult_ = (expr);                                                            \
        QVERIFY2(!bool(kwResult_), "expected the error " expectedCode);                            \
        QCOMPARE(kwResult_.error().code, QStringLiteral(expectedCode));                            \
    } while (false)
