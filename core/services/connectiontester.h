#pragma once
// "Test connection": checks the Schema Registry, its DEK Registry and Kafka separately, so the
// user sees which one failed and why (unreachable, TLS, credentials, no DEK Registry, ...).

#include "core/domain/result.h"
#include "core/services/connectionprofile.h"

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
        Kafka
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
};

QString targetName(ConnectionCheck::Target target); // "Schema Registry", "DEK Registry", "Kafka"

// Runs the three checks at once; the future finishes (in `context`'s thread) when all are done,
// in the order Schema Registry, DEK Registry, Kafka. Never blocks the calling thread.
QFuture<QList<ConnectionCheck>> testConnection(const ConnectionProfile &profile, QObject *context,
                                               int kafkaTimeoutMs = 10000);

} // namespace kw::profiles
