#include "core/services/connectiontester.h"

#include "core/crypto/crypto.h"
#include "core/domain/futurewatch.h"
#include "core/kafka/kafkaclient.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"

#include <QElapsedTimer>
#include <QPromise>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <memory>

namespace kw::profiles {

namespace {

// whenFinished() for the checks' calls: a call that ends without an answer (its transport shut
// down) fails its check with that, rather than leaving the whole test unfinished.
template<typename T, typename F>
void onAnswer(const QFuture<Result<T>> &future, QObject *context, F onResult)
{
    whenFinished(future, context, onResult, [onResult]() mutable {
        onResult(Result<T>(makeError(QStringLiteral("registry.cancelled"),
                                     QStringLiteral("The call was cancelled before it was "
                                                    "answered."))));
    });
}

struct Shared
{
    QList<ConnectionCheck> checks;
    int pending = 0;
    QPromise<QList<ConnectionCheck>> promise;
    std::shared_ptr<registry::RestTransport> transport;

    void done(int index, ConnectionCheck check)
    {
        checks[index] = std::move(check);
        if (--pending == 0) {
            promise.addResult(checks);
            promise.finish();
            transport.reset();
        }
    }
};

ConnectionCheck skipped(ConnectionCheck::Target target, const QString &why)
{
    ConnectionCheck c;
    c.target = target;
    c.outcome = ConnectionCheck::Outcome::Skipped;
    c.summary = why;
    return c;
}

ConnectionCheck failed(ConnectionCheck::Target target, Error error, qint64 ms)
{
    ConnectionCheck c;
    c.target = target;
    c.outcome = ConnectionCheck::Outcome::Failed;
    c.summary = error.message;
    c.error = std::move(error);
    c.elapsedMs = ms;
    return c;
}

ConnectionCheck passed(ConnectionCheck::Target target, QString summary, qint64 ms)
{
    ConnectionCheck c;
    c.target = target;
    c.outcome = ConnectionCheck::Outcome::Passed;
    c.summary = std::move(summary);
    c.elapsedMs = ms;
    return c;
}

bool isNotFound(const Error &error)
{
    return error.code == QLatin1String("registry.404") ||
           error.code == QLatin1String("registry.http_404") ||
           error.code == QLatin1String("registry.40401");
}

// What the KMS check says once every KEK was tested.
ConnectionCheck kmsCheck(QList<services::KekTest> tests, qint64 ms)
{
    using Target = ConnectionCheck::Target;
    QStringList failures;
    Error first;
    for (const services::KekTest &t : tests) {
        if (t.passed())
            continue;
        const services::KekTestStep *step = t.failedStep();
        const Error e = step ? step->error
                             : makeError(QStringLiteral("kms.not_configured"),
                                         QStringLiteral("KEK '%1' was not tested.").arg(t.kekName));
        if (first.isEmpty())
            first = e;
        failures.append(step ? QStringLiteral("%1 (%2: %3)")
                                   .arg(t.kekName, services::stepName(step->kind), e.message)
                             : QStringLiteral("%1 (%2)").arg(t.kekName, e.message));
    }
    const auto total = tests.size();
    ConnectionCheck c;
    if (failures.isEmpty()) {
        c = passed(
            Target::Kms,
            total == 1
                ? QStringLiteral("The KEK wraps and unwraps through its KMS.")
                : QStringLiteral("All %1 KEKs wrap and unwrap through their KMS.").arg(total),
            ms);
    } else {
        constexpr int Named = 3;
        QString names = failures.mid(0, Named).join(QStringLiteral("; "));
        if (failures.size() > Named)
            names += QStringLiteral("; and %1 more").arg(failures.size() - Named);
        c = failed(Target::Kms, first, ms);
        c.summary = QStringLiteral("%1 of %2 KEKs cannot wrap and unwrap now: %3.")
                        .arg(failures.size())
                        .arg(total)
                        .arg(names);
    }
    c.kekTests = std::move(tests);
    return c;
}

// Reads every live KEK, then runs `kek test` on each on the global pool. Finishes check 3.
void testKeks(const std::shared_ptr<Shared> &shared, const QStringList &names,
              const kms::KmsSettings &settings, QObject *context,
              const std::shared_ptr<QElapsedTimer> &timer)
{
    using Target = ConnectionCheck::Target;
    if (names.isEmpty()) {
        shared->done(3, skipped(Target::Kms, QStringLiteral("No KEKs in the DEK Registry.")));
        return;
    }
    struct Fetch
    {
        QList<registry::Kek> keks;
        QList<services::KekTest> unread; // KEKs the registry would not give
        qsizetype pending = 0;
    };
    auto fetch = std::make_shared<Fetch>();
    fetch->pending = names.size();
    registry::DekRegistryClient keys(shared->transport.get());
    for (const QString &name : names) {
        onAnswer(keys.getKek(name), context, [=](const Result<registry::Kek> &kek) {
            if (kek) {
                fetch->keks.append(*kek);
            } else {
                services::KekTest t;
                t.kekName = name;
                services::KekTestStep read;
                read.error = kek.error();
                t.steps.append(read);
                fetch->unread.append(t);
            }
            if (--fetch->pending > 0)
                return;
            auto drivers =
                std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
            std::function<services::KekTest(const registry::Kek &)> one =
                [drivers, settings](const registry::Kek &k) {
                    services::KekTest t = services::testKek(*drivers, k, settings);
                    crypto::releaseThreadState(); // a pool thread, outliving the check
                    return t;
                };
            // All results in one (whenFinished hands over one result); in the pool thread.
            auto all =
                QtConcurrent::mapped(fetch->keks, one).then([](QFuture<services::KekTest> done) {
                    return done.results();
                });
            whenFinished(all, context, [shared, fetch, timer](QList<services::KekTest> tests) {
                tests.append(fetch->unread);
                std::sort(tests.begin(), tests.end(),
                          [](const auto &a, const auto &b) { return a.kekName < b.kekName; });
                shared->done(3, kmsCheck(std::move(tests), timer->elapsed()));
            });
        });
    }
}

} // namespace

QString targetName(ConnectionCheck::Target target)
{
    switch (target) {
    case ConnectionCheck::Target::SchemaRegistry:
        return QStringLiteral("Schema Registry");
    case ConnectionCheck::Target::DekRegistry:
        return QStringLiteral("DEK Registry");
    case ConnectionCheck::Target::Kafka:
        break;
    case ConnectionCheck::Target::Kms:
        return QStringLiteral("KMS keys");
    }
    return QStringLiteral("Kafka");
}

QFuture<QList<ConnectionCheck>> testConnection(const ConnectionProfile &profile, QObject *context,
                                               int kafkaTimeoutMs)
{
    using Target = ConnectionCheck::Target;
    auto shared = std::make_shared<Shared>();
    shared->checks = {ConnectionCheck{}, ConnectionCheck{}, ConnectionCheck{}, ConnectionCheck{}};
    shared->pending = 4;
    shared->promise.start();
    QFuture<QList<ConnectionCheck>> result = shared->promise.future();

    if (profile.registry.baseUrl.isEmpty()) {
        shared->done(
            0, skipped(Target::SchemaRegistry, QStringLiteral("No registry URL in the profile.")));
        shared->done(
            1, skipped(Target::DekRegistry, QStringLiteral("No registry URL in the profile.")));
        shared->done(3, skipped(Target::Kms, QStringLiteral("No registry URL in the profile.")));
    } else if (const auto valid = profile.registry.validate(); !valid) {
        shared->done(0, failed(Target::SchemaRegistry, valid.error(), 0));
        shared->done(1, skipped(Target::DekRegistry,
                                QStringLiteral("Not checked: the registry settings are invalid.")));
        shared->done(3, skipped(Target::Kms,
                                QStringLiteral("Not checked: the registry settings are invalid.")));
    } else {
        // The transport lives in the caller's thread; both registry checks share it.
        shared->transport = std::shared_ptr<registry::RestTransport>(
            new registry::RestTransport(profile.registry),
            [](registry::RestTransport *t) { t->deleteLater(); });
        registry::SchemaRegistryClient schemas(shared->transport.get());
        registry::DekRegistryClient keys(shared->transport.get());
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        onAnswer(schemas.subjects(registry::SubjectListOptions{}), context,
                 [shared, timer](const Result<QStringList> &r) {
                     if (!r) {
                         shared->done(0,
                                      failed(Target::SchemaRegistry, r.error(), timer->elapsed()));
                         return;
                     }
                     shared->done(0, passed(Target::SchemaRegistry,
                                            QStringLiteral("Reachable and authorised; %1 subjects "
                                                           "visible.")
                                                .arg(r->size()),
                                            timer->elapsed()));
                 });
        registry::KekListOptions everyKek;
        everyKek.deleted = true;
        onAnswer(keys.listKeks(everyKek), context, [shared, timer](Result<QStringList> r) {
            if (!r) {
                Error e = r.error();
                if (isNotFound(e)) {
                    e.message = QStringLiteral("This Schema Registry has no DEK Registry "
                                               "(/dek-registry/v1 answers 404). CSFLE needs "
                                               "Confluent Platform 7.4+ or Confluent Cloud "
                                               "with client-side field level encryption.");
                }
                shared->done(1, failed(Target::DekRegistry, e, timer->elapsed()));
                return;
            }
            shared->done(1, passed(Target::DekRegistry,
                                   QStringLiteral("Reachable; %1 KEKs visible (deleted "
                                                  "ones included).")
                                       .arg(r->size()),
                                   timer->elapsed()));
        });
        // The KMS check: the live KEKs only (a deleted KEK wraps nothing new).
        auto kmsTimer = std::make_shared<QElapsedTimer>();
        kmsTimer->start();
        onAnswer(keys.listKeks(registry::KekListOptions{}), context,
                 [shared, kmsTimer, context, settings = profile.kms](const Result<QStringList> &r) {
                     if (!r) {
                         shared->done(3, skipped(ConnectionCheck::Target::Kms,
                                                 QStringLiteral("Not checked: the DEK Registry did "
                                                                "not list its KEKs.")));
                         return;
                     }
                     testKeks(shared, *r, settings, context, kmsTimer);
                 });
    }

    if (profile.bootstrapServers.trimmed().isEmpty()) {
        shared->done(
            2, skipped(Target::Kafka, QStringLiteral("No bootstrap servers in the profile.")));
    } else {
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        onAnswer(
            kafka::listTopicsAsync(profile.kafkaSettings(), kafkaTimeoutMs), context,
            [shared, timer](const Result<QList<kafka::TopicInfo>> &r) {
                if (!r) {
                    shared->done(2, failed(Target::Kafka, r.error(), timer->elapsed()));
                    return;
                }
                qsizetype visible = 0;
                for (const auto &t : *r)
                    visible += t.internal ? 0 : 1;
                shared->done(
                    2, passed(Target::Kafka,
                              QStringLiteral("Brokers reachable; %1 topics visible.").arg(visible),
                              timer->elapsed()));
            });
    }
    return result;
}

} // namespace kw::profiles
