// RestTransport against a scripted HTTP server: what goes on the wire (encoding, headers),
// how replies map to results and errors, retries, time-outs, size limits and cancellation.

#include "core/net/resttransport.h"
#include "fakehttpserver.h"
#include "registrytestutil.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QtConcurrent>

#include <memory>

using namespace kw;
using namespace kw::registry;
using kw::test::FakeHttpServer;
using kw::test::FakeResponse;
using kw::test::wait;

namespace {

ConnectionSettings settingsFor(const FakeHttpServer &server, const QString &path = {})
{
    ConnectionSettings s;
    s.baseUrl = server.url(QStringLiteral("http"), path);
    s.retryBaseMs = 1;
    s.retryMaxMs = 4;
    return s;
}

RestRequest get(QStringList path)
{
    return RestRequest::make("GET", std::move(path));
}

// Captures every message while the registry category logs at debug level.
QMutex g_logMutex;
QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;
QLoggingCategory::CategoryFilter g_previousFilter = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_log << message;
    }
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

void enableRegistryDebug(QLoggingCategory *category)
{
    if (g_previousFilter)
        g_previousFilter(category);
    if (qstrcmp(category->categoryName(), "keywarden.net") == 0)
        category->setEnabled(QtDebugMsg, true);
}

} // namespace

class TestRestTransport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void percentEncodesPathsAndQueries_data();
    void percentEncodesPathsAndQueries();
    void rejectsDotAndEmptySegments_data();
    void rejectsDotAndEmptySegments();
    void sendsStandardHeaders();
    void sendsBasicAuth();
    void sendsBearerAuth();
    void sendsJsonBody();
    void sendsAnotherServicesRequestAsGiven();
    void answersEveryStatusAfterTheRetries();
    void mapsErrorBodies_data();
    void mapsErrorBodies();
    void rejectsMalformedSuccessJson();
    void passesThroughRawBodiesAndEmptyReplies();
    void retriesIdempotentRequests_data();
    void retriesIdempotentRequests();
    void neverRetriesPost();
    void stopsRetryingAfterMaxRetries();
    void retriesNetworkErrors();
    void backoffIsJitteredAndCapped();
    void backoffUsesInjectedRandom();
    void honoursRetryAfterUpToTheMaximum();
    void oneDeadlineCoversEveryAttempt();
    void retriesStopAtTheDeadline();
    void aRetryCutShortReportsTheAnswerBefore();
    void deadlineCoversASlowReply();
    void rejectsACutOffReply();
    void capsResponseSize_data();
    void capsResponseSize();
    void destructionCancelsInFlight();
    void destructionCancelsPendingRetry();
    void futuresWorkFromWorkerThreads();
    void invalidSettingsFailEveryRequest_data();
    void invalidSettingsFailEveryRequest();
    void securitySummary();
    void logsNoSecrets();
};

void TestRestTransport::percentEncodesPathsAndQueries_data()
{
    QTest::addColumn<QString>("basePath");
    QTest::addColumn<QStringList>("path");
    QTest::addColumn<QString>("queryValue");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain") << QString()
                           << QStringList{QStringLiteral("subjects"),
                                          QStringLiteral("orders-value")}
                           << QString() << QByteArray("/subjects/orders-value");
    QTest::newRow("space slash percent colon")
        << QString()
        << QStringList{QStringLiteral("subjects"), QStringLiteral("a b/c%d:e"),
                       QStringLiteral("versions")}
        << QString() << QByteArray("/subjects/a%20b%2Fc%25d%3Ae/versions");
    QTest::newRow("unicode") << QString()
                             << QStringList{QStringLiteral("subjects"),
                                            QString::fromUtf8("caf\xc3\xa9-\xe2\x82\xac")}
                             << QString() << QByteArray("/subjects/caf%C3%A9-%E2%82%AC");
    QTest::newRow("question mark and hash")
        << QString() << QStringList{QStringLiteral("subjects"), QStringLiteral("a?b#c")}
        << QString() << QByteArray("/subjects/a%3Fb%23c");
    QTest::newRow("dots inside a name")
        << QString() << QStringList{QStringLiteral("subjects"), QStringLiteral("...a.b")}
        << QString() << QByteArray("/subjects/...a.b");
    QTest::newRow("base path and query")
        << QStringLiteral("/sr/") << QStringList{QStringLiteral("subjects")}
        << QStringLiteral("x&y=z +/")
        << QByteArray("/sr/subjects?subjectPrefix=x%26y%3Dz%20%2B%2F");
}

void TestRestTransport::percentEncodesPathsAndQueries()
{
    QFETCH(QString, basePath);
    QFETCH(QStringList, path);
    QFETCH(QString, queryValue);
    QFETCH(QByteArray, expected);

    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::json(200, "[]"));
    RestTransport transport(settingsFor(server, basePath));
    RestRequest r = get(path);
    if (!queryValue.isEmpty())
        r.addQuery(QStringLiteral("subjectPrefix"), queryValue);
    QCOMPARE(r.encodedTarget(basePath.toUtf8()), expected);
    auto reply = wait(transport.send(r));
    KW_VERIFY_OK(reply);
    QCOMPARE(server.requests.size(), 1);
    QCOMPARE(server.requests.first().target, expected);
}

