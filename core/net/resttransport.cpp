#include "core/net/resttransport.h"

#include "core/domain/version.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPromise>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslError>
#include <QSslKey>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <optional>

Q_LOGGING_CATEGORY(lcNet, "keywarden.net", QtInfoMsg)

namespace kw::registry {

namespace {

constexpr int kMaxMessageChars = 500;

Error tlsConfigError(const QString &message)
{
    return makeError(QStringLiteral("registry.tls_config"), message);
}

QString trimmedServerMessage(QString message)
{
    message = message.simplified();
    if (message.size() > kMaxMessageChars)
        message = message.left(kMaxMessageChars) + QStringLiteral("…");
    while (message.endsWith(QLatin1Char('.')))
        message.chop(1);
    return message;
}

QString withHint(QString message, int code)
{
    const QString hint = registryErrorHint(code);
    if (!hint.isEmpty())
        message += QStringLiteral(". ") + hint;
    else
        message += QLatin1Char('.');
    return message;
}

bool isRetryableStatus(int status)
{
    switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
        return true;
    default:
        return false;
    }
}

bool isJsonScalar(const QByteArray &body)
{
    QJsonParseError error;
    const QJsonDocument wrapped = QJsonDocument::fromJson('[' + body + ']', &error);
    return error.error == QJsonParseError::NoError && wrapped.array().size() == 1 &&
           !wrapped.array().at(0).isArray() && !wrapped.array().at(0).isObject();
}

// "30 s" or "1500 ms": how error messages name the request deadline.
QString formatDuration(int ms)
{
    if (ms % 1000 == 0)
        return QStringLiteral("%1 s").arg(ms / 1000);
    return QStringLiteral("%1 ms").arg(ms);
}

// Failures of the connection itself (as opposed to errors Qt derives from an HTTP status).
bool isTransportError(QNetworkReply::NetworkError error)
{
    return (error > QNetworkReply::NoError && error < QNetworkReply::ContentAccessDenied) ||
           error == QNetworkReply::ProtocolUnknownError || error == QNetworkReply::ProtocolFailure;
}

QString formatBytes(qint64 bytes)
{
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
        return QStringLiteral("%1 MiB").arg(bytes / (1024 * 1024));
    return QStringLiteral("%1 bytes").arg(bytes);
}

} // namespace

// ---- RestRequest ----------------------------------------------------------------------------

RestRequest RestRequest::make(QByteArray method, QStringList path)
{
    RestRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    return r;
}

RestRequest &RestRequest::addQuery(const QString &name, const QString &value)
{
    query.append({name, value});
    return *this;
}

RestRequest &RestRequest::addQuery(const QString &name, bool value)
{
    return addQuery(name, value ? QStringLiteral("true") : QStringLiteral("false"));
}

RestRequest &RestRequest::addQuery(const QString &name, int value)
{
    return addQuery(name, QString::number(value));
}

RestRequest &RestRequest::setBody(const QJsonDocument &json)
{
    body = json;
    return *this;
}

RestRequest &RestRequest::setService(const QString &name)
{
    service = name;
    return *this;
}

bool RestRequest::isIdempotent() const
{
    return retrySafe || method == "GET" || method == "PUT" || method == "DELETE" ||
           method == "HEAD";
}

QByteArray RestRequest::encodedTarget(const QByteArray &basePath) const
{
    QByteArray out = basePath;
    while (out.endsWith('/'))
        out.chop(1);
    for (const QString &segment : path)
        out += '/' + QUrl::toPercentEncoding(segment);
    if (out.isEmpty())
        out = "/";
    for (qsizetype i = 0; i < query.size(); ++i) {
        out += i == 0 ? '?' : '&';
        out += QUrl::toPercentEncoding(query.at(i).first) + '=' +
               QUrl::toPercentEncoding(query.at(i).second);
    }
    return out;
}

// ---- Call -----------------------------------------------------------------------------------

