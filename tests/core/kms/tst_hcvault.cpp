// The hcvault driver against the sandbox's Vault double, served by a real sandbox::Sandbox:
// round trips with a token and with AppRole, the key state, each error with its message, and
// no credential in any log line.

#include "core/kms/hcvault.h"
#include "core/sandbox/sandbox.h"
#include "core/sandbox/vaultdouble.h"

#include <QFuture>
#include <QLoggingCategory>
#include <QMutex>
#include <QTcpServer>
#include <QTest>

using namespace kw;
using namespace kw::kms;
using kw::sandbox::VaultDouble;

namespace {

constexpr qint64 StartMs = 1764979200000; // 2025-12-06 00:00 UTC

template<typename T>
Result<T> take(QFuture<Result<T>> future)
{
    // The driver's futures finish on the KMS thread; the sandbox serves on this one.
    if (!QTest::qWaitFor([&] { return future.isFinished(); }, 30000))
        return makeError(QStringLiteral("test.timeout"), QStringLiteral("no answer"));
    return future.result();
}

QStringList g_log;
QMutex g_logMutex;

void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    QMutexLocker lock(&g_logMutex);
    g_log.append(QString::fromLatin1(context.category ? context.category : "") +
                 QLatin1String(": ") + message);
}

// As QT_LOGGING_RULES="*.debug=true" would (ctest sets *.debug=false, which outranks
// QLoggingCategory::setFilterRules), every category's debug output on.
QLoggingCategory::CategoryFilter g_previousFilter = nullptr;

void enableAllDebug(QLoggingCategory *category)
{
    if (g_previousFilter)
        g_previousFilter(category);
    category->setEnabled(QtDebugMsg, true);
    category->setEnabled(QtInfoMsg, true);
}

} // namespace

class TestHcVault : public QObject
{
    Q_OBJECT

private:
    ManualClock clock{StartMs};
    sandbox::Sandbox box{clock};
    std::shared_ptr<VaultDouble> vault;
    std::unique_ptr<HcVaultDriver> driver;

    static KekRef kek(const QString &keyId)
    {
        return {QStringLiteral("test-vault"), QStringLiteral("hcvault"), keyId, {}, false};
    }
    static QString keyId(const QString &name, const QString &mount = QStringLiteral("transit"))
    {
        return QStringLiteral("https://vault.example.internal:8200/%1/keys/%2").arg(mount, name);
    }
    KmsConfig tokenConfig() const { return box.kmsSettings().value(QStringLiteral("hcvault")); }
    KmsConfig appRoleConfig() const
    {
        KmsConfig config = tokenConfig();
        config.remove(QString::fromLatin1(HcVaultDriver::TokenKey));
        config.insert(QString::fromLatin1(HcVaultDriver::RoleIdKey),
                      QString::fromLatin1(VaultDouble::RoleId));
        config.insert(QString::fromLatin1(HcVaultDriver::SecretIdKey),
                      QString::fromLatin1(VaultDouble::SecretId));
        return config;
    }
    std::shared_ptr<KmsAead> aead(const QString &id, const KmsConfig &config)
    {
        auto made = driver->create(kek(id), config);
        if (!made)
            qWarning() << made.error().message;
        return made ? *made : nullptr;
    }
    Error wrapError(const QString &id, const KmsConfig &config)
    {
        auto a = aead(id, config);
        auto wrapped = take(a->wrap(QByteArray("dek material")));
        return wrapped ? Error{QStringLiteral("none"), QString()} : wrapped.error();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qunsetenv("VAULT_TOKEN");
        qunsetenv("VAULT_NAMESPACE");
        qunsetenv("VAULT_APPROLE_ROLE_ID");
        qunsetenv("VAULT_APPROLE_SECRET_ID");
        QVERIFY(box.start());
        vault = std::dynamic_pointer_cast<VaultDouble>(box.kmsDouble(QStringLiteral("hcvault")));
        QVERIFY(vault);
        vault->addKey(QString(), QStringLiteral("transit"), QStringLiteral("orders"));
        vault->addKey(QStringLiteral("team-a/"), QStringLiteral("transit"), QStringLiteral("ns"));
        vault->addKey(QString(), QStringLiteral("kms/transit"), QStringLiteral("deep"));
        driver = std::make_unique<HcVaultDriver>(clock);
    }

