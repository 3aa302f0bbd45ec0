#pragma once
// Runs a callback with a future's result in a QObject's thread, unless the object is gone by
// then. QFuture::then(context, ...) is not safe for that on Qt 6.4: when the context is
// destroyed before the future finishes, it asserts (debug builds) or invokes on a null object.
// Here a QFutureWatcher owned by the context carries the result; it dies with the context.

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <utility>

namespace kw {

// Call from `context`'s thread. `onResult` gets the future's result; `onNoResult` is called
// instead when the future ends without one (cancelled, e.g. its source shut down). Neither is
// called once `context` is gone.
template<typename T, typename F, typename G>
void whenFinished(const QFuture<T> &future, QObject *context, F &&onResult, G &&onNoResult)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(
        watcher, &QFutureWatcherBase::finished, watcher,
        [watcher, f = std::forward<F>(onResult), g = std::forward<G>(onNoResult)]() mutable {
            watcher->deleteLater();
            const QFuture<T> done = watcher->future();
            if (done.resultCount() > 0)
                f(done.result());
            else
                g();
        });
    watcher->setFuture(future);
}

// As above; nothing is called when the future ends without a result.
template<typename T, typename F>
void whenFinished(const QFuture<T> &future, QObject *context, F &&onResult)
{
    whenFinished(future, context, std::forward<F>(onResult), [] {});
}

} // namespace kw