void TestRestTransport::rejectsDotAndEmptySegments_data()
{
    QTest::addColumn<QString>("segment");
    QTest::newRow("dot dot") << QStringLiteral("..");
    QTest::newRow("dot") << QStringLiteral(".");
    QTest::newRow("empty") << QString();
}

void TestRestTransport::rejectsDotAndEmptySegments()
{
    // Sent as is, DELETE /dek-registry/v1/keks/k/deks/.. would become DELETE .../keks/k.
    QFETCH(QString, segment);
    FakeHttpServer server;
    QVERIFY(server.listen());
    RestTransport transport(settingsFor(server));
    auto reply = wait(transport.send(RestRequest::make(
        "DELETE", {QStringLiteral("dek-registry"), QStringLiteral("v1"), QStringLiteral("keks"),
                   QStringLiteral("k"), QStringLiteral("deks"), segment})));
    KW_VERIFY_ERROR(reply, "registry.invalid_path");
    QCOMPARE(server.requests.size(), 0);
}

void TestRestTransport::sendsStandardHeaders()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::json(200, "{}"));
    ConnectionSettings s = settingsFor(server);
    s.extraHeaders.append(qMakePair(QByteArray("X-Team"), QByteArray("payments")));
    RestTransport transport(s);
    KW_VERIFY_OK(wait(transport.send(get({QStringLiteral("config")}))));
    const auto &rq = server.requests.first();
    QCOMPARE(rq.method, QByteArray("GET"));
    QCOMPARE(rq.header("Content-Type"), QByteArray("application/vnd.schemaregistry.v1+json"));
    QCOMPARE(rq.header("Accept"),
             QByteArray("application/vnd.schemaregistry.v1+json, "
                        "application/vnd.schemaregistry+json, application/json"));
    QCOMPARE(rq.header("Confluent-Accept-Unknown-Properties"), QByteArray("true"));
    QVERIFY(rq.header("Confluent-Client-Version").startsWith("keywarden/"));
    QVERIFY(rq.header("User-Agent").startsWith("keywarden/"));
    QCOMPARE(rq.header("X-Team"), QByteArray("payments"));
    QVERIFY(!rq.hasHeader("Authorization"));
    QVERIFY(!rq.hasHeader("target-sr-cluster"));
}

void TestRestTransport::sendsBasicAuth()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::json(200, "{}"));
    ConnectionSettings s = settingsFor(server);
    s.auth = AuthSettings::basic(QStringLiteral("APIKEY"), QStringLiteral("s3cret:with colon"));
    RestTransport transport(s);
    KW_VERIFY_OK(wait(transport.send(get({QStringLiteral("config")}))));
    QCOMPARE(server.requests.first().header("Authorization"),
             QByteArray("Basic " + QByteArray("APIKEY:s3cret:with colon").toBase64()));
}

void TestRestTransport::sendsBearerAuth()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::json(200, "{}"));
    ConnectionSettings s = settingsFor(server);
    s.auth = AuthSettings::bearer(QStringLiteral("tok.en"), QStringLiteral("lsrc-123"),
                                  {QStringLiteral("pool-1"), QStringLiteral("pool-2")});
    RestTransport transport(s);
    KW_VERIFY_OK(wait(transport.send(get({QStringLiteral("config")}))));
    const auto &rq = server.requests.first();
    QCOMPARE(rq.header("Authorization"), QByteArray("Bearer tok.en"));
    QCOMPARE(rq.header("target-sr-cluster"), QByteArray("lsrc-123"));
    QCOMPARE(rq.header("Confluent-Identity-Pool-Id"), QByteArray("pool-1,pool-2"));
}

void TestRestTransport::sendsJsonBody()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::json(200, "{\"id\":7}"));
    RestTransport transport(settingsFor(server));
    RestRequest r = RestRequest::make(
        "POST", {QStringLiteral("subjects"), QStringLiteral("s"), QStringLiteral("versions")});
    r.setBody(QJsonDocument(QJsonObject{{QStringLiteral("schema"), QStringLiteral("\"string\"")}}));
    auto reply = wait(transport.send(r));
    KW_VERIFY_OK(reply);
    QCOMPARE(reply->httpStatus, 200);
    QCOMPARE(reply->json.object().value(QStringLiteral("id")).toInt(), 7);
    QCOMPARE(server.requests.first().method, QByteArray("POST"));
    QCOMPARE(server.requests.first().body, QByteArray(R"({"schema":"\"string\""})"));
}