struct RestTransport::Call
{
    quint64 id = 0;
    RestRequest request;
    QString what;
    QPromise<Result<Reply>> promise;
    bool done = false;
    int attempts = 0;
    QNetworkReply *reply = nullptr;
    Abort abort = Abort::None;
    QList<QSslError> sslErrors;
    bool encrypted = false;  // the TLS handshake completed (from the client's side)
    bool gotHeaders = false; // the server started an HTTP answer
    qint64 received = 0;     // body bytes of the current attempt so far
    qint64 expected = -1;    // its Content-Length, when the server sent one
    QElapsedTimer clock;
    // Fires when the request's whole time (every attempt, back-off and reply) is used up.
    QTimer *deadline = nullptr;
    // What the last failed attempt would have reported had it not been retried.
    std::optional<Error> lastFailure;

    void complete(Result<Reply> result)
    {
        if (done)
            return;
        done = true;
        promise.addResult(std::move(result));
        promise.finish();
    }

    Error cancelled() const
    {
        return makeError(
            QStringLiteral("registry.cancelled"),
            QStringLiteral("%1: the request was cancelled because its connection was closed — %2.")
                .arg(request.service, what));
    }

    // Whatever drops the last reference to an unfinished call (a transport destroyed before a
    // queued send ran, for instance) still finishes its future, with an error.
    ~Call() { complete(cancelled()); }
};

// ---- RestTransport --------------------------------------------------------------------------

RestTransport::RestTransport(ConnectionSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_nam(new QNetworkAccessManager(this))
    , m_random([] { return QRandomGenerator::global()->generateDouble(); })
{
    m_basePath = m_settings.baseUrl.path(QUrl::FullyEncoded).toUtf8();
    while (m_basePath.endsWith('/'))
        m_basePath.chop(1);
    m_nam->setRedirectPolicy(QNetworkRequest::SameOriginRedirectPolicy);
    if (auto valid = m_settings.validate(); !valid)
        m_configError = valid.error();
    else if (m_settings.usesTls())
        prepareTls();
    if (!m_configError.isEmpty())
        qCWarning(lcNet).noquote()
            << "Registry connection settings are unusable:" << m_configError.code;
}

RestTransport::~RestTransport()
{
    const auto calls = std::exchange(m_calls, {});
    for (const std::shared_ptr<Call> &call : calls) {
        call->abort = Abort::Cancelled;
        if (QNetworkReply *reply = std::exchange(call->reply, nullptr)) {
            reply->disconnect(this);
            reply->abort();
        }
        qCDebug(lcNet).noquote() << call->what << "cancelled: transport destroyed";
        call->complete(call->cancelled());
    }
}

void RestTransport::prepareTls()
{
    m_sslConfig = QSslConfiguration::defaultConfiguration();
    QSslConfiguration &ssl = *m_sslConfig;
    const TlsSettings &tls = m_settings.tls;
    if (!tls.caFile.isEmpty()) {
        const QList<QSslCertificate> custom = QSslCertificate::fromPath(
            tls.caFile, QSsl::Pem, QSslCertificate::PatternSyntax::FixedString);
        if (custom.isEmpty()) {
            m_configError = tlsConfigError(
                QStringLiteral("The CA file '%1' could not be read or holds no PEM certificate. "
                               "Choose a PEM file with the registry's CA certificate.")
                    .arg(tls.caFile));
            return;
        }
        // Setting CAs explicitly turns off Qt's on-demand loading of the system roots, so the
        // system CAs are added here too: the custom CA extends them, it does not replace them.
        ssl.setCaCertificates(QSslConfiguration::systemCaCertificates() + custom);
    }
    if (!tls.clientCertFile.isEmpty()) {
        QFile certFile(tls.clientCertFile);
        const QList<QSslCertificate> chain =
            certFile.open(QIODevice::ReadOnly)
                ? QSslCertificate::fromData(certFile.readAll(), QSsl::Pem)
                : QList<QSslCertificate>{};
        if (chain.isEmpty()) {
            m_configError = tlsConfigError(
                QStringLiteral("The client certificate file '%1' could not be read or holds no PEM "
                               "certificate.")
                    .arg(tls.clientCertFile));
            return;
        }
        QFile keyFile(tls.clientKeyFile);
        QByteArray keyPem;
        if (keyFile.open(QIODevice::ReadOnly))
            keyPem = keyFile.readAll();
        QSslKey key;
        for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
            key = QSslKey(keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey, tls.clientKeyPassphrase);
            if (!key.isNull())
                break;
        }
        keyPem.fill('\0');
        if (key.isNull()) {
            m_configError = tlsConfigError(
                QStringLiteral(
                    "The client key file '%1' could not be read: it is missing, not a PEM "
                    "RSA/EC key, or its passphrase is wrong.")
                    .arg(tls.clientKeyFile));
            return;
        }
        ssl.setLocalCertificateChain(chain);
        ssl.setPrivateKey(key);
    }
    if (tls.insecureSkipVerify) {
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        qCWarning(lcNet).noquote()
            << "TLS certificate verification is disabled for" << m_settings.baseUrl.host();
    }
}

