#include "core/sandbox/sandboxserver.h"

#include "core/sandbox/dekroutes.h"
#include "core/sandbox/faults.h"
#include "core/sandbox/httpexchange.h"
#include "core/sandbox/kmsdouble.h"
#include "core/sandbox/registryerrors.h"
#include "core/sandbox/schemaroutes.h"

#include <QHostAddress>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QUrl>

#include <memory>
#include <mutex>

Q_LOGGING_CATEGORY(lcSandboxHttp, "keywarden.sandbox.http", QtInfoMsg)

// Qt HTTP Server's own categories (qt.httpserver, qt.httpserver.request, ...) print whole
// requests at debug level, Authorization headers included. The sandbox is handed secrets (the
// registry's basic auth, the KMS doubles' tokens, signatures and credentials): its debug
// output stays free of them whatever QT_LOGGING_RULES say.
QLoggingCategory::CategoryFilter g_earlierFilter = nullptr;

void keepHttpServerQuiet(QLoggingCategory *category)
{
    if (g_earlierFilter)
        g_earlierFilter(category);
    if (QByteArrayView(category->categoryName()).startsWith("qt.httpserver"))
        category->setEnabled(QtDebugMsg, false);
}

void installQuietHttpServer()
{
    static std::once_flag once;
    std::call_once(once,
                   [] { g_earlierFilter = QLoggingCategory::installFilter(keepHttpServerQuiet); });
}

namespace kw::sandbox {

namespace {

// The real Schema Registry rejects request bodies over size.limit.filter.max.request.body.size
// (default 1048576) with HTTP 413 (SchemaRegistryConfig.MAX_REQ_BODY_SIZE_DEFAULT in
// confluentinc/schema-registry); no sandbox request needs more.
constexpr qsizetype MaxRequestBodyBytes = 1024 * 1024;
// Qt's HTTP server buffers a whole request before handing it over, however large it is. A
// connection whose current request has sent more than this is dropped instead, so one client
// cannot fill the memory; bodies between the limit above and this one get a proper 413.
constexpr qint64 MaxBufferedRequestBytes = qint64(16) * 1024 * 1024;

// Accepts connections like QTcpServer and counts, per connection, the bytes of the request being
// read. QAbstractHttpServer reads each request inside a socket transaction that it commits when
// the request is complete, so no transaction means a new request starts; this handler is
// connected before the HTTP server's own, so it runs first on every readyRead.
class GuardedTcpServer final : public QTcpServer
{
public:
    using QTcpServer::QTcpServer;

protected:
    void incomingConnection(qintptr handle) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(handle)) {
            delete socket;
            return;
        }
        auto pending = std::make_shared<qint64>(0);
        connect(socket, &QTcpSocket::readyRead, socket, [socket, pending] {
            if (!socket->isTransactionStarted())
                *pending = 0;
            *pending += socket->bytesAvailable();
            if (*pending <= MaxBufferedRequestBytes)
                return;
            qCWarning(lcSandboxHttp).noquote() << "Dropped a connection whose request passed"
                                               << MaxBufferedRequestBytes << "bytes";
            // Nothing else reads this data: the HTTP server's handler is not called either.
            QObject::disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
            socket->abort();
        });
        addPendingConnection(socket);
    }
};

const QList<QByteArray> AcceptedContentTypes{
    QByteArrayLiteral("application/vnd.schemaregistry.v1+json"),
    QByteArrayLiteral("application/vnd.schemaregistry+json"), QByteArrayLiteral("application/json"),
    QByteArrayLiteral("application/octet-stream")};

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return QByteArrayLiteral("GET");
    case QHttpServerRequest::Method::Put:
        return QByteArrayLiteral("PUT");
    case QHttpServerRequest::Method::Delete:
        return QByteArrayLiteral("DELETE");
    case QHttpServerRequest::Method::Post:
        return QByteArrayLiteral("POST");
    case QHttpServerRequest::Method::Head:
        return QByteArrayLiteral("HEAD");
    case QHttpServerRequest::Method::Options:
        return QByteArrayLiteral("OPTIONS");
    case QHttpServerRequest::Method::Patch:
        return QByteArrayLiteral("PATCH");
    default:
        return QByteArrayLiteral("OTHER");
    }
}

