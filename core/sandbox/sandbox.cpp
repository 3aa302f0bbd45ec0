#include "core/sandbox/sandbox.h"

#include "core/crypto/crypto.h"
#include "core/sandbox/demoseed.h"
#include "core/sandbox/kmsdouble.h"
#include "core/sandbox/mockkafkacluster.h"
#include "core/sandbox/sandboxserver.h"
#include "core/sandbox/sandboxstore.h"

#include <QDir>

namespace kw::sandbox {

namespace {

QString randomSecret()
{
    const crypto::SecureBytes bytes = crypto::randomBytes(24);
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(bytes.data()), bytes.size())
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

Sandbox::Sandbox(const Clock &clock)
    : m_clock(clock)
{}

Sandbox::~Sandbox()
{
    stop();
}

Result<void> Sandbox::start(const SandboxOptions &options)
{
    if (isRunning())
        return makeError(QStringLiteral("sandbox.running"),
                         QStringLiteral("The sandbox is already running."));
    const bool demo = options.seed == QLatin1String("demo");
    // "keys": an empty registry and cluster, the KMS doubles holding the demo's keys (what a
    // client that brings its own KEKs needs, without the demo's records to write first).
    const bool keys = demo || options.seed == QLatin1String("keys");
    if (!keys && options.seed != QLatin1String("empty"))
        return makeError(
            QStringLiteral("sandbox.bad_seed"),
            QStringLiteral("Unknown seed '%1'; use 'empty', 'keys' or 'demo'.").arg(options.seed));
    if (auto valid = validateFaultOptions(options.faults); !valid)
        return valid;

    m_localSecret = options.localSecret.isEmpty() ? randomSecret() : options.localSecret;
    auto store = std::make_shared<SandboxStore>(m_clock);
    QString path;
    if (!options.dataDir.isEmpty()) {
        if (!QDir().mkpath(options.dataDir))
            return makeError(QStringLiteral("sandbox.data_dir"),
                             QStringLiteral("Could not create the sandbox data folder '%1'.")
                                 .arg(options.dataDir));
        path = QDir(options.dataDir).filePath(QStringLiteral("registry.sqlite"));
    }
    if (auto opened = store->open(path); !opened)
        return opened;
    store->setLocalSecret(m_localSecret);
    store->setMaxKeys(options.maxKeys);

    auto cluster = std::make_unique<MockKafkaCluster>();
    if (auto started = cluster->start(options.brokers); !started)
        return started;

    QList<std::shared_ptr<KmsDouble>> kmsDoubles = makeKmsDoubles(m_clock);
    if (keys) {
        for (const auto &kms : kmsDoubles)
            kms->seedDemoKeys(m_clock);
    }
    if (demo) {
        if (auto seeded = seedDemo(*store, *cluster, m_localSecret, m_clock, kmsDoubles); !seeded)
            return seeded;
    }

    // After seeding, so the demo estate is always complete.
    std::shared_ptr<FaultInjector> faults;
    if (options.faults.enabled()) {
        faults = std::make_shared<FaultInjector>(options.faults);
        store->setFaultInjector(faults);
    }

    auto server = std::make_unique<SandboxServer>(store);
    server->setBasicAuth(options.basicAuthUser, options.basicAuthSecret);
    server->setFaultInjector(faults);
    for (const auto &kms : kmsDoubles)
        server->addKmsDouble(kms);
    if (auto listening = server->listen(options.port); !listening)
        return listening;

    m_store = std::move(store);
    m_cluster = std::move(cluster);
    m_server = std::move(server);
    m_faults = std::move(faults);
    m_kmsDoubles = std::move(kmsDoubles);
    return {};
}

void Sandbox::stop()
{
    m_server.reset();
    m_cluster.reset();
    m_store.reset();
    m_faults.reset();
    m_kmsDoubles.clear();
}

std::shared_ptr<KmsDouble> Sandbox::kmsDouble(const QString &kmsType) const
{
    for (const auto &kms : m_kmsDoubles) {
        if (kms->kmsType() == kmsType)
            return kms;
    }
    return nullptr;
}

kms::KmsSettings Sandbox::kmsSettings() const
{
    kms::KmsSettings settings;
    settings.insert(QStringLiteral("local-kms"), {{QStringLiteral("secret"), m_localSecret}});
    const QString base = registryUrl();
    if (base.isEmpty())
        return settings;
    for (const auto &kms : m_kmsDoubles)
        settings.insert(kms->kmsType(), kms->clientSettings(base));
    return settings;
}

bool Sandbox::isRunning() const
{
    return m_server != nullptr;
}

QString Sandbox::registryUrl() const
{
    return m_server ? m_server->baseUrl() : QString();
}

QString Sandbox::bootstrapServers() const
{
    return m_cluster ? m_cluster->bootstrapServers() : QString();
}

QString Sandbox::localSecret() const
{
    return m_localSecret;
}

std::shared_ptr<SandboxStore> Sandbox::store() const
{
    return m_store;
}

SandboxServer *Sandbox::server() const
{
    return m_server.get();
}

MockKafkaCluster *Sandbox::cluster() const
{
    return m_cluster.get();
}

std::shared_ptr<FaultInjector> Sandbox::faultInjector() const
{
    return m_faults;
}

} // namespace kw::sandbox