void TestRestTransport::sendsAnotherServicesRequestAsGiven()
{
    // A KMS call: its own headers (one replacing the default Content-Type), the body bytes a
    // signature covers, no registry headers and none of the connection's credentials.
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::json(200, "{}"));
    ConnectionSettings s = settingsFor(server);
    s.auth = AuthSettings::basic(QStringLiteral("APIKEY"), QStringLiteral("registry-secret"));
    RestTransport transport(s);
    RestRequest r = RestRequest::make("POST", {});
    r.registryHeaders = false;
    r.rawBody = QByteArray("{\"KeyId\": \"k\",  \"Plaintext\":\"AA==\"}");
    r.headers.append(
        qMakePair(QByteArray("Content-Type"), QByteArray("application/x-amz-json-1.1")));
    r.headers.append(qMakePair(QByteArray("X-Amz-Target"), QByteArray("TrentService.Encrypt")));
    KW_VERIFY_OK(wait(transport.send(r)));
    const auto &rq = server.requests.first();
    QCOMPARE(rq.body, *r.rawBody); // byte for byte, not re-serialised JSON
    QCOMPARE(rq.header("Content-Type"), QByteArray("application/x-amz-json-1.1"));
    QCOMPARE(rq.header("X-Amz-Target"), QByteArray("TrentService.Encrypt"));
    QVERIFY(rq.header("User-Agent").startsWith("keywarden/"));
    QVERIFY(!rq.hasHeader("Authorization"));
    QVERIFY(!rq.hasHeader("Confluent-Accept-Unknown-Properties"));
    QVERIFY(!rq.hasHeader("Confluent-Client-Version"));
}

void TestRestTransport::answersEveryStatusAfterTheRetries()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::text(503, "busy"));
    server.enqueue(FakeResponse::json(400, R"({"__type":"ThrottlingException","message":"slow"})"));
    RestTransport transport(settingsFor(server));
    RestRequest r = RestRequest::make("POST", {});
    r.registryHeaders = false;
    r.answerEveryStatus = true;
    r.retrySafe = true; // a POST retried like a GET: the 503 is tried again
    auto reply = wait(transport.send(r));
    KW_VERIFY_OK(reply);
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(reply->httpStatus, 400); // the service's own error, for the caller to map
    QCOMPARE(reply->json.object().value(QStringLiteral("__type")).toString(),
             QStringLiteral("ThrottlingException"));
}

void TestRestTransport::mapsErrorBodies_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("messageStart");

    QTest::newRow("40470")
        << QByteArray("GET") << 404
        << QByteArray(R"({"error_code":40470,"message":"Key 'x' not found"})")
        << QStringLiteral("registry.40470")
        << QStringLiteral("DEK Registry: Key 'x' not found (40470) — GET /dek-registry/v1/keks/x");
    QTest::newRow("42272 with hint")
        << QByteArray("DELETE") << 422
        << QByteArray(
               R"({"error_code":42272,"message":"One or more references exist to the key 'x'."})")
        << QStringLiteral("registry.42272")
        << QStringLiteral("DEK Registry: One or more references exist to the key 'x' "
                          "(42272) — DELETE /dek-registry/v1/keks/x. Delete its DEKs first");
    QTest::newRow("html 404") << QByteArray("GET") << 404 << QByteArray("<html>nope</html>")
                              << QStringLiteral("registry.http_404")
                              << QStringLiteral(
                                     "DEK Registry: HTTP 404 Status — GET /dek-registry/v1/keks/x");
    QTest::newRow("html 502 on POST")
        << QByteArray("POST") << 502 << QByteArray("<html>bad gateway</html>")
        << QStringLiteral("registry.http_502")
        << QStringLiteral("DEK Registry: HTTP 502 Status — POST /dek-registry/v1/keks/x");
    QTest::newRow("json without error_code")
        << QByteArray("GET") << 401 << QByteArray(R"({"msg":"no"})")
        << QStringLiteral("registry.http_401") << QStringLiteral("DEK Registry: HTTP 401");
}

void TestRestTransport::mapsErrorBodies()
{
    QFETCH(QByteArray, method);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    QFETCH(QString, messageStart);

    FakeHttpServer server;
    QVERIFY(server.listen());
    server.setHandler([&](const kw::test::FakeRequest &) {
        return body.startsWith('{') ? FakeResponse::json(status, body)
                                    : FakeResponse::text(status, body);
    });
    RestTransport transport(settingsFor(server));
    RestRequest r = RestRequest::make(method, {QStringLiteral("dek-registry"), QStringLiteral("v1"),
                                               QStringLiteral("keks"), QStringLiteral("x")});
    r.setService(QStringLiteral("DEK Registry"));
    auto reply = wait(transport.send(r));
    QVERIFY(!reply);
    QCOMPARE(reply.error().code, code);
    QVERIFY2(reply.error().message.startsWith(messageStart), qPrintable(reply.error().message));
    QCOMPARE(server.requests.size(), 1); // none of these is retried
}