    void cleanup() { vault->throttleNext(0); }

    void parsesKeyIdsAsTinkGo()
    {
        auto id = parseVaultKeyId(QStringLiteral("hcvault://vault:8200/kms/transit/keys/k1"));
        QVERIFY(id);
        QCOMPARE(id->address, QUrl(QStringLiteral("https://vault:8200")));
        QCOMPARE(id->mount, QStringLiteral("kms/transit"));
        QCOMPARE(id->name, QStringLiteral("k1"));
        id = parseVaultKeyId(QStringLiteral("http://127.0.0.1:8200/transit/keys/k2"));
        QVERIFY(id);
        QCOMPARE(id->address, QUrl(QStringLiteral("http://127.0.0.1:8200")));
        QCOMPARE(id->mount, QStringLiteral("transit"));
        QVERIFY(!parseVaultKeyId(QStringLiteral("https://vault/transit/k3")));
        QCOMPARE(parseVaultKeyId(QStringLiteral("https://vault/keys/k3")).error().code,
                 QString(ErrorNotConfigured));
    }

    void roundTripWithToken()
    {
        auto a = aead(keyId(QStringLiteral("orders")), tokenConfig());
        QVERIFY(a);
        auto wrapped = take(a->wrap(QByteArray("dek material")));
        QVERIFY2(wrapped, qPrintable(wrapped ? QString() : wrapped.error().message));
        QVERIFY(wrapped->startsWith("vault:v1:"));
        auto plain = take(a->unwrap(*wrapped));
        QVERIFY2(plain, qPrintable(plain ? QString() : plain.error().message));
        QCOMPARE(*plain, QByteArray("dek material"));
    }

    void roundTripWithAppRoleCachesTheToken()
    {
        vault->setAppRole(QString::fromLatin1(VaultDouble::RoleId),
                          QString::fromLatin1(VaultDouble::SecretId), 3600);
        const int before = vault->logins();
        auto a = aead(keyId(QStringLiteral("orders")), appRoleConfig());
        auto wrapped = take(a->wrap(QByteArray("approle dek")));
        QVERIFY2(wrapped, qPrintable(wrapped ? QString() : wrapped.error().message));
        QCOMPARE(*take(a->unwrap(*wrapped)), QByteArray("approle dek"));
        QCOMPARE(vault->logins(), before + 1);
        // Still cached 59 minutes later (renewed a minute before the lease ends)...
        clock.advanceMs(3530LL * 1000);
        QVERIFY(take(a->unwrap(*wrapped)));
        QCOMPARE(vault->logins(), before + 1);
        // ...and logged in again in the lease's last minute.
        clock.advanceMs(20LL * 1000);
        QVERIFY(take(a->unwrap(*wrapped)));
        QCOMPARE(vault->logins(), before + 2);
    }

    void environmentFallbacksAndSettingsWin()
    {
        KmsConfig config = tokenConfig();
        const QString token = config.take(QString::fromLatin1(HcVaultDriver::TokenKey));
        qputenv("VAULT_TOKEN", token.toUtf8());
        QCOMPARE(wrapError(keyId(QStringLiteral("orders")), config).code, QStringLiteral("none"));
        // The setting wins over the environment.
        qputenv("VAULT_TOKEN", "hvs.not-this-one");
        QCOMPARE(wrapError(keyId(QStringLiteral("orders")), tokenConfig()).code,
                 QStringLiteral("none"));
        qunsetenv("VAULT_TOKEN");
    }

    void namespacesAndMultiSegmentMounts()
    {
        QCOMPARE(wrapError(keyId(QStringLiteral("ns")), tokenConfig()).code,
                 QString(ErrorKeyNotFound));
        KmsConfig config = tokenConfig();
        config.insert(QString::fromLatin1(HcVaultDriver::NamespaceKey), QStringLiteral("team-a"));
        QCOMPARE(wrapError(keyId(QStringLiteral("ns")), config).code, QStringLiteral("none"));
        QCOMPARE(
            wrapError(keyId(QStringLiteral("deep"), QStringLiteral("kms/transit")), tokenConfig())
                .code,
            QStringLiteral("none"));
    }

