#pragma once
// A scripted HTTP/1.1 server for the registry client tests: records every request as it came
// off the wire and answers from a queue of canned responses (or a handler). Serves plain TCP or,
// given a QSslServer, HTTPS. One request per connection ("Connection: close").

#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QQueue>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>

namespace kw::test {

struct FakeRequest
{
    QByteArray method;
    QByteArray target;                    // exactly as sent: percent-encoded path and query
    QMap<QByteArray, QByteArray> headers; // names lower-cased
    QByteArray body;

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    bool hasHeader(const QByteArray &name) const { return headers.contains(name.toLower()); }
};

struct FakeResponse
{
    int status = 200;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    bool omitContentLength = false; // body delimited by closing the connection
    bool hang = false;              // read the request, never answer
    qint64 declaredLength = -1;     // Content-Length to announce instead of the body's size
    int trickleMs = 0;              // send the body one byte at a time, this far apart

    static FakeResponse json(int status, const QByteArray &body)
    {
        FakeResponse r;
        r.status = status;
        r.body = body;
        r.headers.append(qMakePair(QByteArray("Content-Type"),
                                   QByteArray("application/vnd.schemaregistry.v1+json")));
        return r;
    }
    static FakeResponse error(int status, int code, const QByteArray &message)
    {
        return json(status, "{\"error_code\":" + QByteArray::number(code) + ",\"message\":\"" +
                                message + "\"}");
    }
    static FakeResponse text(int status, const QByteArray &body)
    {
        FakeResponse r;
        r.status = status;
        r.body = body;
        r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("text/html")));
        return r;
    }
    static FakeResponse hanging()
    {
        FakeResponse r;
        r.hang = true;
        return r;
    }
    // Announces `declared` bytes, sends `body`, then closes the connection.
    static FakeResponse cutOff(const QByteArray &body, qint64 declared)
    {
        FakeResponse r = json(200, body);
        r.declaredLength = declared;
        return r;
    }
    static FakeResponse trickling(const QByteArray &body, int msPerByte)
    {
        FakeResponse r = json(200, body);
        r.trickleMs = msPerByte;
        return r;
    }
};

class FakeHttpServer : public QObject
{
public:
    using Handler = std::function<FakeResponse(const FakeRequest &)>;

    // Takes ownership of `server` (a QSslServer for HTTPS); a plain QTcpServer by default.
    explicit FakeHttpServer(QTcpServer *server = nullptr)
        : m_server(server ? server : new QTcpServer)
    {
        m_server->setParent(this);
        connect(m_server, &QTcpServer::newConnection, this, [this] { acceptAll(); });
        // QSslServer queues a connection only once its handshake is done, after newConnection.
        connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] { acceptAll(); });
    }

    bool listen() { return m_server->listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server->serverPort(); }
    QUrl url(const QString &scheme = QStringLiteral("http"), const QString &path = {}) const
    {
        QUrl u;
        u.setScheme(scheme);
        u.setHost(QStringLiteral("127.0.0.1"));
        u.setPort(port());
        u.setPath(path);
        return u;
    }
    void close() { m_server->close(); }

    void enqueue(const FakeResponse &response) { m_queue.enqueue(response); }
    void setHandler(Handler handler) { m_handler = std::move(handler); }

    QList<FakeRequest> requests;

private:
    void acceptAll()
    {
        while (m_server->hasPendingConnections()) {
            QTcpSocket *socket = m_server->nextPendingConnection();
            if (!socket)
                continue;
            socket->setParent(this);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
            connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                m_buffers.remove(socket);
                socket->deleteLater();
            });
            if (socket->bytesAvailable() > 0)
                onReadyRead(socket);
        }
    }

    void onReadyRead(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        FakeRequest request;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        request.target = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                request.headers.insert(line.left(colon).trimmed().toLower(),
                                       line.mid(colon + 1).trimmed());
        }
        const qsizetype length = request.header("Content-Length").toLongLong();
        if (buffer.size() < headerEnd + 4 + length)
            return;
        request.body = buffer.mid(headerEnd + 4, length);
        buffer.clear();
        requests.append(request);

        FakeResponse response;
        if (!m_queue.isEmpty())
            response = m_queue.dequeue();
        else if (m_handler)
            response = m_handler(request);
        else
            response = FakeResponse::error(404, 404, "HTTP 404 Not Found");
        if (response.hang)
            return;
        QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + " Status\r\n";
        for (const auto &h : std::as_const(response.headers))
            out += h.first + ": " + h.second + "\r\n";
        if (!response.omitContentLength)
            out += "Content-Length: " +
                   QByteArray::number(response.declaredLength >= 0 ? response.declaredLength
                                                                   : response.body.size()) +
                   "\r\n";
        out += "Connection: close\r\n\r\n";
        if (response.trickleMs > 0) {
            socket->write(out);
            trickle(socket, response.body, response.trickleMs);
            return;
        }
        out += response.body;
        socket->write(out);
        socket->disconnectFromHost();
    }

    // The timer belongs to the socket: a client that gives up ends the trickle.
    static void trickle(QTcpSocket *socket, const QByteArray &body, int msPerByte)
    {
        auto *timer = new QTimer(socket);
        auto sent = std::make_shared<qsizetype>(0);
        QObject::connect(timer, &QTimer::timeout, socket, [socket, timer, body, sent] {
            if (*sent >= body.size()) {
                timer->stop();
                socket->disconnectFromHost();
                return;
            }
            socket->write(body.mid((*sent)++, 1));
        });
        timer->start(msPerByte);
    }

    QTcpServer *m_server;
    QQueue<FakeResponse> m_queue;
    Handler m_handler;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

} // namespace kw::test