// Splits the still percent-encoded path, then decodes each segment, so "%2F" inside a subject
// name does not split it.
QStringList pathSegments(const QUrl &url)
{
    const QString encoded = url.path(QUrl::FullyEncoded);
    QStringList segments;
    for (const QString &part : encoded.split(QLatin1Char('/'), Qt::SkipEmptyParts))
        segments.append(QUrl::fromPercentEncoding(part.toLatin1()));
    return segments;
}

void writeReply(QHttpServerResponder &responder, const HttpReply &reply)
{
    const auto status = static_cast<QHttpServerResponder::StatusCode>(reply.status);
    if (reply.status == 204) {
        responder.write(status);
        return;
    }
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    QHttpHeaders headers;
    headers.append(QHttpHeaders::WellKnownHeader::ContentType, reply.contentType);
    if (reply.status == 401)
        headers.append(QHttpHeaders::WellKnownHeader::WWWAuthenticate,
                       "Basic realm=\"SchemaRegistry\"");
    for (const auto &[name, value] : reply.headers)
        headers.append(name, value);
    responder.write(reply.body, headers, status);
#else
    if (!reply.headers.isEmpty()) {
        responder.writeStatusLine(status);
        responder.writeHeader(QByteArrayLiteral("Content-Type"), reply.contentType);
        responder.writeHeader(QByteArrayLiteral("Content-Length"),
                              QByteArray::number(reply.body.size()));
        for (const auto &[name, value] : reply.headers)
            responder.writeHeader(name, value);
        responder.writeBody(reply.body.constData(), reply.body.size());
        return;
    }
    if (reply.status == 401)
        responder.write(reply.body,
                        {{QByteArrayLiteral("Content-Type"), reply.contentType},
                         {QByteArrayLiteral("WWW-Authenticate"),
                          QByteArrayLiteral("Basic realm=\"SchemaRegistry\"")}},
                        status);
    else
        responder.write(reply.body, {{QByteArrayLiteral("Content-Type"), reply.contentType}},
                        status);
#endif
}

bool acceptedContentType(const QByteArray &header)
{
    if (header.isEmpty())
        return true;
    const QByteArray type = header.split(';').first().trimmed().toLower();
    return AcceptedContentTypes.contains(type);
}

} // namespace