    // encrypt.alternate.kms.key.ids, as KmsRegistry::aeadFor applies it to every type: the
    // KEK's own key first, then the alternates in order, for wrap and unwrap; when all fail,
    // the KEK's own key's error, naming the alternates.
    void alternateKeyIdsAreTriedInOrder()
    {
        KmsRegistry registry;
        registry.add(std::make_shared<HcVaultDriver>());
        KmsConfig config = tokenConfig();
        config.insert(QStringLiteral("encrypt.alternate.kms.key.ids"),
                      QStringLiteral(" %1 ,%2").arg(keyId(QStringLiteral("missing-too")),
                                                    keyId(QStringLiteral("orders"))));
        const KmsSettings settings{{QStringLiteral("hcvault"), config}};
        auto a = registry.aeadFor(kek(keyId(QStringLiteral("gone"))), settings);
        QVERIFY2(a, qPrintable(a ? QString() : a.error().message));
        auto wrapped = take((*a)->wrap(QByteArray("x")));
        QVERIFY2(wrapped, qPrintable(wrapped ? QString() : wrapped.error().message));
        QCOMPARE(*take((*a)->unwrap(*wrapped)), QByteArray("x"));
        // What the alternate wrapped, its key alone opens.
        QCOMPARE(*take(aead(keyId(QStringLiteral("orders")), tokenConfig())->unwrap(*wrapped)),
                 QByteArray("x"));

        KmsConfig none = tokenConfig();
        none.insert(QStringLiteral("encrypt.alternate.kms.key.ids"),
                    keyId(QStringLiteral("missing-too")));
        auto b = registry.aeadFor(kek(keyId(QStringLiteral("gone"))),
                                  KmsSettings{{QStringLiteral("hcvault"), none}});
        QVERIFY(b);
        const auto failed = take((*b)->wrap(QByteArray("x")));
        QVERIFY(!failed);
        QCOMPARE(failed.error().code, QString(ErrorKeyNotFound));
        QVERIFY2(failed.error().message.contains(QLatin1String("gone")),
                 qPrintable(failed.error().message));
        QVERIFY2(failed.error().message.contains(
                     QStringLiteral("The alternate KMS key ids (%1) failed too")
                         .arg(keyId(QStringLiteral("missing-too")))),
                 qPrintable(failed.error().message));
    }

    void keyStateFromTheKeysEndpoint()
    {
        vault->addKey(QString(), QStringLiteral("transit"), QStringLiteral("rotating"), 1);
        clock.advanceMs(10LL * 86400 * 1000);
        vault->rotateKey(QString(), QStringLiteral("transit"), QStringLiteral("rotating"));
        const qint64 rotatedSec = clock.nowMs() / 1000;
        vault->rotateKey(QString(), QStringLiteral("transit"), QStringLiteral("rotating"));
        vault->setAutoRotatePeriod(QString(), QStringLiteral("transit"), QStringLiteral("rotating"),
                                   90LL * 86400);
        vault->setMinDecryptionVersion(QString(), QStringLiteral("transit"),
                                       QStringLiteral("rotating"), 2);
        vault->setDeletionAllowed(QString(), QStringLiteral("transit"), QStringLiteral("rotating"),
                                  true);
        auto state = take(driver->keyState(kek(keyId(QStringLiteral("rotating"))), tokenConfig()));
        QVERIFY2(state, qPrintable(state ? QString() : state.error().message));
        QCOMPARE(state->status, KmsKeyState::Status::Enabled);
        QCOMPARE(state->currentVersion, QStringLiteral("3"));
        QCOMPARE(state->autoRotation, std::optional<bool>(true));
        QCOMPARE(state->rotationPeriodDays, 90);
        QCOMPARE(state->lastRotationMs, rotatedSec * 1000);
        QCOMPARE(state->nextRotationMs, (rotatedSec + 90LL * 86400) * 1000);
        QCOMPARE(state->providerState, QStringLiteral("min_decryption_version 2"));
        const QString notes = state->notes.join(QLatin1Char('\n'));
        QVERIFY2(notes.contains(QLatin1String("Versions 1 to 1 cannot decrypt")),
                 qPrintable(notes));
        QVERIFY(notes.contains(QLatin1String("deletion_allowed is true")));
        QVERIFY(notes.contains(QLatin1String("estimate")));

        auto missing = take(driver->keyState(kek(keyId(QStringLiteral("never"))), tokenConfig()));
        QVERIFY(missing);
        QCOMPARE(missing->status, KmsKeyState::Status::Destroyed);
        QVERIFY(missing->isRevoked());
    }

