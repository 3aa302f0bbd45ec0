#include "core/sandbox/sandboxhost.h"

#include "core/crypto/crypto.h"

#include <QElapsedTimer>
#include <QMetaObject>

namespace kw::sandbox {

namespace {

// Lives on the host's thread: the sandbox is created, started and destroyed there.
class SandboxWorker final : public QObject
{
public:
    ~SandboxWorker() override = default;
    std::unique_ptr<Sandbox> sandbox;
};

} // namespace

SandboxHost::SandboxHost(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<SandboxEndpoints>();
    m_thread.setObjectName(QStringLiteral("keywarden-sandbox"));
    auto *worker = new SandboxWorker;
    worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, worker, &QObject::deleteLater);
    // The seed and the DEK Registry use OpenSSL on this thread; free its state as it ends.
    crypto::releaseThreadStateOnFinish(&m_thread);
    m_worker = worker;
    m_thread.start();
}

SandboxHost::~SandboxHost()
{
    m_thread.quit();
    m_thread.wait();
}

void SandboxHost::start(const SandboxOptions &options)
{
    auto *worker = static_cast<SandboxWorker *>(m_worker);
    QMetaObject::invokeMethod(worker, [this, worker, options] {
        QElapsedTimer timer;
        timer.start();
        worker->sandbox = std::make_unique<Sandbox>();
        auto started = worker->sandbox->start(options);
        if (!started) {
            worker->sandbox.reset();
            const QString message = started.error().message;
            QMetaObject::invokeMethod(this, [this, message] { Q_EMIT failed(message); });
            return;
        }
        const SandboxEndpoints endpoints{
            worker->sandbox->registryUrl(), worker->sandbox->bootstrapServers(),
            worker->sandbox->localSecret(), timer.elapsed(), worker->sandbox->kmsSettings()};
        QMetaObject::invokeMethod(this, [this, endpoints] {
            m_ready = true;
            m_endpoints = endpoints;
            Q_EMIT ready(endpoints);
        });
    });
}

} // namespace kw::sandbox
