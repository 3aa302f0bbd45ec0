#include "core/kms/sigv4.h"

#include <QTest>
#include <QTimeZone>

using namespace kw::kms;

namespace {

// AWS SigV4 Test Suite inputs (kms-facts.md §2.3).
const QByteArray SuiteKey = "AKIDEXAMPLE";
const QByteArray SuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const QByteArray SuiteToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSP"
    "fIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7W"
    "Z0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8F"
    "DrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
const QByteArray KmsBody =
    R"({"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"})";

QDateTime suiteTime()
{
    return QDateTime(QDate(2015, 8, 30), QTime(12, 36, 0), QTimeZone::utc());
}

sigv4::Request suiteRequest(const QByteArray &method)
{
    sigv4::Request request;
    request.method = method;
    request.rawPath = "/";
    request.headers = {{"Host", "example.amazonaws.com"}};
    return request;
}

sigv4::Request kmsRequest()
{
    sigv4::Request request;
    request.method = "POST";
    request.rawPath = "/";
    request.headers = {{"Host", "kms.us-east-1.amazonaws.com"},
                       {"Content-Type", "application/x-amz-json-1.1"},
                       {"X-Amz-Target", "TrentService.DescribeKey"}};
    request.body = KmsBody;
    return request;
}

QByteArray signatureOf(const sigv4::Request &request)
{
    const QByteArray authorization = request.header("Authorization");
    return authorization.mid(authorization.indexOf("Signature=") + 10);
}

sigv4::VerifyOptions kmsOptions(const QDateTime &now)
{
    return sigv4::VerifyOptions{"us-east-1", "kms", now, 300};
}

sigv4::KeyLookup suiteLookup(const QByteArray &token = {})
{
    return [token](const QByteArray &keyId) -> std::optional<sigv4::KnownKey> {
        if (keyId != SuiteKey)
            return std::nullopt;
        return sigv4::KnownKey{SuiteSecret, token};
    };
}

} // namespace

class TestSigV4 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signingKeyForTheSuite();
    void signingKeyV5();
    void getVanilla();
    void postVanilla();
    void postFormUrlencoded();
    void postStsHeaderBefore();
    void kmsShapedV6();
    void verifierAcceptsWhatTheSignerMakes();
    void verifierRejects_data();
    void verifierRejects();
    void verifierChecksTheSessionToken();
};

void TestSigV4::signingKeyForTheSuite()
{
    QCOMPARE(sigv4::signingKey(SuiteSecret, "20150830", "us-east-1", "service").toHex(),
             QByteArray("938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75"));
}

void TestSigV4::signingKeyV5()
{
    const QByteArray kDate = sigv4::hmacSha256(QByteArray("AWS4" + SuiteSecret), "20120215");
    QCOMPARE(kDate.toHex(),
             QByteArray("969fbb94feb542b71ede6f87fe4d5fa29c789342b0f407474670f0c2489e0a0d"));
    const QByteArray kRegion = sigv4::hmacSha256(kDate, "us-east-1");
    QCOMPARE(kRegion.toHex(),
             QByteArray("69daa0209cd9c5ff5c8ced464a696fd4252e981430b10e3d3fd8e2f197d7a70c"));
    const QByteArray kService = sigv4::hmacSha256(kRegion, "iam");
    QCOMPARE(kService.toHex(),
             QByteArray("f72cfd46f26bc4643f06a11eabb6c0ba18780c19a8da0c31ace671265e3c87fa"));
    QCOMPARE(sigv4::signingKey(SuiteSecret, "20120215", "us-east-1", "iam").toHex(),
             QByteArray("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"));
}