    void accessDeniedNamesTheCredentialNotTheToken()
    {
        KmsConfig config = tokenConfig();
        config.insert(QString::fromLatin1(HcVaultDriver::TokenKey), QStringLiteral("hvs.wrong"));
        const Error e = wrapError(keyId(QStringLiteral("orders")), config);
        QCOMPARE(e.code, QString(ErrorAccessDenied));
        QVERIFY2(e.message.contains(QLatin1String("permission denied")), qPrintable(e.message));
        QVERIFY(e.message.contains(QLatin1String("the token from token.id")));
        QVERIFY(e.message.contains(QLatin1String("'transit/keys/orders'")));
        QVERIFY(!e.message.contains(QLatin1String("hvs.wrong")));
    }

    void expiredTokenIsDenied()
    {
        vault->addToken(QStringLiteral("hvs.short-lived"), 60);
        KmsConfig config = tokenConfig();
        config.insert(QString::fromLatin1(HcVaultDriver::TokenKey),
                      QStringLiteral("hvs.short-lived"));
        QCOMPARE(wrapError(keyId(QStringLiteral("orders")), config).code, QStringLiteral("none"));
        clock.advanceMs(61 * 1000);
        QCOMPARE(wrapError(keyId(QStringLiteral("orders")), config).code,
                 QString(ErrorAccessDenied));
    }

    void badAppRoleSecretIsDenied()
    {
        KmsConfig config = appRoleConfig();
        config.insert(QString::fromLatin1(HcVaultDriver::SecretIdKey),
                      QStringLiteral("wrong-secret-id"));
        const Error e = wrapError(keyId(QStringLiteral("orders")), config);
        QCOMPARE(e.code, QString(ErrorAccessDenied));
        QVERIFY2(e.message.contains(QLatin1String("role id 'keywarden-sandbox-role'")),
                 qPrintable(e.message));
        QVERIFY(e.message.contains(QLatin1String("invalid secret id")));
        QVERIFY(!e.message.contains(QLatin1String("wrong-secret-id")));
    }

    void keyNotFound()
    {
        const Error e = wrapError(keyId(QStringLiteral("missing")), tokenConfig());
        QCOMPARE(e.code, QString(ErrorKeyNotFound));
        QVERIFY2(e.message.contains(QLatin1String("no transit key 'transit/keys/missing'")),
                 qPrintable(e.message));
        const Error mount =
            wrapError(keyId(QStringLiteral("orders"), QStringLiteral("nomount")), tokenConfig());
        QCOMPARE(mount.code, QString(ErrorKeyNotFound));
        QVERIFY2(mount.message.contains(QLatin1String("no transit mount 'nomount'")),
                 qPrintable(mount.message));
    }

    void versionBelowMinDecryptionIsDisabled()
    {
        vault->addKey(QString(), QStringLiteral("transit"), QStringLiteral("retiring"));
        auto a = aead(keyId(QStringLiteral("retiring")), tokenConfig());
        auto wrapped = take(a->wrap(QByteArray("old dek")));
        QVERIFY(wrapped);
        vault->rotateKey(QString(), QStringLiteral("transit"), QStringLiteral("retiring"));
        vault->setMinDecryptionVersion(QString(), QStringLiteral("transit"),
                                       QStringLiteral("retiring"), 2);
        auto plain = take(a->unwrap(*wrapped));
        QVERIFY(!plain);
        QCOMPARE(plain.error().code, QString(ErrorKeyDisabled));
        QVERIFY2(plain.error().message.contains(QLatin1String("min_decryption_version")),
                 qPrintable(plain.error().message));
        QVERIFY(plain.error().message.contains(QLatin1String("transit/keys/retiring/config")));
    }