SandboxServer::SandboxServer(std::shared_ptr<SandboxStore> store, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_store(std::move(store))
{
    installQuietHttpServer();
}

SandboxServer::~SandboxServer() = default;

void SandboxServer::setBasicAuth(const QString &user, const QString &secret)
{
    if (user.isEmpty()) {
        m_expectedAuthorization.clear();
        return;
    }
    m_expectedAuthorization =
        QByteArrayLiteral("Basic ") + QString(user + QLatin1Char(':') + secret).toUtf8().toBase64();
}

Result<void> SandboxServer::listen(quint16 port)
{
    // Our own QTcpServer, bound afterwards: the one way that works on Qt 6.4 and 6.8 alike.
    auto *tcp = new GuardedTcpServer(this);
    const auto failed = [&] {
        delete tcp;
        return makeError(QStringLiteral("sandbox.listen"),
                         QStringLiteral("The sandbox registry could not listen on 127.0.0.1:%1. "
                                        "Choose another port, or 0 for a free one.")
                             .arg(port));
    };
    if (!tcp->listen(QHostAddress::LocalHost, port))
        return failed();
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    if (!bind(tcp))
        return failed();
#else
    bind(tcp);
#endif
    const quint16 bound = tcp->serverPort();
    m_port = bound;
    return {};
}

QString SandboxServer::baseUrl() const
{
    return m_port ? QStringLiteral("http://127.0.0.1:%1").arg(m_port) : QString();
}

void SandboxServer::setFaultInjector(std::shared_ptr<FaultInjector> faults)
{
    m_faults = std::move(faults);
}

void SandboxServer::addKmsDouble(std::shared_ptr<KmsDouble> kms)
{
    if (kms)
        m_kmsDoubles.append(std::move(kms));
}

HttpReply SandboxServer::dispatch(const HttpRequest &request)
{
    if (m_faults && m_faults->isEligible(request.segments.value(0)))
        return routeWithFaults(*m_faults, request);
    return route(request);
}

HttpReply SandboxServer::routeWithFaults(FaultInjector &faults, const HttpRequest &request)
{
    // Blocking on purpose: a slow registry keeps later requests waiting as well.
    if (faults.options().delayMs > 0)
        QThread::msleep(static_cast<unsigned long>(faults.options().delayMs));
    const bool mutating =
        request.method == "POST" || request.method == "PUT" || request.method == "DELETE";
    quint64 index = 0;
    const FaultKind kind = faults.nextRequest(mutating, &index);
    if (kind == FaultKind::None)
        return route(request);
    const QString path = request.segments.join(QLatin1Char('/'));
    if (kind == FaultKind::FailAfterApplying) {
        const HttpReply applied = route(request);
        qCDebug(lcSandboxFaults).noquote()
            << "Injected fault" << index << ": answered 500 after handling" << request.method
            << path << "(its own answer was" << applied.status << ")";
    } else {
        qCDebug(lcSandboxFaults).noquote()
            << "Injected fault" << index << ": answered 500 without handling" << request.method
            << path;
    }
    // One message for both kinds: like a real client, a workflow cannot tell whether the
    // change was made, and must find out from the registry.
    return errorReply(ErrStore, QStringLiteral("Store error: the sandbox injected a fault into "
                                               "this request (fault seed %1, request %2). Retry "
                                               "after checking what the registry holds.")
                                    .arg(faults.options().seed)
                                    .arg(index));
}

HttpReply SandboxServer::route(const HttpRequest &request)
{
    if (auto reply = routeDekRegistry(*m_store, request))
        return *reply;
    if (auto reply = routeSchemaRegistry(*m_store, request))
        return *reply;
    return notFoundReply();
}

HttpReply SandboxServer::reply(const QHttpServerRequest &request)
{
    HttpRequest exchange;
    exchange.method = methodName(request.method());
    exchange.segments = pathSegments(request.url());
    exchange.query = request.query();
    exchange.body = request.body();
    exchange.rawPath = request.url().path(QUrl::FullyEncoded).toUtf8();
    exchange.rawQuery = request.url().query(QUrl::FullyEncoded).toUtf8();
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    exchange.headers = request.headers().toListOfPairs();
#else
    exchange.headers = request.headers();
#endif

    // A KMS double checks its own credentials and answers its own content types.
    for (const auto &kms : m_kmsDoubles) {
        if (exchange.segments.value(0) == kms->pathPrefix() &&
            exchange.body.size() <= MaxRequestBodyBytes) {
            HttpReply reply = kms->route(exchange);
            qCDebug(lcSandboxHttp)
                << exchange.method << exchange.segments.join(QLatin1Char('/')) << reply.status;
            return reply;
        }
    }

    HttpReply reply;
    const bool authorised =
        m_expectedAuthorization.isEmpty() ||
        request.value(QByteArrayLiteral("Authorization")) == m_expectedAuthorization;
    if (!authorised) {
        reply = errorReply(401, QStringLiteral("Unauthorized"));
    } else if (exchange.body.size() > MaxRequestBodyBytes) {
        reply = errorReply(413, QStringLiteral("Request body of %1 bytes is larger than the "
                                               "sandbox's limit of %2 bytes")
                                    .arg(exchange.body.size())
                                    .arg(MaxRequestBodyBytes));
    } else if (!exchange.body.isEmpty() &&
               !acceptedContentType(request.value(QByteArrayLiteral("Content-Type")))) {
        reply = errorReply(415, QStringLiteral("HTTP 415 Unsupported Media Type"));
    } else {
        reply = dispatch(exchange);
    }
    qCDebug(lcSandboxHttp) << exchange.method << exchange.segments.join(QLatin1Char('/'))
                           << reply.status;
    return reply;
}

#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
bool SandboxServer::handleRequest(const QHttpServerRequest &request,
                                  QHttpServerResponder &responder)
{
    writeReply(responder, reply(request));
    return true;
}

void SandboxServer::missingHandler(const QHttpServerRequest &, QHttpServerResponder &responder)
{
    writeReply(responder, notFoundReply());
}
#else
bool SandboxServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    writeReply(responder, reply(request));
    return true;
}

void SandboxServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    writeReply(responder, notFoundReply());
}
#endif

} // namespace kw::sandbox
