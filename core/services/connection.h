#pragma once
// One open connection: a profile's Schema Registry (with its DEK Registry) and Kafka cluster.
// Owns, on the right threads:
//  - the REST transport and the registry clients over it, in the thread that opens it (their
//    replies arrive there: the GUI's, or the CLI's main thread);
//  - the record decryptor for the records pipeline, whose own transport runs on a thread of
//    its own (the decrypting workers block on its answers), with the profile's KMS drivers and
//    one DEK cache for the life of the connection;
//  - the Kafka layer's KafkaSettings (never the whole profile).
// The GUI, the CLI and tests open it the same way. Closing it (deleting it) drops the replies
// still in flight on its thread; a fetch still running keeps the decryptor's thread alive
// until it ends.

#include "core/domain/registrytypes.h"
#include "core/engine/dekcache.h"
#include "core/kafka/kafkasettings.h"
#include "core/kms/kms.h"
#include "core/services/connectionprofile.h"

#include <QObject>

#include <memory>

namespace kw::engine {
class RecordDecryptor;
}
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

    // The decryptor for records of this connection, to be used from worker threads (never
    // from this connection's thread: it blocks on registry answers). Started on first use;
    // null when the profile has no registry URL. Holding it keeps its transport thread alive.
    [[nodiscard]] std::shared_ptr<engine::RecordDecryptor> recordDecryptor();
    // KMS unwraps and DEK cache hits of the decryptor so far (DEKs stay cached across fetches).
    [[nodiscard]] engine::DekCache::Stats decryptorStats() const { return m_dekCache->stats(); }

    // The state of `kek`'s key as its KMS reports it, with this profile's KMS settings (the
    // KEK's kmsProps win). Thread-safe; the future may finish on any thread.
    [[nodiscard]] QFuture<Result<kms::KmsKeyState>> kmsKeyState(const registry::Kek &kek) const;

private:
    profiles::ConnectionProfile m_profile;
    std::unique_ptr<registry::RestTransport> m_transport;
    std::shared_ptr<registry::DekRegistryClient> m_dekClient;
    std::shared_ptr<registry::SchemaRegistryClient> m_schemaClient;
    std::shared_ptr<engine::DekCache> m_dekCache;
    std::shared_ptr<engine::RecordDecryptor> m_decryptor;
    std::shared_ptr<const kms::KmsRegistry> m_kmsDrivers;
};

} // namespace kw::services
