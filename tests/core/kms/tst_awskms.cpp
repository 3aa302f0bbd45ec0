#include "core/kms/awskms.h"
#include "core/sandbox/awskmsdouble.h"
#include "core/sandbox/sandbox.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFuture>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

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
        auto aead = m_driver->create(kek(keyId), cfg);
        if (!aead)
            return aead.error();
        return await((*aead)->wrap(dek));
    }
    Result<QByteArray> unwrap(const QString &keyId, const QByteArray &blob)
    {
        auto aead = m_driver->create(kek(keyId), config());
        if (!aead)
            return aead.error();
        return await((*aead)->unwrap(blob));
    }

    std::unique_ptr<sandbox::Sandbox> m_sandbox;
    std::shared_ptr<sandbox::AwsKmsDouble> m_kms;
    // Fresh per test: its cache of assumed roles' credentials belongs to one sandbox.
    std::optional<AwsKmsDriver> m_driver;

    // The sandbox's settings with its keys replaced by the demo role to assume.
    KmsConfig roleConfig() const
    {
        KmsConfig cfg = config();
        cfg.insert(QStringLiteral("role.arn"), QString(sandbox::AwsKmsDouble::RoleArn));
        return cfg;
    }
    // A shared credentials file in m_home with the sandbox's keys as [sandbox].
    QString writeCredentialsFile(const QByteArray &extra = {})
    {
        const QString path = m_home->filePath(QStringLiteral("credentials"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write("# Keywarden test\n[other]\naws_access_key_id = AKIAOTHER\n"
                   "aws_secret_access_key = other-secret\n\n[sandbox]\naws_access_key_id = " +
                   QByteArray(sandbox::AwsKmsDouble::AccessKeyId.data()) +
                   "\naws_secret_access_key = " +
                   QByteArray(sandbox::AwsKmsDouble::SecretAccessKey.data()) + "\n" + extra);
        return path;
    }
    std::optional<QTemporaryDir> m_home;

private Q_SLOTS:
    void init()
    {
        m_driver.emplace();
        m_home.emplace();
        QVERIFY(m_home->isValid());
        // Never the machine's own AWS files or variables.
        qputenv("AWS_SHARED_CREDENTIALS_FILE", m_home->filePath(QStringLiteral("none")).toUtf8());
        qputenv("AWS_CONFIG_FILE", m_home->filePath(QStringLiteral("none-config")).toUtf8());
        for (const char *name : {"AWS_PROFILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
                                 "AWS_ROLE_EXTERNAL_ID", "AWS_WEB_IDENTITY_TOKEN_FILE",
                                 "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"})
            qunsetenv(name);
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
        m_driver.reset();
        m_home.reset();
        qunsetenv("AWS_SHARED_CREDENTIALS_FILE");
        qunsetenv("AWS_CONFIG_FILE");
        qunsetenv("AWS_PROFILE");
    }

    void staticKeysBeatProfile()
    {
        qputenv("AWS_SHARED_CREDENTIALS_FILE", writeCredentialsFile().toUtf8());
        KmsConfig both = config();
        both.insert(QStringLiteral("profile"), QStringLiteral("other"));
        QCOMPARE(AwsKmsDriver::credentials(both)->accessKeyId, QByteArray("AKIAKEYWARDENSANDBOX"));
        const KmsConfig profileOnly{{QStringLiteral("profile"), QStringLiteral("other")}};
        QCOMPARE(AwsKmsDriver::credentials(profileOnly)->accessKeyId, QByteArray("AKIAOTHER"));
        QCOMPARE(AwsKmsDriver::credentials(profileOnly)->secretAccessKey,
                 QByteArray("other-secret"));
        // The setting's profile beats the environment's keys; these beat AWS_PROFILE.
        qputenv("AWS_ACCESS_KEY_ID", "AKIAENV");
        qputenv("AWS_SECRET_ACCESS_KEY", "envsecret");
        qputenv("AWS_PROFILE", "other");
        QCOMPARE(AwsKmsDriver::credentials(profileOnly)->accessKeyId, QByteArray("AKIAOTHER"));
        QCOMPARE(AwsKmsDriver::credentials({})->accessKeyId, QByteArray("AKIAENV"));
        qunsetenv("AWS_ACCESS_KEY_ID");
        qunsetenv("AWS_SECRET_ACCESS_KEY");
        QCOMPARE(AwsKmsDriver::credentials({})->accessKeyId, QByteArray("AKIAOTHER"));
        // Nothing named: the [default] profile, when the files have one.
        qunsetenv("AWS_PROFILE");
        QCOMPARE(AwsKmsDriver::credentials({}).error().code, QString(ErrorNotConfigured));
        qputenv("AWS_SHARED_CREDENTIALS_FILE",
                writeCredentialsFile("[default]\naws_access_key_id = AKIADEFAULT\n"
                                     "aws_secret_access_key = default-secret\n")
                    .toUtf8());
        QCOMPARE(AwsKmsDriver::credentials({})->accessKeyId, QByteArray("AKIADEFAULT"));
    }

    void profileFromFilesWrapsAndUnwraps()
    {
        qputenv("AWS_SHARED_CREDENTIALS_FILE", writeCredentialsFile().toUtf8());
        qputenv("AWS_PROFILE", "sandbox");
        KmsConfig cfg = config();
        cfg.remove(QStringLiteral("access.key.id"));
        cfg.remove(QStringLiteral("secret.access.key"));
        const auto wrapped = wrap(Treasury, "dek-from-profile", cfg);
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));
        QCOMPARE(m_kms->decryptLocally(*wrapped).value(), QByteArray("dek-from-profile"));

        // The config file's [profile name] sections hold keys too, session token included.
        const QString configPath = m_home->filePath(QStringLiteral("config"));
        QFile configFile(configPath);
        QVERIFY(configFile.open(QIODevice::WriteOnly));
        configFile.write("[default]\nregion = eu-west-1\n[profile temp]\n"
                         "aws_access_key_id = ASIACONFIG\naws_secret_access_key = cfg-secret\n"
                         "aws_session_token = cfg-token\n");
        configFile.close();
        qputenv("AWS_CONFIG_FILE", configPath.toUtf8());
        const auto temp =
            AwsKmsDriver::credentials({{QStringLiteral("profile"), QStringLiteral("temp")}});
        QVERIFY2(temp, qPrintable(temp.error().message));
        QCOMPARE(temp->accessKeyId, QByteArray("ASIACONFIG"));
        QCOMPARE(temp->sessionToken, QByteArray("cfg-token"));
    }

    void missingProfileIsNotConfigured()
    {
        const QString path = writeCredentialsFile();
        qputenv("AWS_SHARED_CREDENTIALS_FILE", path.toUtf8());
        const auto missing =
            AwsKmsDriver::credentials({{QStringLiteral("profile"), QStringLiteral("nope")}});
        QCOMPARE(missing.error().code, QString(ErrorNotConfigured));
        QVERIFY(missing.error().message.contains(QStringLiteral("'nope'")));
        QVERIFY(missing.error().message.contains(QDir::toNativeSeparators(path)));
        QVERIFY(!missing.error().message.contains(QStringLiteral("other-secret")));
        qputenv("AWS_PROFILE", "gone");
        const auto fromEnv = AwsKmsDriver::credentials({});
        QCOMPARE(fromEnv.error().code, QString(ErrorNotConfigured));
        QVERIFY(fromEnv.error().message.contains(QStringLiteral("'gone'")));
        QVERIFY(fromEnv.error().message.contains(QStringLiteral("AWS_PROFILE")));
        // Through the driver: no request is made.
        KmsConfig cfg = config();
        cfg.remove(QStringLiteral("access.key.id"));
        cfg.insert(QStringLiteral("profile"), QStringLiteral("nope"));
        QCOMPARE(wrap(Treasury, "x", cfg).error().code, QString(ErrorNotConfigured));
    }

    void roleFromSettingsAndEnvironment()
    {
        QVERIFY(AwsKmsDriver::role({}).roleArn.isEmpty());
        const auto fromSettings = AwsKmsDriver::role(roleConfig());
        QCOMPARE(fromSettings.roleArn, QString(sandbox::AwsKmsDouble::RoleArn));
        QCOMPARE(fromSettings.sessionName, QStringLiteral("confluent-encrypt"));
        qputenv("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/env");
        qputenv("AWS_ROLE_SESSION_NAME", "env-session");
        qputenv("AWS_ROLE_EXTERNAL_ID", "env-external");
        const auto fromEnv = AwsKmsDriver::role({});
        QCOMPARE(fromEnv.roleArn, QStringLiteral("arn:aws:iam::111122223333:role/env"));
        QCOMPARE(fromEnv.sessionName, QStringLiteral("env-session"));
        QCOMPARE(fromEnv.externalId, QStringLiteral("env-external"));
        QCOMPARE(AwsKmsDriver::role(roleConfig()).roleArn, QString(sandbox::AwsKmsDouble::RoleArn));
        qputenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token");
        QVERIFY(AwsKmsDriver::role(roleConfig()).roleArn.isEmpty());
        for (const char *name : {"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_ROLE_EXTERNAL_ID",
                                 "AWS_WEB_IDENTITY_TOKEN_FILE"})
            qunsetenv(name);
        QCOMPARE(AwsKmsDriver::stsEndpoint(QStringLiteral("eu-west-1"), {}),
                 QStringLiteral("https://sts.eu-west-1.amazonaws.com/"));
    }

    void assumeRoleRoundTripIsCached()
    {
        // The master key itself may not use the key: only the role's credentials can.
        m_kms->denyAccess(QString(sandbox::AwsKmsDouble::AccessKeyId), Treasury);
        QCOMPARE(wrap(Treasury, "x").error().code, QString(ErrorAccessDenied));

        const int before = m_kms->assumeRoleCalls();
        QList<QByteArray> blobs;
        for (int i = 0; i < 3; ++i) {
            const auto wrapped = wrap(Treasury, "dek-" + QByteArray::number(i), roleConfig());
            QVERIFY2(wrapped, qPrintable(wrapped.error().message));
            blobs.append(*wrapped);
        }
        auto aead = m_driver->create(kek(Treasury), roleConfig());
        QVERIFY(aead);
        const auto unwrapped = await((*aead)->unwrap(blobs.at(2)));
        QVERIFY2(unwrapped, qPrintable(unwrapped.error().message));
        QCOMPARE(*unwrapped, QByteArray("dek-2"));
        const auto state = await(m_driver->keyState(kek(Treasury), roleConfig()));
        QVERIFY2(state, qPrintable(state.error().message));
        QCOMPARE(state->status, KmsKeyState::Status::Enabled);
        QCOMPARE(m_kms->assumeRoleCalls() - before, 1);

        // Credentials KMS calls expired are dropped from the cache: the next call assumes again.
        m_kms->expireTemporaryCredentials();
        const auto expired = wrap(Treasury, "z", roleConfig());
        QCOMPARE(expired.error().code, QString(ErrorAccessDenied));
        QVERIFY2(expired.error().message.contains(QStringLiteral("ExpiredTokenException")),
                 qPrintable(expired.error().message));
        QVERIFY2(wrap(Treasury, "z", roleConfig()), "a fresh AssumeRole");
        QCOMPARE(m_kms->assumeRoleCalls() - before, 2);

        // Another session name is another set of credentials.
        KmsConfig other = roleConfig();
        other.insert(QStringLiteral("role.session.name"), QStringLiteral("keywarden-audit"));
        QVERIFY(wrap(Treasury, "y", other));
        QCOMPARE(m_kms->assumeRoleCalls() - before, 3);
    }

    void assumeRoleWithWrongExternalIdIsDenied()
    {
        const QString role = QString(sandbox::AwsKmsDouble::RoleArn);
        m_kms->addRole(role, QStringLiteral("treasury-7f3a"));
        const auto missing = wrap(Treasury, "x", roleConfig());
        QCOMPARE(missing.error().code, QString(ErrorAccessDenied));
        KmsConfig wrong = roleConfig();
        wrong.insert(QStringLiteral("role.external.id"), QStringLiteral("guess"));
        const auto denied = wrap(Treasury, "x", wrong);
        QCOMPARE(denied.error().code, QString(ErrorAccessDenied));
        QVERIFY2(denied.error().message.contains(QString(sandbox::AwsKmsDouble::PrincipalArn)),
                 qPrintable(denied.error().message));
        QVERIFY(denied.error().message.contains(role));
        QVERIFY(denied.error().message.contains(QStringLiteral("sts:AssumeRole")));
        QVERIFY(!denied.error().message.contains(QString(sandbox::AwsKmsDouble::SecretAccessKey)));

        KmsConfig right = roleConfig();
        right.insert(QStringLiteral("role.external.id"), QStringLiteral("treasury-7f3a"));
        const auto wrapped = wrap(Treasury, "x", right);
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));

        // Master credentials STS does not know.
        KmsConfig badMaster = roleConfig();
        badMaster.insert(QStringLiteral("secret.access.key"), QStringLiteral("not-the-secret"));
        const auto refused = wrap(Treasury, "x", badMaster);
        QCOMPARE(refused.error().code, QString(ErrorAccessDenied));
        QVERIFY(refused.error().message.contains(role));
        QVERIFY(!refused.error().message.contains(QStringLiteral("not-the-secret")));
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
        const auto state = await(m_driver->keyState(kek(Treasury), config()));
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
        const auto state = await(m_driver->keyState(kek(Retired), config()));
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

    // Through the registry, as the decryptor and the workflows use it: AWS says only "is
    // pending deletion"; the error names the date from DescribeKey.
    void pendingDeletionNamesTheDate()
    {
        auto state = await(m_driver->keyState(kek(Retired), config()));
        QVERIFY2(state, qPrintable(state.error().message));
        QVERIFY(state->deletionMs > 0);
        const QString day = QDateTime::fromMSecsSinceEpoch(state->deletionMs)
                                .toUTC()
                                .toString(QStringLiteral("yyyy-MM-dd"));
        const auto aead = kms::KmsRegistry::withBuiltInDrivers().aeadFor(
            kek(Retired), kms::KmsSettings{{QStringLiteral("aws-kms"), config()}});
        QVERIFY(aead);
        const auto wrapped = await((*aead)->wrap("dek"));
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(ErrorKeyPendingDeletion));
        QVERIFY2(wrapped.error().message.contains(
                     QStringLiteral("The KMS deletes the key on %1 ").arg(day)),
                 qPrintable(wrapped.error().message));
    }

    void unreachable()
    {
        KmsConfig nowhere = config();
        nowhere.insert(QString(AwsKmsDriver::EndpointKey), QStringLiteral("http://127.0.0.1:1"));
        const auto wrapped = wrap(Treasury, "x", nowhere);
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(ErrorUnavailable));
        QVERIFY2(wrapped.error().message.contains(QLatin1String("127.0.0.1:1")),
                 qPrintable(wrapped.error().message));
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
        const auto viaRole = wrap(Treasury, "x", roleConfig());
        qInstallMessageHandler(previous);
        QVERIFY2(viaRole, qPrintable(viaRole.error().message));
        QLoggingCategory::setFilterRules(QString());
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));
        QVERIFY(again);
        QVERIFY(!g_log.isEmpty());
        for (const QString &line : std::as_const(g_log)) {
            QVERIFY2(!line.contains(QStringLiteral("temp-secret-value")), qPrintable(line));
            QVERIFY2(!line.contains(QStringLiteral("SESSION-TOKEN-VALUE")), qPrintable(line));
            QVERIFY2(!line.contains(QStringLiteral("Signature=")), qPrintable(line));
            // The role's temporary secret and token (the double's tokens start so).
            QVERIFY2(!line.contains(QStringLiteral("IQoJb3JpZ2luX2VjE")), qPrintable(line));
            QVERIFY2(!line.contains(QStringLiteral("SecretAccessKey")), qPrintable(line));
            QVERIFY2(!line.contains(QString(sandbox::AwsKmsDouble::SecretAccessKey)),
                     qPrintable(line));
        }
    }
};

QTEST_GUILESS_MAIN(TestAwsKms)
#include "tst_awskms.moc"
