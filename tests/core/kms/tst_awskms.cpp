#include "core/kms/awskms.h"
#include "core/sandbox/awskmsdouble.h"
#include "core/sandbox/sandbox.h"

#include <QFuture>
#include <QTest>

using namespace kw;
using namespace kw::kms;

namespace {

const QString Treasury = QString(sandbox::AwsKmsDouble::TreasuryKeyArn);
const QString Retired = QString(sandbox::AwsKmsDouble::RetiredKeyArn);

QStringList g_log;

void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    // Qt HTTP Server's own request dump is the sandbox's server side (the KMS's end of the
    // wire), not a log line of Keywarden's client.
    if (QByteArrayView(context.category).startsWith("qt.httpserver"))
        return;
    g_log.append(QString::fromLatin1(context.category) + QStringLiteral(": ") + message);
}

template<typename T>
T await(QFuture<T> future)
{
    // The sandbox's server lives in this thread: keep its event loop turning while waiting.
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 20000);
    }();
    return future.result();
}

} // namespace

class TestAwsKms : public QObject
{
    Q_OBJECT

private:
    KekRef kek(const QString &keyId) const
    {
        KekRef k;
        k.name = QStringLiteral("treasury-aws");
        k.kmsType = QStringLiteral("aws-kms");
        k.kmsKeyId = keyId;
        return k;
    }
    KmsConfig config() const { return m_sandbox->kmsSettings().value(QStringLiteral("aws-kms")); }
    Result<QByteArray> wrap(const QString &keyId, const QByteArray &dek, KmsConfig cfg = {})
    {
        if (cfg.isEmpty())
            cfg = config();
        auto aead = m_driver.create(kek(keyId), cfg);
        if (!aead)
            return aead.error();
        return await((*aead)->wrap(dek));
    }
    Result<QByteArray> unwrap(const QString &keyId, const QByteArray &blob)
    {
        auto aead = m_driver.create(kek(keyId), config());
        if (!aead)
            return aead.error();
        return await((*aead)->unwrap(blob));
    }

    std::unique_ptr<sandbox::Sandbox> m_sandbox;
    std::shared_ptr<sandbox::AwsKmsDouble> m_kms;
    AwsKmsDriver m_driver;

private Q_SLOTS:
    void init()
    {
        m_sandbox = std::make_unique<sandbox::Sandbox>();
        const auto started = m_sandbox->start();
        QVERIFY2(started, qPrintable(started.error().message));
        m_kms = std::dynamic_pointer_cast<sandbox::AwsKmsDouble>(
            m_sandbox->kmsDouble(QStringLiteral("aws-kms")));
        QVERIFY(m_kms);
        m_kms->seedDemoKeys(Clock::system());
    }
    void cleanup()
    {
        m_kms.reset();
        m_sandbox.reset();
    }

    void targetAndMultiRegionKeys()
    {
        const QString mrk = QStringLiteral(
            "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab");
        QCOMPARE(AwsKmsDriver::target(Treasury, {})->region, QStringLiteral("eu-west-1"));
        const KmsConfig regional{{QStringLiteral("region"), QStringLiteral("eu-central-1")}};
        QCOMPARE(AwsKmsDriver::target(mrk, regional)->keyId,
                 QString(mrk).replace(QStringLiteral("us-east-1"), QStringLiteral("eu-central-1")));
        QCOMPARE(AwsKmsDriver::target(mrk, regional)->region, QStringLiteral("eu-central-1"));
        KmsConfig disabled = regional;
        disabled.insert(QStringLiteral("aws.disable.dynamic.mrk"), QStringLiteral("true"));
        QCOMPARE(AwsKmsDriver::target(mrk, disabled)->keyId, mrk);
        // A single-Region key keeps its region.
        QCOMPARE(AwsKmsDriver::target(Treasury, regional)->region, QStringLiteral("eu-west-1"));
        QCOMPARE(AwsKmsDriver::target(QStringLiteral("alias/x"), {}).error().code,
                 QString(ErrorNotConfigured));
        QCOMPARE(AwsKmsDriver::errorCode(QStringLiteral("com.amazonaws.kms#NotFoundException")),
                 QStringLiteral("NotFoundException"));
    }

