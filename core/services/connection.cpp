#include "core/services/connection.h"

#include "core/net/resttransport.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"

namespace kw::services {

Connection::Connection(profiles::ConnectionProfile profile, QObject *parent)
    : QObject(parent)
    , m_profile(std::move(profile))
    , m_transport(std::make_unique<registry::RestTransport>(m_profile.registry))
    , m_dekClient(std::make_shared<registry::DekRegistryClient>(m_transport.get()))
    , m_schemaClient(std::make_shared<registry::SchemaRegistryClient>(m_transport.get()))
{}

Connection::~Connection()
{
    m_dekClient.reset();
    m_schemaClient.reset();
    m_transport.reset();
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
