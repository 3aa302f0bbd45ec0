#include "app/gui/demo.h"

#include "core/sandbox/sandboxhost.h"
#include "core/services/connectionprofile.h"
#include "widgets/mainwindow/mainwindow.h"

#include <QCoreApplication>
#include <QUrl>

namespace kw {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Demo", text);
}

void openSandbox(MainWindow &window, const sandbox::SandboxEndpoints &endpoints)
{
    const QString detail =
        tr("The embedded sandbox is serving a Schema Registry with its DEK Registry at %1 and a "
           "Kafka cluster at %2, seeded with a bank's KEKs, DEKs, schemas and encrypted records "
           "(ready in %3 s). Its local-kms secret is set for this session. Pick a KEK or a "
           "schema on the left.")
            .arg(endpoints.registryUrl, endpoints.bootstrapServers)
            .arg(double(endpoints.startupMs) / 1000.0, 0, 'f', 1);

    profiles::ConnectionProfile profile;
    profile.name = tr("Demo sandbox");
    profile.registry.baseUrl = QUrl(endpoints.registryUrl);
    profile.bootstrapServers = endpoints.bootstrapServers;
    profile.kms = endpoints.kms; // every KMS double of the sandbox
    profile.kms.insert(QStringLiteral("local-kms"),
                       kms::KmsConfig{{QStringLiteral("secret"), endpoints.localSecret}});
    profile.sandbox = true;
    window.openDemo(profile, detail);
}

} // namespace

void followSandbox(MainWindow &window, sandbox::SandboxHost &host)
{
    window.showDemoStarting();
    QObject::connect(
        &host, &sandbox::SandboxHost::ready, &window,
        [&window](const sandbox::SandboxEndpoints &endpoints) { openSandbox(window, endpoints); });
    QObject::connect(&host, &sandbox::SandboxHost::failed, &window,
                     [&window](const QString &message) { window.showDemoFailed(message); });
    if (host.isReady())
        openSandbox(window, host.endpoints());
}

} // namespace kw
