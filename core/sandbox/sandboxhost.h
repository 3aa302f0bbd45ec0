#pragma once
// Runs the embedded sandbox on a thread of its own, so a GUI can start the demo estate (a
// few seconds of seeding) without blocking its event loop. Reports the addresses when ready.

#include "core/domain/result.h"
#include "core/sandbox/sandbox.h"

#include <QObject>
#include <QThread>

namespace kw::sandbox {

struct SandboxEndpoints
{
    QString registryUrl;
    QString bootstrapServers;
    QString localSecret;
    qint64 startupMs = 0;
    // Per kmsType, the settings that reach the sandbox's KMS doubles (Sandbox::kmsSettings).
    kms::KmsSettings kms = {};
};

class SandboxHost final : public QObject
{
    Q_OBJECT

public:
    explicit SandboxHost(QObject *parent = nullptr);
    ~SandboxHost() override;

    // Starts the sandbox on the host's thread; ready() or failed() follows.
    void start(const SandboxOptions &options);
    [[nodiscard]] bool isReady() const { return m_ready; }
    [[nodiscard]] const SandboxEndpoints &endpoints() const { return m_endpoints; }

Q_SIGNALS:
    void ready(const kw::sandbox::SandboxEndpoints &endpoints);
    void failed(const QString &message);

private:
    QThread m_thread;
    QObject *m_worker = nullptr;
    bool m_ready = false;
    SandboxEndpoints m_endpoints;
};

} // namespace kw::sandbox

Q_DECLARE_METATYPE(kw::sandbox::SandboxEndpoints)