void TestRestTransport::rejectsMalformedSuccessJson()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::json(200, "{\"name\": \"k1\", "));
    RestTransport transport(settingsFor(server));
    auto reply = wait(transport.send(get({QStringLiteral("subjects")})));
    KW_VERIFY_ERROR(reply, "registry.malformed_reply");
    QVERIFY(reply.error().message.contains(QStringLiteral("GET /subjects")));
}

void TestRestTransport::passesThroughRawBodiesAndEmptyReplies()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::text(200, "syntax = \"proto3\";"));
    server.enqueue(FakeResponse::json(204, ""));
    server.enqueue(FakeResponse::error(405, 405, "HTTP 405 Method Not Allowed"));
    RestTransport transport(settingsFor(server));

    RestRequest raw = get({QStringLiteral("schemas"), QStringLiteral("ids"), QStringLiteral("1"),
                           QStringLiteral("schema")});
    raw.expectJson = false;
    auto text = wait(transport.send(raw));
    KW_VERIFY_OK(text);
    QCOMPARE(text->body, QByteArray("syntax = \"proto3\";"));
    QVERIFY(text->json.isNull());

    auto empty = wait(transport.send(RestRequest::make("DELETE", {QStringLiteral("x")})));
    KW_VERIFY_OK(empty);
    QCOMPARE(empty->httpStatus, 204);

    RestRequest passThrough = RestRequest::make("POST", {QStringLiteral("x")});
    passThrough.passThroughStatuses = {405};
    auto notAllowed = wait(transport.send(passThrough));
    KW_VERIFY_OK(notAllowed);
    QCOMPARE(notAllowed->httpStatus, 405);
}

void TestRestTransport::retriesIdempotentRequests_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<int>("status");
    QTest::newRow("GET 503") << QByteArray("GET") << 503;
    QTest::newRow("GET 408") << QByteArray("GET") << 408;
    QTest::newRow("GET 429") << QByteArray("GET") << 429;
    QTest::newRow("GET 500") << QByteArray("GET") << 500;
    QTest::newRow("GET 502") << QByteArray("GET") << 502;
    QTest::newRow("GET 504") << QByteArray("GET") << 504;
    QTest::newRow("PUT 503") << QByteArray("PUT") << 503;
    QTest::newRow("DELETE 503") << QByteArray("DELETE") << 503;
}

void TestRestTransport::retriesIdempotentRequests()
{
    QFETCH(QByteArray, method);
    QFETCH(int, status);
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::error(status, status * 100 + 1, "busy"));
    server.enqueue(FakeResponse::text(status, "busy"));
    server.enqueue(FakeResponse::json(200, "[1]"));
    RestTransport transport(settingsFor(server));
    QSignalSpy retries(&transport, &RestTransport::retryScheduled);
    auto reply = wait(transport.send(RestRequest::make(method, {QStringLiteral("subjects")})));
    KW_VERIFY_OK(reply);
    QCOMPARE(reply->httpStatus, 200);
    QCOMPARE(server.requests.size(), 3);
    QCOMPARE(retries.size(), 2);
    QCOMPARE(retries.at(0).at(1).toInt(), 1);
    QCOMPARE(retries.at(1).at(1).toInt(), 2);
    QCOMPARE(transport.inFlightCount(), 0);
}

void TestRestTransport::neverRetriesPost()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.setHandler(
        [](const kw::test::FakeRequest &) { return FakeResponse::text(503, "busy"); });
    RestTransport transport(settingsFor(server));
    QSignalSpy retries(&transport, &RestTransport::retryScheduled);
    auto reply = wait(transport.send(
        RestRequest::make("POST", {QStringLiteral("subjects"), QStringLiteral("s")})));
    KW_VERIFY_ERROR(reply, "registry.http_503");
    QCOMPARE(server.requests.size(), 1);
    QCOMPARE(retries.size(), 0);
}

void TestRestTransport::stopsRetryingAfterMaxRetries()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.setHandler([](const kw::test::FakeRequest &) {
        return FakeResponse::error(503, 50301, "unavailable");
    });
    ConnectionSettings s = settingsFor(server);
    s.maxRetries = 2;
    RestTransport transport(s);
    auto reply = wait(transport.send(get({QStringLiteral("subjects")})));
    KW_VERIFY_ERROR(reply, "registry.50301");
    QCOMPARE(server.requests.size(), 3);

    // 4xx other than 408/429 is final at once.
    server.requests.clear();
    server.setHandler([](const kw::test::FakeRequest &) {
        return FakeResponse::error(404, 40401, "Subject not found");
    });
    reply = wait(transport.send(get({QStringLiteral("subjects"), QStringLiteral("x")})));
    KW_VERIFY_ERROR(reply, "registry.40401");
    QCOMPARE(server.requests.size(), 1);
}

