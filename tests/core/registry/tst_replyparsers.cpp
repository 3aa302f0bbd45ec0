// What the registry clients make of a reply's bytes, without a network: the transport's body
// and error-body readers and the clients' reply parsers (the functions the fuzz_registry_json
// target runs).

#include "core/registry/replyparsers_p.h"

#include <QTest>

using namespace kw;
using namespace kw::registry;

namespace {

const detail::RequestContext kCtx{QStringLiteral("Schema Registry"),
                                  QStringLiteral("GET /subjects/s/versions")};

Reply jsonReply(const QByteArray &body)
{
    auto reply = replyFromBody(200, body, true, kCtx.service, kCtx.what);
    if (!reply)
        qFatal("test reply is not JSON: %s", body.constData());
    return *reply;
}

} // namespace

class TestReplyParsers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionListTakesInts();
    void versionListRejectsNonInts_data();
    void versionListRejectsNonInts();
    void bodyThatIsNotJson();
    void bareScalarStaysInBody();
    void registryErrorBody();
    void errorBodyThatIsNotJson();
};

void TestReplyParsers::versionListTakesInts()
{
    auto versions = detail::parseIntList(jsonReply("[1, -1, 2147483647, -2147483648, 3.0]"), kCtx);
    QVERIFY(versions);
    QCOMPARE(*versions, (QList<int>{1, -1, 2147483647, -2147483647 - 1, 3}));
}

void TestReplyParsers::versionListRejectsNonInts_data()
{
    QTest::addColumn<QByteArray>("body");
    // Beyond 64 bits: converting these to an integer before the range check was undefined
    // behaviour (the asan preset's UBSan stops on it).
    QTest::newRow("1e30") << QByteArray("[1e30]");
    QTest::newRow("-1e300") << QByteArray("[2, -1e300]");
    QTest::newRow("beyond int") << QByteArray("[2147483648]");
    QTest::newRow("below int") << QByteArray("[-2147483649]");
    QTest::newRow("fraction") << QByteArray("[1.5]");
    QTest::newRow("string") << QByteArray(R"(["1"])");
    QTest::newRow("object") << QByteArray(R"({"versions":[1]})");
}

void TestReplyParsers::versionListRejectsNonInts()
{
    QFETCH(QByteArray, body);
    auto versions = detail::parseIntList(jsonReply(body), kCtx);
    QVERIFY(!versions);
    QCOMPARE(versions.error().code, QStringLiteral("registry.malformed_reply"));
    QVERIFY2(versions.error().message.contains(QLatin1String("a JSON array of integers")) &&
                 versions.error().message.contains(kCtx.what),
             qPrintable(versions.error().message));
}

void TestReplyParsers::bodyThatIsNotJson()
{
    auto reply = replyFromBody(200, "{\"id\": ", true, kCtx.service, kCtx.what);
    QVERIFY(!reply);
    QCOMPARE(reply.error().code, QStringLiteral("registry.malformed_reply"));
    QVERIFY2(reply.error().message.contains(QLatin1String("not valid JSON")) &&
                 reply.error().message.contains(QLatin1String("offset 7")),
             qPrintable(reply.error().message));
    // Raw schema text is not JSON and need not be.
    auto raw = replyFromBody(200, "syntax = \"proto3\";", false, kCtx.service, kCtx.what);
    QVERIFY(raw);
    QCOMPARE(raw->body, QByteArray("syntax = \"proto3\";"));
    QVERIFY(raw->json.isNull());
}

void TestReplyParsers::bareScalarStaysInBody()
{
    auto reply = replyFromBody(200, " 3\n", true, kCtx.service, kCtx.what);
    QVERIFY(reply);
    QVERIFY(reply->json.isNull());
    auto version = detail::parseBareInt(*reply, kCtx);
    QVERIFY(version);
    QCOMPARE(*version, 3);
}

void TestReplyParsers::registryErrorBody()
{
    const Error e = errorFromReply(
        404, R"({"error_code":40471,"message":"Key 'k' was not deleted first.."})", {},
        QStringLiteral("DEK Registry"), QStringLiteral("DELETE /dek-registry/v1/keks/k"));
    QCOMPARE(e.code, QStringLiteral("registry.40471"));
    QCOMPARE(e.message, QStringLiteral("DEK Registry: Key 'k' was not deleted first (40471) — "
                                       "DELETE /dek-registry/v1/keks/k. Soft-delete it first, "
                                       "then delete it permanently"));
}

void TestReplyParsers::errorBodyThatIsNotJson()
{
    const Error e = errorFromReply(502, "<html>Bad Gateway</html>", QStringLiteral("Bad Gateway"),
                                   kCtx.service, kCtx.what);
    QCOMPARE(e.code, QStringLiteral("registry.http_502"));
    QCOMPARE(e.message, QStringLiteral("Schema Registry: HTTP 502 Bad Gateway — GET "
                                       "/subjects/s/versions. The registry had an internal "
                                       "problem; try again later"));
}

QTEST_GUILESS_MAIN(TestReplyParsers)
#include "tst_replyparsers.moc"