void TestSigV4::getVanilla()
{
    sigv4::Request request = suiteRequest("GET");
    sigv4::sign(request, {SuiteKey, SuiteSecret, {}}, "us-east-1", "service", suiteTime());
    QCOMPARE(request.header("X-Amz-Date"), QByteArray("20150830T123600Z"));

    const QByteArray creq = sigv4::canonicalRequest(request, {"host", "x-amz-date"});
    QCOMPARE(creq, QByteArray("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
                              "\nhost;x-amz-date\n"
                              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    const QByteArray scope = sigv4::credentialScope("20150830", "us-east-1", "service");
    QCOMPARE(sigv4::stringToSign("20150830T123600Z", scope, creq),
             QByteArray("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                        "aws4_request\n"
                        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"));
    QCOMPARE(
        request.header("Authorization"),
        QByteArray("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                   "aws4_request, SignedHeaders=host;x-amz-date, "
                   "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

void TestSigV4::postVanilla()
{
    sigv4::Request request = suiteRequest("POST");
    sigv4::sign(request, {SuiteKey, SuiteSecret, {}}, "us-east-1", "service", suiteTime());
    QCOMPARE(sigv4::hexSha256(sigv4::canonicalRequest(request, {"host", "x-amz-date"})),
             QByteArray("553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87"));
    QCOMPARE(signatureOf(request),
             QByteArray("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
}

void TestSigV4::postFormUrlencoded()
{
    sigv4::Request request = suiteRequest("POST");
    request.setHeader("Content-Type", "application/x-www-form-urlencoded");
    request.body = "Param1=value1";
    sigv4::sign(request, {SuiteKey, SuiteSecret, {}}, "us-east-1", "service", suiteTime());
    const QByteArray creq =
        sigv4::canonicalRequest(request, {"content-type", "host", "x-amz-date"});
    QCOMPARE(creq, QByteArray("POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n"
                              "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                              "content-type;host;x-amz-date\n"
                              "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"));
    QCOMPARE(sigv4::hexSha256(creq),
             QByteArray("42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"));
    QVERIFY(
        request.header("Authorization").contains("SignedHeaders=content-type;host;x-amz-date,"));
    QCOMPARE(signatureOf(request),
             QByteArray("ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

void TestSigV4::postStsHeaderBefore()
{
    sigv4::Request request = suiteRequest("POST");
    sigv4::sign(request, {SuiteKey, SuiteSecret, SuiteToken}, "us-east-1", "service", suiteTime());
    QCOMPARE(request.header("X-Amz-Security-Token"), SuiteToken);
    QCOMPARE(sigv4::hexSha256(
                 sigv4::canonicalRequest(request, {"host", "x-amz-date", "x-amz-security-token"})),
             QByteArray("c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6"));
    QVERIFY(request.header("Authorization")
                .contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
    QCOMPARE(signatureOf(request),
             QByteArray("85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"));
}

void TestSigV4::kmsShapedV6()
{
    QCOMPARE(sigv4::hexSha256(KmsBody),
             QByteArray("23c1c19af680edca23872f8cd3c9f0694aada7b708fbb94fc4be4463cd9fe286"));
    sigv4::Request request = kmsRequest();
    sigv4::sign(request, {SuiteKey, SuiteSecret, {}}, "us-east-1", "kms", suiteTime());
    QCOMPARE(sigv4::hexSha256(sigv4::canonicalRequest(
                 request, {"content-type", "host", "x-amz-date", "x-amz-target"})),
             QByteArray("aab64f42c50d70344e2e5f8c2e921c417dc4a3b8ab5eb0956c44644a435209a0"));
    QVERIFY(request.header("Authorization")
                .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,"));
    QCOMPARE(signatureOf(request),
             QByteArray("210629a49d2c28442f2cae2a9828b68c77eda57985f0812811baa19a822f06d2"));

    sigv4::Request withToken = kmsRequest();
    sigv4::sign(withToken, {SuiteKey, SuiteSecret, "SESSIONTOKENEXAMPLE"}, "us-east-1", "kms",
                suiteTime());
    QVERIFY(withToken.header("Authorization")
                .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;"
                          "x-amz-target,"));
    QCOMPARE(signatureOf(withToken),
             QByteArray("e9118c0b0cc1fc44fcd94e10098e1795e135d3f56b0f4785de03f62cdb8f9703"));
}

void TestSigV4::verifierAcceptsWhatTheSignerMakes()
{
    sigv4::Request request = kmsRequest();
    sigv4::sign(request, {SuiteKey, SuiteSecret, {}}, "us-east-1", "kms", suiteTime());
    // A header added after signing (the transport's User-Agent) is not signed and harmless.
    request.headers.append(qMakePair(QByteArray("User-Agent"), QByteArray("curl/8")));
    const auto verified =
        sigv4::verify(request, suiteLookup(), kmsOptions(suiteTime().addSecs(120)));
    QVERIFY2(verified.hasValue(), qPrintable(verified.error().message));
    QCOMPARE(*verified, SuiteKey);
}

void TestSigV4::verifierRejects_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("code");
    QTest::newRow("changed body") << "body" << QString(sigv4::ErrorBadSignature);
    QTest::newRow("changed signed header") << "target" << QString(sigv4::ErrorBadSignature);
    QTest::newRow("wrong secret") << "secret" << QString(sigv4::ErrorBadSignature);
    QTest::newRow("expired date") << "late" << QString(sigv4::ErrorClockSkew);
    QTest::newRow("date far ahead") << "early" << QString(sigv4::ErrorClockSkew);
    QTest::newRow("unknown access key") << "akid" << QString(sigv4::ErrorUnknownKey);
    QTest::newRow("other region") << "region" << QString(sigv4::ErrorBadScope);
    QTest::newRow("other service") << "service" << QString(sigv4::ErrorBadScope);
    QTest::newRow("no authorization") << "noauth" << QString(sigv4::ErrorMissingAuth);
    QTest::newRow("host not signed") << "nohost" << QString(sigv4::ErrorBadSignature);
}

void TestSigV4::verifierRejects()
{
    QFETCH(QString, change);
    QFETCH(QString, code);

    sigv4::Request request = kmsRequest();
    QByteArray secret = SuiteSecret;
    QByteArray keyId = SuiteKey;
    QByteArray region = "us-east-1";
    QByteArray service = "kms";
    QDateTime now = suiteTime();
    if (change == QLatin1String("secret"))
        secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ";
    if (change == QLatin1String("akid"))
        keyId = "AKIDOTHER";
    if (change == QLatin1String("region"))
        region = "eu-west-1";
    if (change == QLatin1String("service"))
        service = "s3";
    if (change == QLatin1String("late"))
        now = now.addSecs(301);
    if (change == QLatin1String("early"))
        now = now.addSecs(-301);

    sigv4::sign(request, {keyId, secret, {}}, region, service, suiteTime());

    if (change == QLatin1String("body"))
        request.body.replace("1234abcd", "9999abcd");
    if (change == QLatin1String("target"))
        request.setHeader("X-Amz-Target", "TrentService.Decrypt");
    if (change == QLatin1String("noauth"))
        request.setHeader("Authorization", {});
    if (change == QLatin1String("nohost")) {
        QByteArray auth = request.header("Authorization");
        auth.replace("SignedHeaders=content-type;host;", "SignedHeaders=content-type;");
        request.setHeader("Authorization", auth);
    }

    const auto verified = sigv4::verify(request, suiteLookup(), kmsOptions(now));
    QVERIFY(!verified.hasValue());
    QCOMPARE(verified.error().code, code);
    // No secret and no signature in the verifier's message.
    QVERIFY(!verified.error().message.contains(QString::fromLatin1(SuiteSecret)));
    if (const QByteArray signature = signatureOf(request); !signature.isEmpty())
        QVERIFY(!verified.error().message.contains(QString::fromLatin1(signature)));
}

void TestSigV4::verifierChecksTheSessionToken()
{
    sigv4::Request request = kmsRequest();
    sigv4::sign(request, {SuiteKey, SuiteSecret, "SESSIONTOKENEXAMPLE"}, "us-east-1", "kms",
                suiteTime());
    QVERIFY(sigv4::verify(request, suiteLookup("SESSIONTOKENEXAMPLE"), kmsOptions(suiteTime()))
                .hasValue());

    const auto otherToken =
        sigv4::verify(request, suiteLookup("SESSIONTOKENOTHER"), kmsOptions(suiteTime()));
    QCOMPARE(otherToken.error().code, QString(sigv4::ErrorBadToken));

    sigv4::Request unsignedToken = kmsRequest();
    sigv4::sign(unsignedToken, {SuiteKey, SuiteSecret, {}}, "us-east-1", "kms", suiteTime());
    unsignedToken.headers.append(
        qMakePair(QByteArray("X-Amz-Security-Token"), QByteArray("SESSIONTOKENEXAMPLE")));
    const auto notSigned =
        sigv4::verify(unsignedToken, suiteLookup("SESSIONTOKENEXAMPLE"), kmsOptions(suiteTime()));
    QCOMPARE(notSigned.error().code, QString(sigv4::ErrorBadToken));
}

QTEST_GUILESS_MAIN(TestSigV4)
#include "tst_sigv4.moc"
