#pragma once
// The HTTP side of the registry clients: one QNetworkAccessManager that sends value-type
// requests and answers with futures of {status, body, json} or a registry error. Handles auth
// headers, TLS trust, retries with jittered backoff, one deadline per request (covering every
// attempt and the whole reply), complete replies only, and response size limits.

#include "core/domain/result.h"
#include "core/net/connectionsettings.h"

#include <QByteArray>
#include <QFuture>
#include <QHash>
#include <QJsonDocument>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSslConfiguration>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace kw::registry {

struct RestRequest
{
    QByteArray method = "GET";
    QStringList path;                     // unencoded segments; the transport encodes them
    QList<QPair<QString, QString>> query; // unencoded; repeat a name to send it twice
    QJsonDocument body;                   // sent when not null
    QString service = QStringLiteral("Schema Registry"); // names the server in error messages
    bool expectJson = true;                              // false for raw schema text
    QList<int> passThroughStatuses;                      // answered as a Reply instead of an error

    // For services other than the registry (KMS APIs):
    // Sent after every default header, replacing one of the same name (Content-Type, ...).
    // Values are never logged: they carry signatures and bearer tokens.
    QList<QPair<QByteArray, QByteArray>> headers;
    // Sent byte for byte instead of `body`: what a request signature covers.
    std::optional<QByteArray> rawBody;
    // False: no registry headers (Confluent-*, the registry's Accept and Content-Type) and no
    // connection auth; the request's own `headers` say everything.
    bool registryHeaders = true;
    // Every status is answered as a Reply (after the usual retries of 408/429/5xx), so the
    // caller maps the service's own error bodies.
    bool answerEveryStatus = false;
    // Retried like an idempotent request although it is a POST (KMS encrypt and decrypt are).
    bool retrySafe = false;

    static RestRequest make(QByteArray method, QStringList path);
    RestRequest &addQuery(const QString &name, const QString &value);
    RestRequest &addQuery(const QString &name, bool value);
    RestRequest &addQuery(const QString &name, int value);
    RestRequest &setBody(const QJsonDocument &json);
    RestRequest &setService(const QString &name);

    [[nodiscard]] bool isIdempotent() const;
    // The encoded path and query, e.g. "/subjects/a%2Fb/versions?deleted=true".
    [[nodiscard]] QByteArray encodedTarget(const QByteArray &basePath = {}) const;
};

struct Reply
{
    int httpStatus = 0;
    QByteArray body;
    QJsonDocument json; // null for empty bodies and requests that do not expect JSON
};

class RestTransport final : public QObject
{
    Q_OBJECT

public:
    // Lives in the thread that creates it; send() may be called from any thread.
    explicit RestTransport(ConnectionSettings settings, QObject *parent = nullptr);
    // Aborts every request in flight; their futures finish with "registry.cancelled".
    ~RestTransport() override;

    [[nodiscard]] const ConnectionSettings &settings() const { return m_settings; }

    // Thread-safe. The future finishes in the transport's thread (or at once for bad settings).
    QFuture<Result<Reply>> send(RestRequest request);

    // "GET /dek-registry/v1/keks/x": what error messages and logs name.
    [[nodiscard]] QString describe(const RestRequest &request) const;

    // For tests: the jitter source, returning values in [0, 1).
    void setRandomSource(std::function<double()> random);
    // Delay before retry `retry` (1-based): a random point in [cap/2, cap], where
    // cap = min(maxMs, baseMs * 2^(retry-1)).
    static int backoffDelayMs(int retry, int baseMs, int maxMs, double unitRandom);

    [[nodiscard]] int inFlightCount() const;

Q_SIGNALS:
    // Emitted when a failed attempt will be retried (for progress UI and tests).
    void retryScheduled(const QString &what, int retry, int delayMs, const QString &reason);

private:
    struct Call;
    enum class Abort
    {
        None,
        Cancelled,
        TooLarge,
        Deadline,
    };

    void start(const std::shared_ptr<Call> &call);
    void attempt(const std::shared_ptr<Call> &call);
    void onFinished(const std::shared_ptr<Call> &call, QNetworkReply *reply);
    void onDeadline(const std::shared_ptr<Call> &call);
    [[nodiscard]] Error deadlineError(const Call &call) const;
    // Schedules another attempt when the request allows one and there is time before the
    // deadline; `failure` is what is reported if the deadline then cuts the retry short.
    bool retryIfAllowed(const std::shared_ptr<Call> &call, const QString &reason,
                        const Error &failure, int minDelayMs = 0);
    void finish(const std::shared_ptr<Call> &call, Result<Reply> result);
    void prepareTls();

    ConnectionSettings m_settings;
    QByteArray m_basePath;
    QNetworkAccessManager *m_nam = nullptr;
    // Only for https: even a default QSslConfiguration loads Qt's TLS back ends (a tenth of a
    // CLI command's start-up).
    std::optional<QSslConfiguration> m_sslConfig;
    Error m_configError; // set when the settings or TLS files are unusable
    std::function<double()> m_random;
    QHash<quint64, std::shared_ptr<Call>> m_calls;
    quint64 m_nextId = 1;
};

// The user-facing message for a registry error code: what to do next, or empty.
QString registryErrorHint(int errorCode);

// How the transport reads the bytes of an answer; free functions so that tests and the fuzz
// targets reach them without a network. `service` and `what` name the server and the request
// in error messages ("DEK Registry", "GET /dek-registry/v1/keks").
// A 2xx (or passed-through) answer: with `expectJson`, a non-empty body must be JSON (a bare
// scalar stays in `body` with `json` null); "registry.malformed_reply" otherwise.
Result<Reply> replyFromBody(int status, const QByteArray &body, bool expectJson,
                            const QString &service, const QString &what);
// Any other answer: the registry's {"error_code", "message"} body as "registry.<error_code>",
// else "registry.http_<status>" with the reason phrase; both with a hint where one helps.
Error errorFromReply(int status, const QByteArray &body, const QString &reason,
                     const QString &service, const QString &what);

} // namespace kw::registry