void RestTransport::setRandomSource(std::function<double()> random)
{
    m_random = std::move(random);
}

int RestTransport::backoffDelayMs(int retry, int baseMs, int maxMs, double unitRandom)
{
    qint64 cap = std::max(0, baseMs);
    for (int i = 1; i < retry && cap < maxMs; ++i)
        cap *= 2;
    cap = std::min<qint64>(cap, std::max(0, maxMs));
    const double r = std::clamp(unitRandom, 0.0, 1.0);
    const qint64 half = cap / 2;
    return int(half + std::llround(r * double(cap - half)));
}

int RestTransport::inFlightCount() const
{
    return int(m_calls.size());
}

QString RestTransport::describe(const RestRequest &request) const
{
    return QString::fromLatin1(request.method) + QLatin1Char(' ') +
           QString::fromLatin1(request.encodedTarget(m_basePath));
}

QFuture<Result<Reply>> RestTransport::send(RestRequest request)
{
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    call->what = describe(call->request);
    call->promise.start();
    QFuture<Result<Reply>> future = call->promise.future();
    if (!m_configError.isEmpty()) {
        call->complete(m_configError);
        return future;
    }
    // "", "." and ".." cannot be sent as path segments: HTTP stacks remove or merge them, so
    // DELETE .../deks/.. would reach (and delete) the KEK itself.
    for (const QString &segment : std::as_const(call->request.path)) {
        if (segment.isEmpty() || segment == QLatin1String(".") || segment == QLatin1String("..")) {
            call->complete(makeError(
                QStringLiteral("registry.invalid_path"),
                QStringLiteral("%1: '%2' cannot be used as a name in a request path — %3. "
                               "Names must not be empty, '.' or '..'.")
                    .arg(call->request.service, segment, call->what)));
            return future;
        }
    }
    if (QThread::currentThread() == thread())
        start(call);
    else
        QMetaObject::invokeMethod(
            this, [this, call] { start(call); }, Qt::QueuedConnection);
    return future;
}

void RestTransport::start(const std::shared_ptr<Call> &call)
{
    call->id = m_nextId++;
    call->clock.start();
    m_calls.insert(call->id, call);
    // One deadline for everything the caller waits for: a per-attempt or idle time-out would
    // let retries and a server trickling bytes stretch the wait far beyond what the error
    // message names. The timer is the transport's child, so it cannot outlive it.
    call->deadline = new QTimer(this);
    call->deadline->setSingleShot(true);
    connect(call->deadline, &QTimer::timeout, this, [this, call] { onDeadline(call); });
    call->deadline->start(m_settings.timeoutMs);
    attempt(call);
}

void RestTransport::onDeadline(const std::shared_ptr<Call> &call)
{
    if (call->done)
        return;
    call->abort = Abort::Deadline;
    // abort() finishes the reply at once; onFinished() then reports the deadline.
    if (QNetworkReply *reply = call->reply)
        reply->abort();
    if (!call->done) // between attempts, or the reply had already finished
        finish(call, deadlineError(*call));
}

