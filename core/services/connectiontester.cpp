#include "core/services/connectiontester.h"

#include "core/domain/readyfuture.h"
#include "core/kafka/kafkaclient.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"

#include <QElapsedTimer>
#include <QPromise>

#include <memory>

namespace kw::profiles {

namespace {

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
    }
    return QStringLiteral("Kafka");
}

QFuture<QList<ConnectionCheck>> testConnection(const ConnectionProfile &profile, QObject *context,
                                               int kafkaTimeoutMs)
{
    using Target = ConnectionCheck::Target;
    auto shared = std::make_shared<Shared>();
    shared->checks = {ConnectionCheck{}, ConnectionCheck{}, ConnectionCheck{}};
    shared->pending = 3;
    shared->promise.start();
    QFuture<QList<ConnectionCheck>> result = shared->promise.future();

    if (profile.registry.baseUrl.isEmpty()) {
        shared->done(
            0, skipped(Target::SchemaRegistry, QStringLiteral("No registry URL in the profile.")));
        shared->done(
            1, skipped(Target::DekRegistry, QStringLiteral("No registry URL in the profile.")));
    } else if (const auto valid = profile.registry.validate(); !valid) {
        shared->done(0, failed(Target::SchemaRegistry, valid.error(), 0));
        shared->done(1, skipped(Target::DekRegistry,
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
        schemas.subjects(registry::SubjectListOptions{})
            .then(context, [shared, timer](Result<QStringList> r) {
                if (!r) {
                    shared->done(0, failed(Target::SchemaRegistry, r.error(), timer->elapsed()));
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
        keys.listKeks(everyKek).then(context, [shared, timer](Result<QStringList> r) {
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
    }

    if (profile.bootstrapServers.trimmed().isEmpty()) {
        shared->done(
            2, skipped(Target::Kafka, QStringLiteral("No bootstrap servers in the profile.")));
    } else {
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        kafka::listTopicsAsync(profile.kafkaSettings(), kafkaTimeoutMs)
            .then(context, [shared, timer](Result<QList<kafka::TopicInfo>> r) {
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
