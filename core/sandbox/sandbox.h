#pragma once
// The whole embedded sandbox: registry store, REST server and Kafka mock cluster, started
// together with one seed. Used by keywarden-sandbox, the GUI's --demo mode, tests, benchmarks.

#include "core/domain/clock.h"
#include "core/domain/result.h"
#include "core/kms/kms.h"
#include "core/sandbox/faults.h"

#include <QList>
#include <QString>

#include <memory>

namespace kw::sandbox {

class FaultInjector;
class KmsDouble;
class MockKafkaCluster;
class SandboxServer;
class SandboxStore;

struct SandboxOptions
{
    QString seed = QStringLiteral("empty"); // "empty", "keys" or "demo"
    quint16 port = 0;                       // registry port on 127.0.0.1; 0 picks a free one
    QString dataDir;                        // registry state in DIR/registry.sqlite; empty: memory
    QString localSecret;                    // server-side local-kms secret; empty: random
    QString basicAuthUser;                  // empty: no authentication
    QString basicAuthSecret;
    int brokers = 1;
    int maxKeys = 20000;
    // Failing and slow registry and KMS calls for tests (faults.h); off by default. The
    // seeding of the demo estate is never failed.
    FaultOptions faults;
};

// Create, start and destroy it in one thread (the server's sockets live there).
class Sandbox
{
public:
    explicit Sandbox(const Clock &clock = Clock::system());
    ~Sandbox();
    Sandbox(const Sandbox &) = delete;
    Sandbox &operator=(const Sandbox &) = delete;

    Result<void> start(const SandboxOptions &options = {});
    void stop();
    [[nodiscard]] bool isRunning() const;

    // "http://127.0.0.1:P" and "127.0.0.1:Q".
    [[nodiscard]] QString registryUrl() const;
    [[nodiscard]] QString bootstrapServers() const;
    [[nodiscard]] QString localSecret() const;
    // The KMS settings that point each driver at the sandbox's KMS doubles (kmsdouble.h), by
    // kmsType; with local-kms's secret. A profile of the sandbox takes them as they are.
    [[nodiscard]] kms::KmsSettings kmsSettings() const;
    // The running double of `kmsType` (tests steer its keys and faults), or null.
    [[nodiscard]] std::shared_ptr<KmsDouble> kmsDouble(const QString &kmsType) const;

    // Valid after a successful start().
    [[nodiscard]] std::shared_ptr<SandboxStore> store() const;
    [[nodiscard]] SandboxServer *server() const;
    [[nodiscard]] MockKafkaCluster *cluster() const;
    // Null unless the options enabled faults.
    [[nodiscard]] std::shared_ptr<FaultInjector> faultInjector() const;

private:
    const Clock &m_clock;
    std::shared_ptr<SandboxStore> m_store;
    std::unique_ptr<SandboxServer> m_server;
    std::unique_ptr<MockKafkaCluster> m_cluster;
    std::shared_ptr<FaultInjector> m_faults;
    QString m_localSecret;
    QList<std::shared_ptr<KmsDouble>> m_kmsDoubles;
};

} // namespace kw::sandbox
