#pragma once
// Blocking registry and KMS calls for the planner and the runner: each waits for its future
// on the worker thread and retries transient failures with capped, jittered backoff.

#include "core/domain/registrytypes.h"
#include "core/kms/kms.h"
#include "core/workflows/workflow.h"

#include <QFuture>
#include <QRandomGenerator>
#include <QThread>

#include <functional>

namespace kw::workflows::detail {

// Unreachable, timed out, cut short, a 5xx answer or an unavailable KMS: worth another try.
bool isTransient(const Error &error);
bool isNotFound(const Error &error);
bool isConflict(const Error &error);

inline Error cancelled()
{
    return makeError(ErrorCancelled, QStringLiteral("The workflow was cancelled."));
}

template<typename T>
Result<T> call(const Environment &env, const std::function<QFuture<Result<T>>()> &make)
{
    for (int attempt = 1;; ++attempt) {
        QFuture<Result<T>> future = make();
        future.waitForFinished();
        Result<T> result = future.result();
        if (result || attempt >= env.maxAttempts || !isTransient(result.error()))
            return result;
        if (env.cancel && env.cancel->load())
            return cancelled();
        const int base = env.retryBaseMs << std::min(attempt - 1, 5);
        QThread::msleep(
            ulong(std::min(2000, base / 2 + int(QRandomGenerator::global()->bounded(base + 1)))));
    }
}

// The KEK as the KMS layer sees it.
kms::KekRef kekRef(const registry::Kek &kek);
// "local-kms key <id>" for plan lines; never any setting.
QString kmsLabel(const registry::Kek &kek);

// Wraps/unwraps through the KEK's KMS with retries.
Result<QByteArray> kmsWrap(const Environment &env, const registry::Kek &kek,
                           const QByteArray &plain);
Result<QByteArray> kmsUnwrap(const Environment &env, const registry::Kek &kek,
                             const QByteArray &wrapped);

// "/dek-registry/v1/keks/K/deks/S/versions/V?algorithm=A": what plan lines show.
QString dekPath(const QString &kek, const QString &subject, int version = 0,
                const QString &algorithm = {}, const QString &query = {});

} // namespace kw::workflows::detail