    void credentialsFromSettingsThenEnvironment()
    {
        qputenv("AWS_ACCESS_KEY_ID", "AKIAENV");
        qputenv("AWS_SECRET_ACCESS_KEY", "envsecret");
        qputenv("AWS_SESSION_TOKEN", "envtoken");
        const auto fromEnv = AwsKmsDriver::credentials({});
        QCOMPARE(fromEnv->accessKeyId, QByteArray("AKIAENV"));
        QCOMPARE(fromEnv->sessionToken, QByteArray("envtoken"));
        const auto fromSettings = AwsKmsDriver::credentials(config());
        QCOMPARE(fromSettings->accessKeyId, QByteArray("AKIAKEYWARDENSANDBOX"));
        QVERIFY(fromSettings->sessionToken.isEmpty());
        qunsetenv("AWS_ACCESS_KEY_ID");
        qunsetenv("AWS_SECRET_ACCESS_KEY");
        qunsetenv("AWS_SESSION_TOKEN");
        QCOMPARE(AwsKmsDriver::credentials({}).error().code, QString(ErrorNotConfigured));
    }

    void roundTrip()
    {
        const auto wrapped = wrap(Treasury, "dek-material");
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));
        const auto unwrapped = unwrap(Treasury, *wrapped);
        QVERIFY2(unwrapped, qPrintable(unwrapped.error().message));
        QCOMPARE(*unwrapped, QByteArray("dek-material"));
        // The same bytes the double's own API would decrypt (what Confluent stores).
        QCOMPARE(m_kms->decryptLocally(*wrapped).value(), QByteArray("dek-material"));
    }

    void keyStateEnabledWithRotation()
    {
        const auto state = await(m_driver.keyState(kek(Treasury), config()));
        QVERIFY2(state, qPrintable(state.error().message));
        QCOMPARE(state->status, KmsKeyState::Status::Enabled);
        QCOMPARE(state->providerState, QStringLiteral("Enabled"));
        QCOMPARE(state->keyName, Treasury);
        QCOMPARE(state->autoRotation, std::optional<bool>(true));
        QCOMPARE(state->rotationPeriodDays, 365);
        QVERIFY(state->nextRotationMs > QDateTime::currentMSecsSinceEpoch());
    }

    void keyStatePendingDeletion()
    {
        const auto state = await(m_driver.keyState(kek(Retired), config()));
        QVERIFY2(state, qPrintable(state.error().message));
        QCOMPARE(state->status, KmsKeyState::Status::PendingDeletion);
        QVERIFY(state->deletionMs > QDateTime::currentMSecsSinceEpoch());
    }

    void errors()
    {
        const auto pending = wrap(Retired, "x");
        QCOMPARE(pending.error().code, QString(ErrorKeyPendingDeletion));
        QVERIFY(pending.error().message.contains(Retired));
        QVERIFY(pending.error().message.contains(QStringLiteral("pending deletion")));

        const QString missing = QStringLiteral(
            "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000");
        const auto notFound = wrap(missing, "x");
        QCOMPARE(notFound.error().code, QString(ErrorKeyNotFound));
        QVERIFY(notFound.error().message.contains(missing));

        const auto blob = wrap(Treasury, "x");
        QVERIFY(blob);
        QByteArray bad = *blob;
        bad[bad.size() - 1] = char(bad.at(bad.size() - 1) ^ 1);
        QCOMPARE(unwrap(Treasury, bad).error().code, QString(ErrorBadCiphertext));

        m_kms->addAccessKey(QStringLiteral("AKIAAUDITOR"), QStringLiteral("auditor-secret"),
                            QStringLiteral("arn:aws:iam::111122223333:user/auditor"));
        m_kms->denyAccess(QStringLiteral("AKIAAUDITOR"), Treasury);
        KmsConfig auditor = config();
        auditor.insert(QStringLiteral("access.key.id"), QStringLiteral("AKIAAUDITOR"));
        auditor.insert(QStringLiteral("secret.access.key"), QStringLiteral("auditor-secret"));
        const auto denied = wrap(Treasury, "x", auditor);
        QCOMPARE(denied.error().code, QString(ErrorAccessDenied));
        QVERIFY(denied.error().message.contains(
            QStringLiteral("arn:aws:iam::111122223333:user/auditor")));
        QVERIFY(denied.error().message.contains(Treasury));

        KmsConfig wrongSecret = config();
        wrongSecret.insert(QStringLiteral("secret.access.key"), QStringLiteral("not-the-secret"));
        const auto badSignature = wrap(Treasury, "x", wrongSecret);
        QCOMPARE(badSignature.error().code, QString(ErrorAccessDenied));
        QVERIFY(badSignature.error().message.contains(QStringLiteral("AKIAKEYWARDENSANDBOX")));
        QVERIFY(!badSignature.error().message.contains(QStringLiteral("not-the-secret")));

        m_kms->setKeyState(Treasury, QStringLiteral("Disabled"));
        const auto disabled = unwrap(Treasury, *blob);
        QCOMPARE(disabled.error().code, QString(ErrorKeyDisabled));
        QVERIFY(disabled.error().message.contains(Treasury));
    }

    void throttlingIsRetriedThenReported()
    {
        m_kms->throttleNextCalls(2);
        const int before = m_kms->acceptedRequests();
        QVERIFY(wrap(Treasury, "x"));
        QCOMPARE(m_kms->acceptedRequests() - before, 3);

        m_kms->throttleNextCalls(100);
        const auto throttled = wrap(Treasury, "x");
        QCOMPARE(throttled.error().code, QString(ErrorThrottled));
        QVERIFY(throttled.error().message.contains(Treasury));
    }

    void noSecretInDebugLogs()
    {
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true"));
        g_log.clear();
        const QtMessageHandler previous = qInstallMessageHandler(captureLog);
        KmsConfig temporary = config();
        m_kms->addAccessKey(QStringLiteral("ASIATEMPORARY"), QStringLiteral("temp-secret-value"),
                            QStringLiteral("arn:aws:sts::111122223333:assumed-role/kw/s"),
                            QStringLiteral("SESSION-TOKEN-VALUE"));
        temporary.insert(QStringLiteral("access.key.id"), QStringLiteral("ASIATEMPORARY"));
        temporary.insert(QStringLiteral("secret.access.key"), QStringLiteral("temp-secret-value"));
        temporary.insert(QStringLiteral("session.token"), QStringLiteral("SESSION-TOKEN-VALUE"));
        const auto wrapped = wrap(Treasury, "x", temporary);
        m_kms->throttleNextCalls(1);
        const auto again = wrap(Treasury, "x", temporary);
        qInstallMessageHandler(previous);
        QLoggingCategory::setFilterRules(QString());
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));
        QVERIFY(again);
        QVERIFY(!g_log.isEmpty());
        for (const QString &line : std::as_const(g_log)) {
            QVERIFY2(!line.contains(QStringLiteral("temp-secret-value")), qPrintable(line));
            QVERIFY2(!line.contains(QStringLiteral("SESSION-TOKEN-VALUE")), qPrintable(line));
            QVERIFY2(!line.contains(QStringLiteral("Signature=")), qPrintable(line));
            QVERIFY2(!line.contains(QString(sandbox::AwsKmsDouble::SecretAccessKey)),
                     qPrintable(line));
        }
    }
};

QTEST_GUILESS_MAIN(TestAwsKms)
#include "tst_awskms.moc"
