#include "core/domain/clock.h"
#include "core/kms/sigv4.h"
#include "core/sandbox/awskmsdouble.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrl>

using namespace kw;
using namespace kw::sandbox;

namespace {

// 2026-12-06T12:00:00Z
constexpr qint64 Now = 1796558400000;
const QString Treasury = QString(AwsKmsDouble::TreasuryKeyArn);
const QString Retired = QString(AwsKmsDouble::RetiredKeyArn);

struct Reply
{
    int status = 0;
    QJsonObject body;
    QString type() const { return body.value(QStringLiteral("__type")).toString(); }
    QString message() const { return body.value(QStringLiteral("message")).toString(); }
};

kms::sigv4::Credentials demoCredentials()
{
    return {QByteArray(AwsKmsDouble::AccessKeyId.data(), AwsKmsDouble::AccessKeyId.size()),
            QByteArray(AwsKmsDouble::SecretAccessKey.data(), AwsKmsDouble::SecretAccessKey.size()),
            {}};
}

HttpRequest signedCall(const QByteArray &operation, const QJsonObject &body,
                       const kms::sigv4::Credentials &credentials, qint64 signedAtMs,
                       const QByteArray &region = "eu-west-1")
{
    kms::sigv4::Request request;
    request.method = "POST";
    request.rawPath = "/aws-kms/";
    request.headers = {{"Host", "127.0.0.1:8081"},
                       {"Content-Type", "application/x-amz-json-1.1"},
                       {"X-Amz-Target", "TrentService." + operation}};
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    kms::sigv4::sign(request, credentials, region, "kms",
                     QDateTime::fromMSecsSinceEpoch(signedAtMs).toUTC());

    HttpRequest http;
    http.method = request.method;
    http.segments = {QStringLiteral("aws-kms"), QString()};
    http.rawPath = request.rawPath;
    http.headers = request.headers;
    http.body = request.body;
    return http;
}

HttpRequest signedAssumeRole(const QByteArray &form, const kms::sigv4::Credentials &credentials,
                             qint64 signedAtMs)
{
    kms::sigv4::Request request;
    request.method = "POST";
    request.rawPath = "/aws-kms/sts";
    request.headers = {{"Host", "127.0.0.1:8081"},
                       {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    request.body = form;
    kms::sigv4::sign(request, credentials, "eu-west-1", "sts",
                     QDateTime::fromMSecsSinceEpoch(signedAtMs).toUTC());
    HttpRequest http;
    http.method = request.method;
    http.segments = {QStringLiteral("aws-kms"), QStringLiteral("sts")};
    http.rawPath = request.rawPath;
    http.headers = request.headers;
    http.body = request.body;
    return http;
}

// The text of the first <tag> in an XML body.
QString element(const QByteArray &xml, const char *tag)
{
    const QByteArray open = QByteArray("<") + tag + ">";
    const QByteArray close = QByteArray("</") + tag + ">";
    const qsizetype from = xml.indexOf(open);
    if (from < 0)
        return {};
    const qsizetype to = xml.indexOf(close, from);
    return QString::fromUtf8(xml.mid(from + open.size(), to - from - open.size()));
}

const QByteArray RoleForm = QByteArray("Action=AssumeRole&Version=2011-06-15&RoleArn=") +
                            QUrl::toPercentEncoding(QString(AwsKmsDouble::RoleArn)) +
                            QByteArray("&RoleSessionName=confluent-encrypt");

} // namespace

class TestAwsKmsDouble : public QObject
{
    Q_OBJECT

private:
    Reply call(const QByteArray &operation, const QJsonObject &body,
               const kms::sigv4::Credentials &credentials = demoCredentials(), qint64 skewMs = 0)
    {
        const HttpReply reply =
            m_kms->route(signedCall(operation, body, credentials, m_clock.nowMs() + skewMs));
        return {reply.status, QJsonDocument::fromJson(reply.body).object()};
    }
    QByteArray encrypt(const QString &keyId, const QByteArray &plaintext)
    {
        const Reply r = call(
            "Encrypt", {{QStringLiteral("KeyId"), keyId},
                        {QStringLiteral("Plaintext"), QString::fromLatin1(plaintext.toBase64())}});
        return QByteArray::fromBase64(
            r.body.value(QStringLiteral("CiphertextBlob")).toString().toLatin1());
    }

    ManualClock m_clock{Now};
    std::unique_ptr<AwsKmsDouble> m_kms;

private Q_SLOTS:
    void init();
    void encryptDecryptRoundTrip();
    void decryptNeedsNoKeyIdButChecksOne();
    void aliasesResolve();
    void describeKeyAndRotation();
    void pendingDeletion();
    void disabled();
    void accessDenied();
    void notFound();
    void throttling();
    void badCiphertext();
    void signatureChecks();
    void seedingDriverMatchesTheApi();
    void assumeRoleIssuesCredentialsThatExpire();
    void assumeRoleErrors();
};

void TestAwsKmsDouble::init()
{
    m_kms = std::make_unique<AwsKmsDouble>(m_clock);
    m_kms->seedDemoKeys(m_clock);
}

void TestAwsKmsDouble::encryptDecryptRoundTrip()
{
    const Reply enc = call("Encrypt", {{QStringLiteral("KeyId"), Treasury},
                                       {QStringLiteral("Plaintext"), QStringLiteral("ZGVr")}});
    QCOMPARE(enc.status, 200);
    QCOMPARE(enc.body.value(QStringLiteral("KeyId")).toString(), Treasury);
    const QString blob = enc.body.value(QStringLiteral("CiphertextBlob")).toString();
    QVERIFY(!blob.isEmpty());

    const Reply dec = call(
        "Decrypt", {{QStringLiteral("KeyId"), Treasury}, {QStringLiteral("CiphertextBlob"), blob}});
    QCOMPARE(dec.status, 200);
    QCOMPARE(dec.body.value(QStringLiteral("Plaintext")).toString(), QStringLiteral("ZGVr"));
    QCOMPARE(dec.body.value(QStringLiteral("KeyId")).toString(), Treasury);
}

void TestAwsKmsDouble::decryptNeedsNoKeyIdButChecksOne()
{
    const QByteArray blob = encrypt(Treasury, "dek");
    const Reply dec =
        call("Decrypt", {{QStringLiteral("CiphertextBlob"), QString::fromLatin1(blob.toBase64())}});
    QCOMPARE(dec.status, 200);
    QCOMPARE(
        QByteArray::fromBase64(dec.body.value(QStringLiteral("Plaintext")).toString().toLatin1()),
        QByteArray("dek"));

    const QString other = QStringLiteral(
        "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555");
    m_kms->addKey(other);
    const Reply wrong =
        call("Decrypt", {{QStringLiteral("KeyId"), other},
                         {QStringLiteral("CiphertextBlob"), QString::fromLatin1(blob.toBase64())}});
    QCOMPARE(wrong.status, 400);
    QCOMPARE(wrong.type(), QStringLiteral("IncorrectKeyException"));
}

void TestAwsKmsDouble::aliasesResolve()
{
    const QByteArray blob = encrypt(QStringLiteral("alias/treasury"), "x");
    QVERIFY(!blob.isEmpty());
    const Reply byAliasArn = call(
        "DescribeKey", {{QStringLiteral("KeyId"),
                         QStringLiteral("arn:aws:kms:eu-west-1:111122223333:alias/treasury")}});
    QCOMPARE(byAliasArn.status, 200);
    QCOMPARE(byAliasArn.body.value(QStringLiteral("KeyMetadata"))
                 .toObject()
                 .value(QStringLiteral("Arn"))
                 .toString(),
             Treasury);
}

void TestAwsKmsDouble::describeKeyAndRotation()
{
    const Reply described = call("DescribeKey", {{QStringLiteral("KeyId"), Treasury}});
    QCOMPARE(described.status, 200);
    const QJsonObject metadata = described.body.value(QStringLiteral("KeyMetadata")).toObject();
    QCOMPARE(metadata.value(QStringLiteral("KeyState")).toString(), QStringLiteral("Enabled"));
    QCOMPARE(metadata.value(QStringLiteral("Enabled")).toBool(), true);
    QCOMPARE(metadata.value(QStringLiteral("KeyId")).toString(),
             QStringLiteral("5f1c2a7e-8d4b-4c39-9b1e-2a6f0d3c7e11"));
    QVERIFY(metadata.value(QStringLiteral("CreationDate")).isDouble());
    QVERIFY(!metadata.contains(QStringLiteral("DeletionDate")));

    const Reply rotation = call("GetKeyRotationStatus", {{QStringLiteral("KeyId"), Treasury}});
    QCOMPARE(rotation.status, 200);
    QCOMPARE(rotation.body.value(QStringLiteral("KeyRotationEnabled")).toBool(), true);
    QCOMPARE(rotation.body.value(QStringLiteral("RotationPeriodInDays")).toInt(), 365);
    const double next = rotation.body.value(QStringLiteral("NextRotationDate")).toDouble();
    QVERIFY(next * 1000 > Now);
    QVERIFY(next * 1000 <= Now + 365.0 * 24 * 3600 * 1000);
}

void TestAwsKmsDouble::pendingDeletion()
{
    const Reply described = call("DescribeKey", {{QStringLiteral("KeyId"), Retired}});
    const QJsonObject metadata = described.body.value(QStringLiteral("KeyMetadata")).toObject();
    QCOMPARE(metadata.value(QStringLiteral("KeyState")).toString(),
             QStringLiteral("PendingDeletion"));
    QCOMPARE(metadata.value(QStringLiteral("Enabled")).toBool(), false);
    QCOMPARE(metadata.value(QStringLiteral("DeletionDate")).toDouble(),
             (Now + 7 * 24 * 3600 * 1000LL) / 1000.0);

    const Reply enc = call("Encrypt", {{QStringLiteral("KeyId"), Retired},
                                       {QStringLiteral("Plaintext"), QStringLiteral("ZGVr")}});
    QCOMPARE(enc.status, 400);
    QCOMPARE(enc.type(), QStringLiteral("KMSInvalidStateException"));
    QCOMPARE(enc.message(), Retired + QStringLiteral(" is pending deletion."));
    QCOMPARE(call("GetKeyRotationStatus", {{QStringLiteral("KeyId"), Retired}}).type(),
             QStringLiteral("KMSInvalidStateException"));
}

void TestAwsKmsDouble::disabled()
{
    const QByteArray blob = encrypt(Treasury, "dek");
    m_kms->setKeyState(Treasury, QStringLiteral("Disabled"));
    const Reply dec =
        call("Decrypt", {{QStringLiteral("CiphertextBlob"), QString::fromLatin1(blob.toBase64())}});
    QCOMPARE(dec.status, 400);
    QCOMPARE(dec.type(), QStringLiteral("DisabledException"));
    QCOMPARE(dec.message(), Treasury + QStringLiteral(" is disabled."));
}

void TestAwsKmsDouble::accessDenied()
{
    m_kms->addAccessKey(QStringLiteral("AKIAREADONLY"), QStringLiteral("readonly-secret"),
                        QStringLiteral("arn:aws:iam::111122223333:user/auditor"));
    m_kms->denyAccess(QStringLiteral("AKIAREADONLY"), Treasury);
    const Reply enc = call("Encrypt",
                           {{QStringLiteral("KeyId"), Treasury},
                            {QStringLiteral("Plaintext"), QStringLiteral("ZGVr")}},
                           {"AKIAREADONLY", "readonly-secret", {}});
    QCOMPARE(enc.status, 400);
    QCOMPARE(enc.type(), QStringLiteral("AccessDeniedException"));
    QVERIFY(enc.message().contains(QStringLiteral("arn:aws:iam::111122223333:user/auditor")));
    QVERIFY(enc.message().contains(QStringLiteral("kms:Encrypt")));
    QVERIFY(enc.message().contains(Treasury));
}

void TestAwsKmsDouble::notFound()
{
    const QString missing = QStringLiteral(
        "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000");
    const Reply r = call("DescribeKey", {{QStringLiteral("KeyId"), missing}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.type(), QStringLiteral("NotFoundException"));
    QCOMPARE(r.message(), QStringLiteral("Key '%1' does not exist").arg(missing));
    // The key exists, but in eu-west-1: asked of another region's endpoint it is not found.
    QCOMPARE(m_kms
                 ->route(signedCall("DescribeKey",
                                    {{QStringLiteral("KeyId"),
                                      QString(Treasury).replace(QStringLiteral("eu-west-1"),
                                                                QStringLiteral("us-east-1"))}},
                                    demoCredentials(), Now, "us-east-1"))
                 .status,
             400);
}

void TestAwsKmsDouble::throttling()
{
    m_kms->throttleNextCalls(2);
    QCOMPARE(call("DescribeKey", {{QStringLiteral("KeyId"), Treasury}}).type(),
             QStringLiteral("ThrottlingException"));
    QCOMPARE(call("DescribeKey", {{QStringLiteral("KeyId"), Treasury}}).message(),
             QStringLiteral("Rate exceeded"));
    QCOMPARE(call("DescribeKey", {{QStringLiteral("KeyId"), Treasury}}).status, 200);
    QCOMPARE(m_kms->acceptedRequests(), 3);
}

void TestAwsKmsDouble::badCiphertext()
{
    QByteArray blob = encrypt(Treasury, "dek");
    blob[blob.size() - 1] = char(blob.at(blob.size() - 1) ^ 1);
    QCOMPARE(
        call("Decrypt", {{QStringLiteral("CiphertextBlob"), QString::fromLatin1(blob.toBase64())}})
            .type(),
        QStringLiteral("InvalidCiphertextException"));
    QCOMPARE(
        call("Decrypt", {{QStringLiteral("CiphertextBlob"), QStringLiteral("bm9wZQ==")}}).type(),
        QStringLiteral("InvalidCiphertextException"));
}

void TestAwsKmsDouble::signatureChecks()
{
    const QJsonObject body{{QStringLiteral("KeyId"), Treasury}};
    QCOMPARE(call("DescribeKey", body, {"AKIAKEYWARDENSANDBOX", "wrong", {}}).type(),
             QStringLiteral("InvalidSignatureException"));
    QCOMPARE(call("DescribeKey", body, {"AKIAUNKNOWN", "wrong", {}}).type(),
             QStringLiteral("UnrecognizedClientException"));
    const Reply late = call("DescribeKey", body, demoCredentials(), -6 * 60 * 1000);
    QCOMPARE(late.type(), QStringLiteral("InvalidSignatureException"));
    QVERIFY(late.message().startsWith(QStringLiteral("Signature expired")));

    HttpRequest tampered = signedCall("DescribeKey", body, demoCredentials(), Now);
    tampered.body.replace("5f1c2a7e", "5f1c2a7f");
    QCOMPARE(QJsonDocument::fromJson(m_kms->route(tampered).body)
                 .object()
                 .value(QStringLiteral("__type"))
                 .toString(),
             QStringLiteral("InvalidSignatureException"));

    HttpRequest unsignedRequest = signedCall("DescribeKey", body, demoCredentials(), Now);
    unsignedRequest.headers.removeIf(
        [](const auto &h) { return h.first.compare("Authorization", Qt::CaseInsensitive) == 0; });
    QCOMPARE(QJsonDocument::fromJson(m_kms->route(unsignedRequest).body)
                 .object()
                 .value(QStringLiteral("__type"))
                 .toString(),
             QStringLiteral("MissingAuthenticationTokenException"));

    // Temporary credentials: the token must come along, signed.
    m_kms->addAccessKey(QStringLiteral("ASIATEMP"), QStringLiteral("temp-secret"),
                        QStringLiteral("arn:aws:sts::111122223333:assumed-role/csfle/kw"),
                        QStringLiteral("TOKEN1"));
    QCOMPARE(call("DescribeKey", body, {"ASIATEMP", "temp-secret", "TOKEN1"}).status, 200);
    QCOMPARE(call("DescribeKey", body, {"ASIATEMP", "temp-secret", {}}).type(),
             QStringLiteral("UnrecognizedClientException"));
}

void TestAwsKmsDouble::seedingDriverMatchesTheApi()
{
    auto driver = m_kms->seedingDriver();
    kms::KekRef kek;
    kek.kmsType = QStringLiteral("aws-kms");
    kek.kmsKeyId = Treasury;
    auto aead = driver->create(kek, {});
    QVERIFY(aead.hasValue());
    const auto wrapped = (*aead)->wrap("dek-bytes").result();
    QVERIFY(wrapped.hasValue());
    const Reply dec = call(
        "Decrypt", {{QStringLiteral("KeyId"), Treasury},
                    {QStringLiteral("CiphertextBlob"), QString::fromLatin1(wrapped->toBase64())}});
    QCOMPARE(
        QByteArray::fromBase64(dec.body.value(QStringLiteral("Plaintext")).toString().toLatin1()),
        QByteArray("dek-bytes"));
    QCOMPARE((*aead)->unwrap(*wrapped).result().value(), QByteArray("dek-bytes"));
}

void TestAwsKmsDouble::assumeRoleIssuesCredentialsThatExpire()
{
    const HttpReply assumed =
        m_kms->route(signedAssumeRole(RoleForm, demoCredentials(), m_clock.nowMs()));
    QCOMPARE(assumed.status, 200);
    QVERIFY(assumed.body.startsWith("<AssumeRoleResponse"));
    QCOMPARE(m_kms->assumeRoleCalls(), 1);
    const kms::sigv4::Credentials temporary{element(assumed.body, "AccessKeyId").toUtf8(),
                                            element(assumed.body, "SecretAccessKey").toUtf8(),
                                            element(assumed.body, "SessionToken").toUtf8()};
    QVERIFY(temporary.accessKeyId.startsWith("ASIA"));
    QVERIFY(!temporary.sessionToken.isEmpty());
    QCOMPARE(element(assumed.body, "Expiration"), QStringLiteral("2026-12-06T13:00:00Z"));
    QCOMPARE(element(assumed.body, "Arn"),
             QStringLiteral("arn:aws:sts::111122223333:assumed-role/keywarden-csfle/"
                            "confluent-encrypt"));

    const QJsonObject body{{QStringLiteral("KeyId"), Treasury},
                           {QStringLiteral("Plaintext"), QStringLiteral("ZGVr")}};
    QCOMPARE(call("Encrypt", body, temporary).status, 200);
    // The token is part of the credentials.
    kms::sigv4::Credentials tokenless = temporary;
    tokenless.sessionToken.clear();
    QCOMPARE(call("Encrypt", body, tokenless).type(),
             QStringLiteral("UnrecognizedClientException"));

    m_clock.advanceMs(3600 * 1000);
    const Reply expired = call("Encrypt", body, temporary);
    QCOMPARE(expired.status, 400);
    QCOMPARE(expired.type(), QStringLiteral("ExpiredTokenException"));
    const HttpReply again = m_kms->route(signedAssumeRole(RoleForm, temporary, m_clock.nowMs()));
    QCOMPARE(again.status, 400);
    QCOMPARE(element(again.body, "Code"), QStringLiteral("ExpiredToken"));
    QVERIFY(again.body.startsWith("<ErrorResponse"));
}

void TestAwsKmsDouble::assumeRoleErrors()
{
    m_kms->addRole(QString(AwsKmsDouble::RoleArn), QStringLiteral("treasury-7f3a"));
    const QString expected =
        QStringLiteral("User: %1 is not authorized to perform: "
                       "sts:AssumeRole on resource: %2")
            .arg(QString(AwsKmsDouble::PrincipalArn), QString(AwsKmsDouble::RoleArn));
    for (const QByteArray &extra : {QByteArray(), QByteArray("&ExternalId=guess")}) {
        const HttpReply denied =
            m_kms->route(signedAssumeRole(RoleForm + extra, demoCredentials(), m_clock.nowMs()));
        QCOMPARE(denied.status, 403);
        QCOMPARE(element(denied.body, "Code"), QStringLiteral("AccessDenied"));
        QCOMPARE(element(denied.body, "Message"), expected);
    }
    QCOMPARE(m_kms
                 ->route(signedAssumeRole(RoleForm + "&ExternalId=treasury-7f3a", demoCredentials(),
                                          m_clock.nowMs()))
                 .status,
             200);

    kms::sigv4::Credentials wrong = demoCredentials();
    wrong.secretAccessKey = "not-the-secret";
    const HttpReply unsigned_ = m_kms->route(signedAssumeRole(RoleForm, wrong, m_clock.nowMs()));
    QCOMPARE(unsigned_.status, 403);
    QCOMPARE(element(unsigned_.body, "Code"), QStringLiteral("SignatureDoesNotMatch"));
    QCOMPARE(m_kms->assumeRoleCalls(), 3);
}

QTEST_GUILESS_MAIN(TestAwsKmsDouble)
#include "tst_awskmsdouble.moc"