    void badCiphertext()
    {
        auto a = aead(keyId(QStringLiteral("orders")), tokenConfig());
        auto wrapped = take(a->wrap(QByteArray("dek")));
        QVERIFY(wrapped);
        // Flip one bit of the GCM tag inside vault:v1:<base64>.
        QByteArray raw = QByteArray::fromBase64(wrapped->mid(9));
        raw[raw.size() - 1] = char(raw.at(raw.size() - 1) ^ 0x01);
        const QByteArray tampered = wrapped->left(9) + raw.toBase64();
        auto plain = take(a->unwrap(tampered));
        QVERIFY(!plain);
        QCOMPARE(plain.error().code, QString(ErrorBadCiphertext));
        QVERIFY2(plain.error().message.contains(QLatin1String("message authentication failed")),
                 qPrintable(plain.error().message));
        auto noPrefix = take(a->unwrap(QByteArray("not-vault")));
        QCOMPARE(noPrefix.error().code, QString(ErrorBadCiphertext));
    }

    void throttlingIsRetriedThenReported()
    {
        vault->throttleNext(1);
        QCOMPARE(wrapError(keyId(QStringLiteral("orders")), tokenConfig()).code,
                 QStringLiteral("none"));
        vault->throttleNext(1000);
        const Error e = wrapError(keyId(QStringLiteral("orders")), tokenConfig());
        QCOMPARE(e.code, QString(ErrorThrottled));
        QVERIFY2(e.message.contains(QLatin1String("rate limit quota exceeded")),
                 qPrintable(e.message));
    }

    void unreachableVault()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        KmsConfig config = tokenConfig();
        config.insert(QString::fromLatin1(HcVaultDriver::AddressKey),
                      QStringLiteral("http://127.0.0.1:%1/vault").arg(port));
        const Error e = wrapError(keyId(QStringLiteral("orders")), config);
        QCOMPARE(e.code, QString(ErrorUnavailable));
        QVERIFY2(e.message.contains(
                     QStringLiteral("Cannot reach Vault at http://127.0.0.1:%1").arg(port)),
                 qPrintable(e.message));
    }

    void notConfigured()
    {
        KmsConfig config = tokenConfig();
        config.remove(QString::fromLatin1(HcVaultDriver::TokenKey));
        auto made = driver->create(kek(keyId(QStringLiteral("orders"))), config);
        QVERIFY(!made);
        QCOMPARE(made.error().code, QString(ErrorNotConfigured));
        QVERIFY2(made.error().message.contains(QLatin1String("VAULT_TOKEN")),
                 qPrintable(made.error().message));
        made = driver->create(kek(QStringLiteral("https://vault/transit/orders")), tokenConfig());
        QCOMPARE(made.error().code, QString(ErrorNotConfigured));
    }

    void noCredentialInAnyLogLine()
    {
        g_previousFilter = QLoggingCategory::installFilter(enableAllDebug);
        {
            QMutexLocker lock(&g_logMutex);
            g_log.clear();
        }
        const QtMessageHandler previous = qInstallMessageHandler(captureLog);
        auto a = aead(keyId(QStringLiteral("orders")), appRoleConfig());
        clock.advanceMs(7200LL * 1000); // a fresh login
        auto wrapped = take(a->wrap(QByteArray("logged dek")));
        const bool ok = wrapped && take(a->unwrap(*wrapped));
        KmsConfig bad = tokenConfig();
        bad.insert(QString::fromLatin1(HcVaultDriver::TokenKey), QStringLiteral("hvs.wrong"));
        const Error denied = wrapError(keyId(QStringLiteral("orders")), bad);
        qInstallMessageHandler(previous);
        QLoggingCategory::installFilter(g_previousFilter);
        QVERIFY(ok);
        QCOMPARE(denied.code, QString(ErrorAccessDenied));
        QMutexLocker lock(&g_logMutex);
        QVERIFY(g_log.join(QLatin1Char('\n')).contains(QLatin1String("keywarden.kms.hcvault")));
        for (const QString &line : std::as_const(g_log)) {
            // QHttpServer's own debug output shows the requests the double (the server side,
            // standing in for Vault) received, headers included; it is not Keywarden's.
            if (line.startsWith(QLatin1String("qt.httpserver")))
                continue;
            QVERIFY2(!line.contains(QLatin1String(VaultDouble::RootToken)), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String(VaultDouble::SecretId)), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("hvs.approle-")), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("hvs.wrong")), qPrintable(line));
        }
    }

    void cleanupTestCase()
    {
        driver.reset();
        box.stop();
    }
};

QTEST_GUILESS_MAIN(TestHcVault)
#include "tst_hcvault.moc"