void TestRestTransport::retriesNetworkErrors()
{
    quint16 closedPort = 0;
    {
        FakeHttpServer probe;
        QVERIFY(probe.listen());
        closedPort = probe.port();
    }
    ConnectionSettings s;
    s.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closedPort));
    s.maxRetries = 2;
    s.retryBaseMs = 1;
    s.retryMaxMs = 2;
    RestTransport transport(s);
    QSignalSpy retries(&transport, &RestTransport::retryScheduled);
    auto reply = wait(transport.send(get({QStringLiteral("subjects")})));
    KW_VERIFY_ERROR(reply, "registry.unreachable");
    QCOMPARE(retries.size(), 2);
    QVERIFY(reply.error().message.contains(QStringLiteral("3 attempts")));

    retries.clear();
    reply = wait(transport.send(
        RestRequest::make("POST", {QStringLiteral("subjects"), QStringLiteral("s")})));
    KW_VERIFY_ERROR(reply, "registry.unreachable");
    QCOMPARE(retries.size(), 0);
}

void TestRestTransport::backoffIsJitteredAndCapped()
{
    // cap doubles from the base and stops at the maximum; the delay lies in [cap/2, cap].
    QCOMPARE(RestTransport::backoffDelayMs(1, 200, 5000, 0.0), 100);
    QCOMPARE(RestTransport::backoffDelayMs(1, 200, 5000, 1.0), 200);
    QCOMPARE(RestTransport::backoffDelayMs(2, 200, 5000, 1.0), 400);
    QCOMPARE(RestTransport::backoffDelayMs(3, 200, 5000, 0.5), 600);
    QCOMPARE(RestTransport::backoffDelayMs(6, 200, 5000, 1.0), 5000);
    QCOMPARE(RestTransport::backoffDelayMs(60, 200, 5000, 1.0), 5000);
    QCOMPARE(RestTransport::backoffDelayMs(60, 200, 5000, 0.0), 2500);
    QCOMPARE(RestTransport::backoffDelayMs(1000000, 200, 5000, 0.99), 4975);
    for (int retry = 1; retry < 40; ++retry) {
        for (double r : {0.0, 0.13, 0.5, 0.77, 0.999}) {
            const int d = RestTransport::backoffDelayMs(retry, 200, 5000, r);
            QVERIFY(d >= 100 && d <= 5000);
        }
    }
    // Different random draws give different delays: the backoff is jittered.
    QVERIFY(RestTransport::backoffDelayMs(3, 200, 5000, 0.1) !=
            RestTransport::backoffDelayMs(3, 200, 5000, 0.9));
}

void TestRestTransport::backoffUsesInjectedRandom()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.setHandler(
        [](const kw::test::FakeRequest &) { return FakeResponse::text(503, "busy"); });
    ConnectionSettings s = settingsFor(server);
    s.maxRetries = 4;
    s.retryBaseMs = 8;
    s.retryMaxMs = 20;
    RestTransport transport(s);
    QList<double> draws{0.0, 1.0, 0.5, 1.0};
    int drawn = 0;
    transport.setRandomSource([&] { return draws.value(drawn++); });
    QSignalSpy retries(&transport, &RestTransport::retryScheduled);
    auto reply = wait(transport.send(get({QStringLiteral("subjects")})));
    KW_VERIFY_ERROR(reply, "registry.http_503");
    QCOMPARE(drawn, 4);
    QCOMPARE(server.requests.size(), 5);
    QList<int> delays;
    for (const auto &args : std::as_const(retries))
        delays << args.at(2).toInt();
    // caps 8, 16, 20 (capped), 20 → delays cap/2 + r * cap/2
    QCOMPARE(delays, (QList<int>{4, 16, 15, 20}));
}

void TestRestTransport::honoursRetryAfterUpToTheMaximum()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    FakeResponse busy = FakeResponse::error(429, 42901, "Too many requests");
    busy.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("120")));
    server.enqueue(busy);
    server.enqueue(FakeResponse::json(200, "[]"));
    ConnectionSettings s = settingsFor(server);
    s.retryBaseMs = 2;
    s.retryMaxMs = 30; // Retry-After asks for 120 s; the cap wins
    RestTransport transport(s);
    transport.setRandomSource([] { return 0.0; });
    QSignalSpy retries(&transport, &RestTransport::retryScheduled);
    KW_VERIFY_OK(wait(transport.send(get({QStringLiteral("subjects")}))));
    QCOMPARE(retries.size(), 1);
    QCOMPARE(retries.first().at(2).toInt(), 30);
}