Error RestTransport::deadlineError(const Call &call) const
{
    const QString attempts =
        call.attempts > 1 ? QStringLiteral(" (%1 attempts)").arg(call.attempts) : QString();
    const QString deadline = formatDuration(m_settings.timeoutMs);
    // A retry that had not begun to answer when the time ran out adds nothing to what the
    // attempt before it said: report that (an HTTP 503 is clearer than a time-out).
    if (call.lastFailure && !call.gotHeaders) {
        Error failure = *call.lastFailure;
        failure.message += QStringLiteral(" Its retry (attempt %1) had no answer when the %2 "
                                          "request deadline expired.")
                               .arg(call.attempts)
                               .arg(deadline);
        return failure;
    }
    if (call.gotHeaders) {
        const QString progress =
            call.expected >= 0
                ? QStringLiteral("%1 of %2 bytes").arg(call.received).arg(call.expected)
                : QStringLiteral("%1 bytes").arg(call.received);
        return makeError(QStringLiteral("registry.timeout"),
                         QStringLiteral("%1: the reply to %2 was still arriving when the %3 "
                                        "request deadline expired (%4 received)%5. The registry "
                                        "or the network is very slow: try again, or raise the "
                                        "request time-out of this connection.")
                             .arg(call.request.service, call.what, deadline, progress, attempts));
    }
    return makeError(QStringLiteral("registry.timeout"),
                     QStringLiteral("%1 did not answer within the %2 request deadline — %3%4. "
                                    "Check the network and the registry, or raise the request "
                                    "time-out of this connection.")
                         .arg(call.request.service, deadline, call.what, attempts));
}

