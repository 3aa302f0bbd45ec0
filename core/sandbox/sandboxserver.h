#pragma once
// The sandbox's HTTP front: Schema Registry and DEK Registry REST on 127.0.0.1, routed by hand
// over QAbstractHttpServer (Qt 6.4's QHttpServer router cannot express these paths).

#include "core/domain/result.h"

#include <QAbstractHttpServer>
#include <QList>
#include <QString>

#include <memory>

namespace kw::sandbox {

class FaultInjector;
class KmsDouble;
class SandboxStore;
struct HttpRequest;
struct HttpReply;

// Lives in the thread that constructs it (and calls listen()); it may be a worker thread.
class SandboxServer final : public QAbstractHttpServer
{
    Q_OBJECT

public:
    explicit SandboxServer(std::shared_ptr<SandboxStore> store, QObject *parent = nullptr);
    ~SandboxServer() override;

    // Requires "Authorization: Basic base64(user:secret)" on every request (401 otherwise).
    // An empty user turns authentication off (the default).
    void setBasicAuth(const QString &user, const QString &secret);
    // Delays and fails eligible requests as `faults` decides (faults.h); null turns it off
    // (the default). Set it before listen(), in the server's thread.
    void setFaultInjector(std::shared_ptr<FaultInjector> faults);
    [[nodiscard]] const std::shared_ptr<FaultInjector> &faultInjector() const { return m_faults; }
    // Serves `kms` under its path prefix (kmsdouble.h). Before listen(), in the server's thread.
    void addKmsDouble(std::shared_ptr<KmsDouble> kms);

    // Listens on 127.0.0.1:`port`; 0 picks a free port.
    Result<void> listen(quint16 port = 0);
    [[nodiscard]] quint16 port() const { return m_port; }
    // "http://127.0.0.1:<port>", empty before listen().
    [[nodiscard]] QString baseUrl() const;

    // Routes one request, with the injected faults if any; public so tests can call it
    // without sockets.
    [[nodiscard]] HttpReply dispatch(const HttpRequest &request);

protected:
    // Qt 6.5 moved the handlers from sockets to responders; Debian 12 has 6.4, Debian 13 6.8.
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    bool handleRequest(const QHttpServerRequest &request, QHttpServerResponder &responder) override;
    void missingHandler(const QHttpServerRequest &request,
                        QHttpServerResponder &responder) override;
#else
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;
#endif

private:
    HttpReply reply(const QHttpServerRequest &request);
    HttpReply route(const HttpRequest &request);
    HttpReply routeWithFaults(FaultInjector &faults, const HttpRequest &request);

    std::shared_ptr<SandboxStore> m_store;
    std::shared_ptr<FaultInjector> m_faults;
    QList<std::shared_ptr<KmsDouble>> m_kmsDoubles;
    QByteArray m_expectedAuthorization;
    quint16 m_port = 0;
};

} // namespace kw::sandbox