void TestRestTransport::oneDeadlineCoversEveryAttempt()
{
    // A server that never answers: the request ends at its deadline, and no retry stretches
    // the wait beyond what the message names.
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.setHandler([](const kw::test::FakeRequest &) { return FakeResponse::hanging(); });
    ConnectionSettings s = settingsFor(server);
    s.timeoutMs = 1000;
    s.maxRetries = 3;
    RestTransport transport(s);
    QSignalSpy retries(&transport, &RestTransport::retryScheduled);
    auto reply = wait(transport.send(get({QStringLiteral("subjects")})));
    KW_VERIFY_ERROR(reply, "registry.timeout");
    QVERIFY2(
        reply.error().message.startsWith(QStringLiteral(
            "Schema Registry did not answer within the 1 s request deadline — GET /subjects.")),
        qPrintable(reply.error().message));
    QCOMPARE(server.requests.size(), 1);
    QCOMPARE(retries.size(), 0);
    QCOMPARE(transport.inFlightCount(), 0);

    server.requests.clear();
    s.timeoutMs = 1500;
    RestTransport other(s);
    reply = wait(
        other.send(RestRequest::make("POST", {QStringLiteral("subjects"), QStringLiteral("s")})));
    KW_VERIFY_ERROR(reply, "registry.timeout");
    QVERIFY2(reply.error().message.contains(QStringLiteral("within the 1500 ms request deadline")),
             qPrintable(reply.error().message));
    QCOMPARE(server.requests.size(), 1);
}

void TestRestTransport::retriesStopAtTheDeadline()
{
    // Every back-off is 200 ms (random source 0 with a 400 ms cap), so a 3 s deadline leaves
    // room for at most 14 retries of the 50 allowed; the last answer is then reported as it is,
    // not as a time-out.
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.setHandler(
        [](const kw::test::FakeRequest &) { return FakeResponse::text(503, "busy"); });
    ConnectionSettings s = settingsFor(server);
    s.timeoutMs = 3000;
    s.maxRetries = 50;
    s.retryBaseMs = 400;
    s.retryMaxMs = 400;
    RestTransport transport(s);
    transport.setRandomSource([] { return 0.0; });
    auto reply = wait(transport.send(get({QStringLiteral("subjects")})));
    KW_VERIFY_ERROR(reply, "registry.http_503");
    QVERIFY2(server.requests.size() >= 2 && server.requests.size() <= 15,
             qPrintable(QString::number(server.requests.size())));
    QVERIFY(reply.error().message.contains(QStringLiteral("HTTP 503")));
    QCOMPARE(transport.inFlightCount(), 0);
}

void TestRestTransport::aRetryCutShortReportsTheAnswerBefore()
{
    // The registry answers 503, then the retry hangs until the deadline: the error is the 503
    // (what the registry said), and it says the retry ran out of time.
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::text(503, "busy"));
    server.enqueue(FakeResponse::hanging());
    ConnectionSettings s = settingsFor(server);
    s.timeoutMs = 1000;
    s.maxRetries = 3;
    s.retryBaseMs = 50;
    s.retryMaxMs = 50;
    RestTransport transport(s);
    transport.setRandomSource([] { return 0.0; });
    auto reply = wait(transport.send(get({QStringLiteral("subjects")})));
    KW_VERIFY_ERROR(reply, "registry.http_503");
    const QString message = reply.error().message;
    QVERIFY2(message.contains(QStringLiteral("HTTP 503")), qPrintable(message));
    QVERIFY2(message.endsWith(QStringLiteral("Its retry (attempt 2) had no answer when the 1 s "
                                             "request deadline expired.")),
             qPrintable(message));
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(transport.inFlightCount(), 0);
}

void TestRestTransport::deadlineCoversASlowReply()
{
    // A server that trickles its reply (a byte every 100 ms, 4.4 s in all) never goes idle;
    // the deadline still ends the request, and the message says how far the reply got.
    FakeHttpServer server;
    QVERIFY(server.listen());
    const QByteArray body = "[\"" + QByteArray(40, 'a') + "\"]";
    server.enqueue(FakeResponse::trickling(body, 100));
    ConnectionSettings s = settingsFor(server);
    s.timeoutMs = 1000;
    RestTransport transport(s);
    auto reply = wait(transport.send(get({QStringLiteral("subjects")})));
    KW_VERIFY_ERROR(reply, "registry.timeout");
    const QString message = reply.error().message;
    QVERIFY2(message.startsWith(QStringLiteral("Schema Registry: the reply to GET /subjects was "
                                               "still arriving when the 1 s request deadline "
                                               "expired (")),
             qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral(" of 44 bytes received)")), qPrintable(message));
    QCOMPARE(server.requests.size(), 1);
}

