#pragma once
// One open connection: a profile's Schema Registry (with its DEK Registry) and Kafka cluster.
// Owns the REST transport and the registry clients over it, in the thread that opens it (their
// replies arrive there), and hands the Kafka layer only its KafkaSettings. The GUI, the CLI and
// tests open it the same way. Closing it (deleting it) drops the replies still in flight.

#include "core/kafka/kafkasettings.h"
#include "core/services/connectionprofile.h"

#include <QObject>

#include <memory>

namespace kw::registry {
class DekRegistryClient;
class RestTransport;
class SchemaRegistryClient;
} // namespace kw::registry

namespace kw::services {

class Connection final : public QObject
{
    Q_OBJECT

public:
    explicit Connection(profiles::ConnectionProfile profile, QObject *parent = nullptr);
    // The clients go before the transport; replies still in flight end as "cancelled".
    ~Connection() override;

    [[nodiscard]] const profiles::ConnectionProfile &profile() const { return m_profile; }
    // "Unnamed" for a profile without a name.
    [[nodiscard]] QString displayName() const;
    // The registry's URL without any user info, for display.
    [[nodiscard]] QString registryUrl() const;
    // "<name> · <registry url> · <TLS and auth summary>", the status line.
    [[nodiscard]] QString summary() const;
    // Where it points, for a tooltip: the registry and the Kafka cluster (or that it has none).
    [[nodiscard]] QString details() const;

    [[nodiscard]] registry::RestTransport *transport() const { return m_transport.get(); }
    [[nodiscard]] const std::shared_ptr<registry::DekRegistryClient> &dekRegistry() const
    {
        return m_dekClient;
    }
    [[nodiscard]] const std::shared_ptr<registry::SchemaRegistryClient> &schemaRegistry() const
    {
        return m_schemaClient;
    }

    [[nodiscard]] bool hasKafka() const;
    [[nodiscard]] kafka::KafkaSettings kafkaSettings() const { return m_profile.kafkaSettings(); }

private:
    profiles::ConnectionProfile m_profile;
    std::unique_ptr<registry::RestTransport> m_transport;
    std::shared_ptr<registry::DekRegistryClient> m_dekClient;
    std::shared_ptr<registry::SchemaRegistryClient> m_schemaClient;
};

} // namespace kw::services