void RestTransport::attempt(const std::shared_ptr<Call> &call)
{
    ++call->attempts;
    call->abort = Abort::None;
    call->sslErrors.clear();
    call->encrypted = false;
    call->gotHeaders = false;
    call->received = 0;
    call->expected = -1;

    const QByteArray origin =
        m_settings.baseUrl.toEncoded(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment);
    const QByteArray target = origin + call->request.encodedTarget(m_basePath);
    QNetworkRequest request(QUrl::fromEncoded(target, QUrl::StrictMode));
    // No per-attempt transfer time-out: the call's deadline (start()) covers every attempt.
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    const QByteArray agent = "keywarden/" + applicationVersion().toUtf8();
    const bool registry = call->request.registryHeaders;
    request.setRawHeader("User-Agent", agent);
    if (registry) {
        request.setRawHeader("Content-Type", "application/vnd.schemaregistry.v1+json");
        request.setRawHeader("Accept", "application/vnd.schemaregistry.v1+json, "
                                       "application/vnd.schemaregistry+json, application/json");
        request.setRawHeader("Confluent-Accept-Unknown-Properties", "true");
        request.setRawHeader("Confluent-Client-Version", agent);
    }
    const AuthSettings &auth = registry ? m_settings.auth : AuthSettings::none();
    switch (auth.kind) {
    case AuthSettings::Kind::None:
        break;
    case AuthSettings::Kind::Basic:
        request.setRawHeader(
            "Authorization",
            "Basic " + (auth.basicKey + QLatin1Char(':') + auth.basicSecret).toUtf8().toBase64());
        break;
    case AuthSettings::Kind::Bearer:
        request.setRawHeader("Authorization", "Bearer " + auth.bearerToken.toUtf8());
        if (!auth.targetSrCluster.isEmpty())
            request.setRawHeader("target-sr-cluster", auth.targetSrCluster.toUtf8());
        if (!auth.identityPoolIds.isEmpty())
            request.setRawHeader("Confluent-Identity-Pool-Id",
                                 auth.identityPoolIds.join(QLatin1Char(',')).toUtf8());
        break;
    }
    for (const auto &header : m_settings.extraHeaders)
        request.setRawHeader(header.first, header.second);
    for (const auto &header : call->request.headers)
        request.setRawHeader(header.first, header.second);
    if (m_sslConfig)
        request.setSslConfiguration(*m_sslConfig);

    const QByteArray payload = call->request.rawBody ? *call->request.rawBody
                               : call->request.body.isNull()
                                   ? QByteArray()
                                   : call->request.body.toJson(QJsonDocument::Compact);
    QNetworkReply *reply = m_nam->sendCustomRequest(request, call->request.method, payload);
    call->reply = reply;
    qCDebug(lcNet).noquote() << call->what << "attempt" << call->attempts;

    const qint64 limit = m_settings.maxResponseBytes;
    connect(reply, &QNetworkReply::encrypted, this, [call] { call->encrypted = true; });
    connect(reply, &QNetworkReply::metaDataChanged, this, [call, reply, limit] {
        call->gotHeaders = true;
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid())
            call->expected = length.toLongLong();
        if (length.isValid() && length.toLongLong() > limit && call->abort == Abort::None) {
            call->abort = Abort::TooLarge;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::downloadProgress, this,
            [call, reply, limit](qint64 received, qint64) {
                call->received = received;
                if (received > limit && call->abort == Abort::None) {
                    call->abort = Abort::TooLarge;
                    reply->abort();
                }
            });
    const bool insecure = m_settings.tls.insecureSkipVerify;
    connect(reply, &QNetworkReply::sslErrors, this,
            [call, reply, insecure](const QList<QSslError> &errors) {
                if (insecure) {
                    reply->ignoreSslErrors();
                    return;
                }
                call->sslErrors = errors; // the handshake then fails: verification fails closed
            });
    connect(reply, &QNetworkReply::finished, this,
            [this, call, reply] { onFinished(call, reply); });
}

void RestTransport::onFinished(const std::shared_ptr<Call> &call, QNetworkReply *reply)
{
    reply->deleteLater();
    if (call->reply == reply)
        call->reply = nullptr;
    if (call->done || call->abort == Abort::Cancelled)
        return;
    if (call->abort == Abort::Deadline) {
        finish(call, deadlineError(*call));
        return;
    }
    const RestRequest &rq = call->request;
    const qint64 limit = m_settings.maxResponseBytes;
    if (call->abort == Abort::TooLarge || reply->bytesAvailable() > limit) {
        finish(call, makeError(QStringLiteral("registry.response_too_large"),
                               QStringLiteral(
                                   "%1: the reply to %2 is larger than the %3 limit, so it was "
                                   "not read. Narrow the request (paging, a prefix) or raise the "
                                   "response size limit of this connection.")
                                   .arg(rq.service, call->what, formatBytes(limit))));
        return;
    }

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError netError = reply->error();
    if (status == 0) {
        const QString detail = reply->errorString();
        if (!call->sslErrors.isEmpty() || netError == QNetworkReply::SslHandshakeFailedError) {
            QStringList problems;
            for (const QSslError &e : std::as_const(call->sslErrors)) {
                if (!problems.contains(e.errorString()))
                    problems << e.errorString();
            }
            if (problems.isEmpty())
                problems << detail;
            finish(call,
                   makeError(QStringLiteral("registry.tls"),
                             QStringLiteral(
                                 "%1: the TLS connection to %2 failed and was closed — %3: %4. "
                                 "If the registry uses a private CA, set its CA file (PEM) in the "
                                 "connection's TLS settings; if it asks for a client certificate, "
                                 "set the certificate and key. Only if you trust the network, "
                                 "explicitly turn off verification for this connection.")
                                 .arg(rq.service, m_settings.baseUrl.authority(), call->what,
                                      problems.join(QStringLiteral("; ")))));
            return;
        }
        // A server that wants a client certificate (or rejects the one sent) just closes the
        // connection: during the handshake with TLS 1.2, right after it with TLS 1.3.
        if (m_settings.usesTls() && !call->gotHeaders &&
            netError == QNetworkReply::RemoteHostClosedError) {
            const QString hint =
                m_settings.tls.clientCertFile.isEmpty()
                    ? QStringLiteral(
                          "It probably requires a client certificate (mutual TLS): "
                          "set the certificate and key in the connection's TLS settings.")
                    : QStringLiteral("It probably rejected the client certificate: check that the "
                                     "registry trusts its issuer and that it has not expired.");
            finish(call,
                   makeError(QStringLiteral("registry.tls"),
                             QStringLiteral("%1: the server at %2 closed the connection %3 the TLS "
                                            "handshake — %4. %5")
                                 .arg(rq.service, m_settings.baseUrl.authority(),
                                      call->encrypted ? QStringLiteral("right after")
                                                      : QStringLiteral("during"),
                                      call->what, hint)));
            return;
        }
        const QString attempts =
            call->attempts > 1 ? QStringLiteral(" (%1 attempts)").arg(call->attempts) : QString();
        Error error = makeError(
            QStringLiteral("registry.unreachable"),
            QStringLiteral("%1 at %2 is unreachable (%3) — %4%5. Check the "
                           "URL, the network and whether the registry is "
                           "running.")
                .arg(rq.service, m_settings.baseUrl.authority(), detail, call->what, attempts));
        if (retryIfAllowed(call, detail, error))
            return;
        finish(call, std::move(error));
        return;
    }

    const QByteArray body = reply->readAll();
    // The status line arrived but the connection failed before the reply was complete (a body
    // shorter than its Content-Length, a reset): never hand on a partial reply as a whole one.
    if (isTransportError(netError)) {
        const QString attempts =
            call->attempts > 1 ? QStringLiteral(" (%1 attempts)").arg(call->attempts) : QString();
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        const QString progress =
            length.isValid()
                ? QStringLiteral("%1 of %2 bytes").arg(body.size()).arg(length.toLongLong())
                : QStringLiteral("%1 bytes").arg(body.size());
        Error error = makeError(QStringLiteral("registry.incomplete_reply"),
                                QStringLiteral("%1: the reply to %2 (HTTP %3) was cut off after "
                                               "%4 (%5)%6. The connection broke while the reply "
                                               "was arriving; check the network or proxy and try "
                                               "again.")
                                    .arg(rq.service, call->what)
                                    .arg(status)
                                    .arg(progress, reply->errorString(), attempts));
        if (retryIfAllowed(call, QStringLiteral("reply cut off"), error))
            return;
        finish(call, std::move(error));
        return;
    }
    if ((status >= 200 && status < 300) || rq.passThroughStatuses.contains(status)) {
        Result<Reply> out =
            replyFromBody(status, body, rq.expectJson && status < 300, rq.service, call->what);
        if (out)
            qCDebug(lcNet).noquote()
                << call->what << "->" << status << "in" << call->clock.elapsed() << "ms";
        finish(call, std::move(out));
        return;
    }
    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    bool secondsOk = false;
    const int retryAfterSeconds = reply->rawHeader("Retry-After").trimmed().toInt(&secondsOk);
    const int retryAfterMs =
        secondsOk && retryAfterSeconds > 0 ? std::min(retryAfterSeconds, 3600) * 1000 : 0;
    Error error = errorFromReply(status, body, reason, rq.service, call->what);
    if (isRetryableStatus(status) &&
        retryIfAllowed(call, QStringLiteral("HTTP %1").arg(status), error, retryAfterMs))
        return;
    if (rq.answerEveryStatus) {
        Reply out;
        out.httpStatus = status;
        out.body = body;
        out.json = QJsonDocument::fromJson(body); // null when the body is not JSON
        qCDebug(lcNet).noquote() << call->what << "->" << status << "in" << call->clock.elapsed()
                                 << "ms";
        finish(call, std::move(out));
        return;
    }
    finish(call, std::move(error));
}

bool RestTransport::retryIfAllowed(const std::shared_ptr<Call> &call, const QString &reason,
                                   const Error &failure, int minDelayMs)
{
    if (!call->request.isIdempotent() || call->attempts > m_settings.maxRetries)
        return false;
    const int retry = call->attempts;
    // A server's Retry-After is honoured, but never beyond the configured maximum.
    const int delay =
        std::max(backoffDelayMs(retry, m_settings.retryBaseMs, m_settings.retryMaxMs, m_random()),
                 std::min(minDelayMs, m_settings.retryMaxMs));
    // A retry that could not even start before the deadline only turns a clear error into a
    // time-out: report what went wrong instead.
    if (call->clock.elapsed() + delay >= m_settings.timeoutMs) {
        qCInfo(lcNet).noquote() << call->what << "failed (" << reason
                                << "), no time left before the deadline to retry";
        return false;
    }
    qCInfo(lcNet).noquote() << call->what << "failed (" << reason << "), retry" << retry << "in"
                            << delay << "ms";
    call->lastFailure = failure;
    Q_EMIT retryScheduled(call->what, retry, delay, reason);
    QTimer::singleShot(delay, this, [this, call] {
        if (!call->done && m_calls.contains(call->id))
            attempt(call);
    });
    return true;
}

void RestTransport::finish(const std::shared_ptr<Call> &call, Result<Reply> result)
{
    m_calls.remove(call->id);
    if (QTimer *deadline = std::exchange(call->deadline, nullptr)) {
        deadline->stop();
        deadline->deleteLater(); // it may be the sender of the signal being handled
    }
    if (!result)
        qCDebug(lcNet).noquote() << call->what << "failed:" << result.error().code << "after"
                                 << call->attempts << "attempt(s)," << call->clock.elapsed()
                                 << "ms";
    call->complete(std::move(result));
}

Result<Reply> replyFromBody(int status, const QByteArray &body, bool expectJson,
                            const QString &service, const QString &what)
{
    Reply out;
    out.httpStatus = status;
    out.body = body;
    if (!expectJson || body.trimmed().isEmpty())
        return out;
    QJsonParseError parseError;
    out.json = QJsonDocument::fromJson(body, &parseError);
    // A bare number or string (DELETE /subjects/{s}/versions/{v} answers "1") is valid JSON
    // that QJsonDocument cannot hold: it stays in `body`, and `json` stays null.
    if (parseError.error != QJsonParseError::NoError && isJsonScalar(body))
        parseError.error = QJsonParseError::NoError;
    if (parseError.error != QJsonParseError::NoError)
        return makeError(
            QStringLiteral("registry.malformed_reply"),
            QStringLiteral("%1 answered %2 with a reply that is not valid JSON (%3 at "
                           "offset %4). Check that the URL points at a Schema "
                           "Registry.")
                .arg(service, what, parseError.errorString(), QString::number(parseError.offset)));
    return out;
}

Error errorFromReply(int status, const QByteArray &body, const QString &reason,
                     const QString &service, const QString &what)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    const QJsonObject o = doc.object();
    if (parseError.error == QJsonParseError::NoError &&
        o.value(QStringLiteral("error_code")).isDouble()) {
        const int code = o.value(QStringLiteral("error_code")).toInt();
        QString message = trimmedServerMessage(o.value(QStringLiteral("message")).toString());
        if (message.isEmpty())
            message = QStringLiteral("HTTP %1").arg(status);
        return makeError(QStringLiteral("registry.%1").arg(code),
                         withHint(QStringLiteral("%1: %2 (%3) — %4")
                                      .arg(service, message, QString::number(code), what),
                                  code));
    }
    const QString phrase =
        reason.isEmpty() ? QString() : QLatin1Char(' ') + trimmedServerMessage(reason);
    return makeError(
        QStringLiteral("registry.http_%1").arg(status),
        withHint(QStringLiteral("%1: HTTP %2%3 — %4").arg(service).arg(status).arg(phrase, what),
                 status));
}