void TestRestTransport::rejectsACutOffReply()
{
    // The body is valid JSON, but shorter than its Content-Length: the connection broke, and
    // what arrived is not the registry's whole answer.
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.setHandler([](const kw::test::FakeRequest &) {
        return FakeResponse::cutOff(R"(["kek-a","kek-b"])", 40);
    });
    ConnectionSettings s = settingsFor(server);
    s.maxRetries = 1;
    RestTransport transport(s);
    RestRequest keks =
        get({QStringLiteral("dek-registry"), QStringLiteral("v1"), QStringLiteral("keks")});
    keks.setService(QStringLiteral("DEK Registry"));
    auto reply = wait(transport.send(keks));
    KW_VERIFY_ERROR(reply, "registry.incomplete_reply");
    QVERIFY2(reply.error().message.startsWith(QStringLiteral(
                 "DEK Registry: the reply to GET /dek-registry/v1/keks (HTTP 200) was cut off "
                 "after 17 of 40 bytes")),
             qPrintable(reply.error().message));
    QVERIFY(reply.error().message.contains(QStringLiteral("(2 attempts)")));
    QCOMPARE(server.requests.size(), 2); // a GET is retried like any network failure

    // Not retried for a POST.
    server.requests.clear();
    reply = wait(transport.send(RestRequest::make("POST", {QStringLiteral("x")})));
    KW_VERIFY_ERROR(reply, "registry.incomplete_reply");
    QCOMPARE(server.requests.size(), 1);
}

void TestRestTransport::capsResponseSize_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<bool>("withLength");
    QTest::addColumn<bool>("fits");
    QTest::newRow("content-length over") << 5000 << true << false;
    QTest::newRow("close-delimited over") << 300000 << false << false;
    QTest::newRow("exactly the limit") << 1000 << true << true;
    QTest::newRow("close-delimited under") << 900 << false << true;
}

void TestRestTransport::capsResponseSize()
{
    QFETCH(int, size);
    QFETCH(bool, withLength);
    QFETCH(bool, fits);
    FakeHttpServer server;
    QVERIFY(server.listen());
    QByteArray body = "[\"" + QByteArray(size - 4, 'a') + "\"]";
    FakeResponse response = FakeResponse::json(200, body);
    response.omitContentLength = !withLength;
    server.enqueue(response);
    ConnectionSettings s = settingsFor(server);
    s.maxResponseBytes = 1000;
    RestTransport transport(s);
    auto reply = wait(transport.send(get({QStringLiteral("subjects")})));
    if (fits) {
        KW_VERIFY_OK(reply);
        QCOMPARE(reply->body.size(), size);
    } else {
        KW_VERIFY_ERROR(reply, "registry.response_too_large");
        QVERIFY(reply.error().message.contains(QStringLiteral("1000 bytes")));
    }
    QCOMPARE(server.requests.size(), 1);
}

void TestRestTransport::destructionCancelsInFlight()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.setHandler([](const kw::test::FakeRequest &) { return FakeResponse::hanging(); });
    auto transport = std::make_unique<RestTransport>(settingsFor(server));
    auto first = transport->send(get({QStringLiteral("a")}));
    auto second = transport->send(RestRequest::make("POST", {QStringLiteral("b")}));
    QTRY_COMPARE(server.requests.size(), 2);
    QVERIFY(!first.isFinished());
    QCOMPARE(transport->inFlightCount(), 2);
    transport.reset();
    QVERIFY(first.isFinished());
    QVERIFY(second.isFinished());
    QVERIFY(!first.isCanceled());
    KW_VERIFY_ERROR(first.result(), "registry.cancelled");
    KW_VERIFY_ERROR(second.result(), "registry.cancelled");
    QVERIFY(first.result().error().message.contains(QStringLiteral("GET /a")));
}

void TestRestTransport::destructionCancelsPendingRetry()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.setHandler(
        [](const kw::test::FakeRequest &) { return FakeResponse::text(503, "busy"); });
    ConnectionSettings s = settingsFor(server);
    s.retryBaseMs = 60000;
    s.retryMaxMs = 60000;
    s.timeoutMs = 120000; // so the minute-long back-off fits before the deadline
    auto transport = std::make_unique<RestTransport>(s);
    QSignalSpy retries(transport.get(), &RestTransport::retryScheduled);
    auto future = transport->send(get({QStringLiteral("a")}));
    QTRY_COMPARE(retries.size(), 1); // now waiting up to a minute for the retry
    transport.reset();
    QVERIFY(future.isFinished());
    KW_VERIFY_ERROR(future.result(), "registry.cancelled");
    QCOMPARE(server.requests.size(), 1);
}

void TestRestTransport::futuresWorkFromWorkerThreads()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.setHandler([](const kw::test::FakeRequest &rq) {
        return FakeResponse::json(200, "[\"" + rq.target + "\"]");
    });
    RestTransport transport(settingsFor(server));
    QThread *mainThread = QThread::currentThread();
    // A worker sends and blocks on the future while this thread runs the event loop, as the
    // engine does.
    QFuture<QString> worker = QtConcurrent::run([&transport, mainThread] {
        if (QThread::currentThread() == mainThread)
            return QStringLiteral("ran on the main thread");
        QStringList seen;
        for (int i = 0; i < 5; ++i) {
            auto future = transport.send(get({QStringLiteral("item"), QString::number(i)}));
            future.waitForFinished();
            const Result<Reply> reply = future.result();
            if (!reply)
                return reply.error().code;
            seen << reply->json.array().at(0).toString();
        }
        return seen.join(QLatin1Char(','));
    });
    QTRY_VERIFY_WITH_TIMEOUT(worker.isFinished(), 20000);
    QCOMPARE(worker.result(), QStringLiteral("/item/0,/item/1,/item/2,/item/3,/item/4"));
}

