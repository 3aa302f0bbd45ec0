#include "models/navigator/navigatorsource.h"

#include "core/domain/dekalgorithm.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"

#include <QPointer>
#include <QPromise>

#include <optional>

namespace kw {

namespace {

// A continuation for a future that finishes in this object's thread (the connection's
// transport and the navigator both live in the GUI thread). Not then(this, ...): Qt 6.4 asserts
// that the context is still alive when the future finishes, and a navigator can go while its
// pages load (a window closed); here the result is then dropped.
template<typename T>
struct ArgumentOf : ArgumentOf<decltype(&T::operator())>
{};
template<typename C, typename R, typename A>
struct ArgumentOf<R (C::*)(A) const>
{
    using type = A;
};

template<typename F>
auto guarded(QObject *context, F f)
{
    using Arg = typename ArgumentOf<F>::type;
    return [guard = QPointer<QObject>(context), f = std::move(f)](Arg value) mutable {
        using R = decltype(f(std::move(value)));
        if (!guard) {
            if constexpr (std::is_void_v<R>)
                return;
            else
                return R(makeError(QStringLiteral("common.cancelled"),
                                   QStringLiteral("The navigator was closed.")));
        }
        return f(std::move(value));
    };
}

// Finishes with every future's result, in order, once all of them have answered. The
// continuations run in `context`'s thread; when it is gone the promise is dropped unfinished.
template<typename T>
QFuture<QList<Result<T>>> whenAll(QObject *context, const QList<QFuture<Result<T>>> &futures)
{
    struct State
    {
        QPromise<QList<Result<T>>> promise;
        QList<std::optional<Result<T>>> results;
        qsizetype remaining = 0;
    };
    auto state = std::make_shared<State>();
    state->results.resize(futures.size());
    state->remaining = futures.size();
    state->promise.start();
    QFuture<QList<Result<T>>> out = state->promise.future();
    // Not then(context, ...): Qt 6.4 asserts that the context is still alive when the future
    // finishes (a window closed while its navigator was loading); here a gone context simply
    // drops the result.
    const QPointer<QObject> guard(context);
    for (qsizetype i = 0; i < futures.size(); ++i) {
        QFuture<Result<T>> f = futures.at(i);
        f.then(QtFuture::Launch::Sync, [state, i, guard](Result<T> result) {
            if (!guard)
                return;
            QMetaObject::invokeMethod(guard.data(),
                                      [state, i, result = std::move(result)]() mutable {
                                          if (state->results[i])
                                              return;
                                          state->results[i] = std::move(result);
                                          if (--state->remaining > 0)
                                              return;
                                          QList<Result<T>> all;
                                          all.reserve(state->results.size());
                                          for (auto &r : state->results)
                                              all.append(std::move(*r));
                                          state->promise.addResult(std::move(all));
                                          state->promise.finish();
                                      });
        });
    }
    return out;
}

NavigatorItems namedItems(const QStringList &names, const QSet<QString> *live)
{
    NavigatorItems items;
    items.reserve(names.size());
    for (const QString &name : names)
        items.append(NavigatorItem{name, 0, {}, live && !live->contains(name)});
    return items;
}

QSet<QString> toSet(const QStringList &names)
{
    return QSet<QString>(names.cbegin(), names.cend());
}

} // namespace

RegistryNavigatorSource::RegistryNavigatorSource(
    std::shared_ptr<registry::DekRegistryClient> keys,
    std::shared_ptr<registry::SchemaRegistryClient> schemas, QObject *parent)
    : QObject(parent)
    , m_keys(std::move(keys))
    , m_schemas(std::move(schemas))
{}

RegistryNavigatorSource::~RegistryNavigatorSource() = default;

const QStringList &RegistryNavigatorSource::algorithms()
{
    static const QStringList all = dekAlgorithmNames();
    return all;
}

QFuture<Result<NavigatorItems>> RegistryNavigatorSource::kekPage(int offset, int limit,
                                                                 bool includeDeleted)
{
    registry::KekListOptions options;
    options.deleted = includeDeleted;
    options.offset = offset;
    options.limit = limit;
    return m_keys->listKeks(options).then(
        QtFuture::Launch::Sync,
        guarded(this, [this, includeDeleted](Result<QStringList> names) -> Result<NavigatorItems> {
            if (!names)
                return names.error();
            return namedItems(*names, includeDeleted ? &m_liveKeks : nullptr);
        }));
}

QFuture<Result<NavigatorItems>> RegistryNavigatorSource::keks(int offset, int limit,
                                                              bool includeDeleted)
{
    if (!includeDeleted || offset > 0)
        return kekPage(offset, limit, includeDeleted);
    // First page with deleted ones: learn which names are live first (one list, names only).
    QPromise<Result<NavigatorItems>> promise;
    auto shared = std::make_shared<QPromise<Result<NavigatorItems>>>(std::move(promise));
    shared->start();
    QFuture<Result<NavigatorItems>> out = shared->future();
    m_keys->listAllKeks(5000, {}, false)
        .then(QtFuture::Launch::Sync,
              guarded(this, [this, shared, offset, limit](Result<QStringList> live) {
                  if (!live) {
                      shared->addResult(Result<NavigatorItems>(live.error()));
                      shared->finish();
                      return;
                  }
                  m_liveKeks = toSet(*live);
                  kekPage(offset, limit, true)
                      .then(QtFuture::Launch::Sync,
                            guarded(this, [shared](Result<NavigatorItems> page) {
                                shared->addResult(std::move(page));
                                shared->finish();
                            }));
              }));
    return out;
}

QFuture<Result<NavigatorItems>> RegistryNavigatorSource::dekSubjects(const QString &kekName,
                                                                     bool includeDeleted)
{
    QList<QFuture<Result<QStringList>>> calls{
        m_keys->listAllDekSubjects(kekName, 1000, includeDeleted)};
    if (includeDeleted)
        calls.append(m_keys->listAllDekSubjects(kekName, 1000, false));
    return whenAll(this, calls)
        .then(
            QtFuture::Launch::Sync,
            guarded(this,
                    [includeDeleted](QList<Result<QStringList>> results) -> Result<NavigatorItems> {
                        if (!results.at(0))
                            return results.at(0).error();
                        if (!includeDeleted)
                            return namedItems(*results.at(0), nullptr);
                        // A soft-deleted KEK answers 404 for its live DEKs: then every DEK counts
                        // as deleted.
                        const QSet<QString> live =
                            results.at(1) ? toSet(*results.at(1)) : QSet<QString>{};
                        return namedItems(*results.at(0), &live);
                    }));
}

QFuture<Result<NavigatorItems>> RegistryNavigatorSource::dekVersions(const QString &kekName,
                                                                     const QString &subject,
                                                                     bool includeDeleted)
{
    QList<QFuture<Result<QList<int>>>> calls;
    for (const QString &algorithm : algorithms()) {
        calls.append(m_keys->listAllDekVersions(kekName, subject, algorithm, 1000, includeDeleted));
        if (includeDeleted)
            calls.append(m_keys->listAllDekVersions(kekName, subject, algorithm, 1000, false));
    }
    return whenAll(this, calls)
        .then(
            QtFuture::Launch::Sync,
            guarded(this,
                    [includeDeleted](QList<Result<QList<int>>> results) -> Result<NavigatorItems> {
                        NavigatorItems items;
                        const int stride = includeDeleted ? 2 : 1;
                        for (qsizetype a = 0; a < algorithms().size(); ++a) {
                            const Result<QList<int>> &listed = results.at(a * stride);
                            if (!listed)
                                return listed.error();
                            QSet<int> live;
                            if (includeDeleted && results.at(a * stride + 1)) {
                                const QList<int> &l = *results.at(a * stride + 1);
                                live = QSet<int>(l.cbegin(), l.cend());
                            }
                            for (int version : *listed)
                                items.append(
                                    NavigatorItem{QString(), version, algorithms().at(a),
                                                  includeDeleted && !live.contains(version)});
                        }
                        return items;
                    }));
}

QFuture<Result<NavigatorItems>> RegistryNavigatorSource::schemaSubjects(bool includeDeleted)
{
    QList<QFuture<Result<QStringList>>> calls{m_schemas->allSubjects({}, includeDeleted, 1000)};
    if (includeDeleted) {
        registry::SubjectListOptions deletedOnly;
        deletedOnly.deletedOnly = true;
        calls.append(m_schemas->subjects(deletedOnly));
    }
    return whenAll(this, calls)
        .then(
            QtFuture::Launch::Sync,
            guarded(this,
                    [includeDeleted](QList<Result<QStringList>> results) -> Result<NavigatorItems> {
                        if (!results.at(0))
                            return results.at(0).error();
                        NavigatorItems items = namedItems(*results.at(0), nullptr);
                        if (includeDeleted && results.at(1)) {
                            const QSet<QString> gone = toSet(*results.at(1));
                            for (NavigatorItem &item : items)
                                item.deleted = gone.contains(item.name);
                        }
                        return items;
                    }));
}

QFuture<Result<NavigatorItems>> RegistryNavigatorSource::schemaVersions(const QString &subject,
                                                                        bool includeDeleted)
{
    registry::VersionListOptions listed;
    listed.deleted = includeDeleted;
    QList<QFuture<Result<QList<int>>>> calls{m_schemas->versions(subject, listed)};
    if (includeDeleted) {
        registry::VersionListOptions deletedOnly;
        deletedOnly.deletedOnly = true;
        calls.append(m_schemas->versions(subject, deletedOnly));
    }
    return whenAll(this, calls)
        .then(
            QtFuture::Launch::Sync,
            guarded(this,
                    [includeDeleted](QList<Result<QList<int>>> results) -> Result<NavigatorItems> {
                        if (!results.at(0))
                            return results.at(0).error();
                        QSet<int> gone;
                        if (includeDeleted && results.at(1))
                            gone = QSet<int>(results.at(1)->cbegin(), results.at(1)->cend());
                        NavigatorItems items;
                        for (int version : *results.at(0))
                            items.append(NavigatorItem{{}, version, {}, gone.contains(version)});
                        return items;
                    }));
}

} // namespace kw