QString registryErrorHint(int code)
{
    switch (code) {
    case 401:
    case 40101:
        return QStringLiteral("Check the API key and secret (or token) of this connection");
    case 403:
    case 40301:
        return QStringLiteral("The credentials of this connection are not allowed to do this");
    case 405:
        return QStringLiteral("The registry does not support this operation; it may be too old");
    case 429:
        return QStringLiteral("The registry is rate limiting; try again later");
    case 40370:
        return QStringLiteral(
            "The registry was denied access to the KMS key; grant it access or use a "
            "non-shared KEK");
    case 40404:
    case 40406:
        return QStringLiteral("It is soft-deleted; include deleted items to see it");
    case 40405:
    case 40407:
    case 40471:
        return QStringLiteral("Soft-delete it first, then delete it permanently");
    case 40472:
        return QStringLiteral("Undelete its KEK first");
    case 40971:
        return QStringLiteral("Use a different name or version, or undelete the existing one");
    case 40972:
        return QStringLiteral("Delete unused keys, or raise dek.registry.max.keys on the registry");
    case 42206:
        return QStringLiteral("Other schemas reference it; delete those first");
    case 42272:
        return QStringLiteral("Delete its DEKs first (soft delete, then permanent delete)");
    case 50070:
        return QStringLiteral(
            "The registry's call to the KMS failed; check the KMS key and the registry's "
            "access to it");
    default:
        break;
    }
    if (code >= 500 && code < 600)
        return QStringLiteral("The registry had an internal problem; try again later");
    if (code >= 50000 && code < 60000)
        return registryErrorHint(code / 100);
    return {};
}

} // namespace kw::registry