void TestRestTransport::invalidSettingsFailEveryRequest_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<int>("authKind");
    QTest::addColumn<QString>("code");
    QTest::newRow("credentials in the URL") << QStringLiteral("https://key:secret@sr.example") << 0
                                            << QStringLiteral("registry.invalid_settings");
    QTest::newRow("ftp") << QStringLiteral("ftp://sr.example") << 0
                         << QStringLiteral("registry.invalid_settings");
    QTest::newRow("no host") << QStringLiteral("http://") << 0
                             << QStringLiteral("registry.invalid_settings");
    QTest::newRow("bearer without token")
        << QStringLiteral("https://sr.example") << 2 << QStringLiteral("registry.invalid_settings");
}

void TestRestTransport::invalidSettingsFailEveryRequest()
{
    QFETCH(QString, url);
    QFETCH(int, authKind);
    QFETCH(QString, code);
    ConnectionSettings s;
    s.baseUrl = QUrl(url);
    if (authKind == 2)
        s.auth = AuthSettings::bearer({});
    RestTransport transport(s);
    auto future = transport.send(get({QStringLiteral("subjects")}));
    QVERIFY(future.isFinished());
    QVERIFY(!future.result());
    QCOMPARE(future.result().error().code, code);
    QVERIFY(!future.result().error().message.contains(QStringLiteral("secret")));
}

void TestRestTransport::securitySummary()
{
    ConnectionSettings s;
    s.baseUrl = QUrl(QStringLiteral("https://sr.example"));
    QVERIFY(s.usesTls());
    QVERIFY(s.verifiesTls());
    QCOMPARE(s.securitySummary(),
             QStringLiteral("TLS verified with system CAs; no authentication"));
    s.tls.caFile = QStringLiteral("/etc/ca.pem");
    s.auth = AuthSettings::basic(QStringLiteral("KEY"), QStringLiteral("SECRET"));
    QCOMPARE(s.securitySummary(),
             QStringLiteral("TLS verified with system CAs + custom CA; basic auth"));
    s.tls.insecureSkipVerify = true;
    QVERIFY(!s.verifiesTls());
    QVERIFY(s.securitySummary().startsWith(QStringLiteral("TLS verification DISABLED")));
    s.baseUrl = QUrl(QStringLiteral("http://sr.example"));
    QVERIFY(!s.verifiesTls());
    QVERIFY(s.securitySummary().startsWith(QStringLiteral("Plain HTTP")));
    QVERIFY(!s.securitySummary().contains(QStringLiteral("SECRET")));
    QVERIFY(!s.securitySummary().contains(QStringLiteral("KEY")));
}

void TestRestTransport::logsNoSecrets()
{
    FakeHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(FakeResponse::text(503, "busy"));
    server.enqueue(FakeResponse::json(200, "[]"));
    server.enqueue(FakeResponse::error(401, 401, "Unauthorized"));
    ConnectionSettings s = settingsFor(server);
    s.auth = AuthSettings::basic(QStringLiteral("KEY-ID-1"), QStringLiteral("SUPER-SECRET-VALUE"));
    s.extraHeaders.append(qMakePair(QByteArray("X-Api-Token"), QByteArray("HEADER-SECRET")));

    g_log.clear();
    g_previousFilter = QLoggingCategory::installFilter(enableRegistryDebug);
    g_previousHandler = qInstallMessageHandler(captureMessage);
    {
        RestTransport transport(s);
        KW_VERIFY_OK(wait(transport.send(get({QStringLiteral("subjects")}))));
        KW_VERIFY_ERROR(wait(transport.send(get({QStringLiteral("subjects")}))), "registry.401");
        auto bearer = s;
        bearer.auth =
            AuthSettings::bearer(QStringLiteral("TOKEN-SECRET"), QStringLiteral("lsrc-1"));
        bearer.tls.clientKeyPassphrase = "PASS-SECRET";
        RestTransport other(bearer);
        auto unreachable = wait(other.send(RestRequest::make("POST", {QStringLiteral("x")})));
        Q_UNUSED(unreachable);
    }
    qInstallMessageHandler(g_previousHandler);
    QLoggingCategory::installFilter(g_previousFilter);

    const QString all = g_log.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QStringLiteral("GET /subjects")),
             qPrintable(all)); // debug logging was on
    for (const char *secret : {"SUPER-SECRET-VALUE", "KEY-ID-1", "HEADER-SECRET", "TOKEN-SECRET",
                               "PASS-SECRET", "Authorization", "Basic "})
        QVERIFY2(!all.contains(QLatin1String(secret)), secret);
}

QTEST_GUILESS_MAIN(TestRestTransport)
#include "tst_resttransport.moc"
