#pragma once
// "Test connection": checks the Schema Registry, its DEK Registry and Kafka separately, so the
// user sees which one failed and why (unreachable, TLS, credentials, no DEK Registry, ...).

#include "core/domain/result.h"
#include "core/services/connectionprofile.h"
#include "core/services/kektest.h"

#include <QFuture>
#include <QList>
#include <QObject>

namespace kw::profiles {

struct ConnectionCheck
{
    enum class Target
    {
        SchemaRegistry,
        DekRegistry,
        Kafka,
        Kms // every live KEK the profile can see: wrap, unwrap and key state (kek test)
    };
    enum class Outcome
    {
        Passed,
        Failed,
        Skipped // not configured in the profile
    };
    Target target = Target::SchemaRegistry;
    Outcome outcome = Outcome::Skipped;
    QString summary; // "reachable; 16 subjects visible", "no bootstrap servers in the profile"
    Error error;     // when Failed
    qint64 elapsedMs = 0;
    QList<services::KekTest> kekTests; // Kms only: one per KEK, in name order
};

// "Schema Registry", "DEK Registry", "Kafka", "KMS keys".
QString targetName(ConnectionCheck::Target target);

// Runs the checks at once; the future finishes (in `context`'s thread) when all are done, in
// the order Schema Registry, DEK Registry, Kafka, KMS keys. The KMS check runs `kek test` on
// every live KEK of the DEK Registry with the profile's KMS settings, a few at a time on the
// global thread pool; it fails when any KEK cannot wrap and unwrap or its key is revoked.
// Never blocks the calling thread. When `context` is destroyed first (the dialog closed), the
// answers still to come are dropped and the future ends cancelled, without results.
QFuture<QList<ConnectionCheck>> testConnection(const ConnectionProfile &profile, QObject *context,
                                               int kafkaTimeoutMs = 10000);

} // namespace kw::profiles
