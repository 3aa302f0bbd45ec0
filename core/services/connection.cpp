#include "core/services/connection.h"

#include "core/crypto/crypto.h"
#include "core/engine/recorddecryptor.h"
#include "core/net/resttransport.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/services/recordpreview.h"

#include <QThread>

namespace kw::services {

namespace {

// A RestTransport running the event loop of a thread of its own, for callers that block on
// its answers. Kept alive by the decryptor that uses it, so a fetch still running after the
// connection closed never talks to a deleted transport.
struct WorkerTransport
{
    explicit WorkerTransport(const registry::ConnectionSettings &settings)
        : transport(new registry::RestTransport(settings))
    {
        thread.setObjectName(QStringLiteral("kw-registry-worker"));
        transport->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, transport, &QObject::deleteLater);
        crypto::releaseThreadStateOnFinish(&thread); // TLS handshakes use OpenSSL here
        thread.start();
    }
    ~WorkerTransport()
    {
        // The loop is idle or answering short calls; quitting it is quick.
        thread.quit();
        thread.wait();
    }
    WorkerTransport(const WorkerTransport &) = delete;
    WorkerTransport &operator=(const WorkerTransport &) = delete;

    QThread thread;
    registry::RestTransport *transport; // deleted in its thread as it finishes
};

} // namespace

Connection::Connection(profiles::ConnectionProfile profile, QObject *parent)
    : QObject(parent)
    , m_profile(std::move(profile))
    , m_transport(std::make_unique<registry::RestTransport>(m_profile.registry))
    , m_dekClient(std::make_shared<registry::DekRegistryClient>(m_transport.get()))
    , m_schemaClient(std::make_shared<registry::SchemaRegistryClient>(m_transport.get()))
    , m_dekCache(std::make_shared<engine::DekCache>())
    , m_kmsDrivers(std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers()))
{}

QFuture<Result<kms::KmsKeyState>> Connection::kmsKeyState(const registry::Kek &kek) const
{
    return m_kmsDrivers->keyStateFor(
        {kek.name, kek.kmsType, kek.kmsKeyId, kek.kmsProps, kek.shared}, m_profile.kms);
}

Connection::~Connection()
{
    m_decryptor.reset(); // its thread ends now, or with the last fetch still holding it
    m_dekClient.reset();
    m_schemaClient.reset();
    m_transport.reset();
}

std::shared_ptr<engine::RecordDecryptor> Connection::recordDecryptor()
{
    if (m_decryptor || m_profile.registry.baseUrl.isEmpty())
        return m_decryptor;
    auto host = std::make_shared<WorkerTransport>(m_profile.registry);
    auto inner = kafka::makeRegistryDecryptor(host->transport, m_profile.kms, m_dekCache);
    engine::RecordDecryptor *raw = inner.get();
    // The decryptor (with its clients) goes first, then the transport's thread.
    m_decryptor = std::shared_ptr<engine::RecordDecryptor>(
        raw, [inner = std::move(inner), host = std::move(host)](engine::RecordDecryptor *) mutable {
            inner.reset();
            host.reset();
        });
    return m_decryptor;
}

QString Connection::displayName() const
{
    return m_profile.name.isEmpty() ? tr("Unnamed") : m_profile.name;
}

QString Connection::registryUrl() const
{
    return m_profile.registry.baseUrl.toString(QUrl::RemoveUserInfo);
}

QString Connection::summary() const
{
    return tr("%1 · %2 · %3")
        .arg(displayName(), registryUrl(), m_profile.registry.securitySummary());
}

QString Connection::details() const
{
    return hasKafka()
               ? tr("Schema Registry %1; Kafka %2")
                     .arg(registryUrl(), m_profile.bootstrapServers.trimmed())
               : tr("Schema Registry %1; no Kafka cluster in this profile").arg(registryUrl());
}

bool Connection::hasKafka() const
{
    return !m_profile.bootstrapServers.trimmed().isEmpty();
}

} // namespace kw::services
