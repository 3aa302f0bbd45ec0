#include "core/crypto/crypto.h"
#include "core/kms/kms.h"
#include "core/kms/localkms.h"

#include <QFuture>
#include <QTest>

using namespace kw::kms;

namespace {

// Spec §4.5 (a) and (b), wrapped under local-kms with secret "mysecret".
const char *const GcmWrapped =
    "07V2ndh02DA73p+dTybwZFm7DKQSZN1tEwQh+FoX1DZLk4Yj2LLu4omYjp/84tAg3BYlkfGSz+zZacJHIE4=";
const char *const GcmProtoHex =
    "1a2041e5234c24a6a4f85b1d8237e99a12df8722f0c21837556acd0ec7adde5869cf";
const char *const SivWrapped =
    "YSx3DTlAHrmpoDChquJMifmPntBzxgRVdMzgYL82rgWBKn7aUSnG+WIu9ozBNS3y2vXd"
    "++mBtK07w4/W/G6w0da39X9hfOVZsGnkSvry/QRht84V8yz3dqKxGMOK5A==";
const char *const SivProtoHex =
    "12409b971301e8ef5f0d9ce82e8cb28ef8fb14fa74944f4e5a958f598389958e1e392b76c3e213b4a726c8437e3f"
    "0ee4a137bde3f4b8990e07aa8a050c8e7115498f";

QString secretKey()
{
    return QString(LocalKmsDriver::SecretKey);
}

KekRef localKek(const QString &name = QStringLiteral("kek1"),
                const QString &keyId = QStringLiteral("mykey"))
{
    KekRef kek;
    kek.name = name;
    kek.kmsType = QStringLiteral("local-kms");
    kek.kmsKeyId = keyId;
    return kek;
}

// The connection's settings with only a local-kms secret.
KmsSettings secretConfig(const QString &secret)
{
    return KmsSettings{{QStringLiteral("local-kms"), KmsConfig{{secretKey(), secret}}}};
}

// The local driver returns ready futures, so no event loop is needed; still insist they are.
kw::Result<QByteArray> take(QFuture<kw::Result<QByteArray>> future)
{
    if (!future.isFinished())
        return kw::makeError(QStringLiteral("test.pending"), QStringLiteral("not finished"));
    if (future.resultCount() != 1)
        return kw::makeError(QStringLiteral("test.no_result"), QStringLiteral("no result"));
    return future.result();
}

// Stands in for the driver of `type` and keeps the config each create() call was given.
class RecordingDriver final : public KmsDriver
{
public:
    explicit RecordingDriver(QString type)
        : m_type(std::move(type))
    {}
    QString kmsType() const override { return m_type; }
    KmsDriverInfo info() const override { return {m_type, m_type, {}, true}; }
    kw::Result<std::shared_ptr<KmsAead>> create(const KekRef &,
                                                const KmsConfig &config) const override
    {
        *m_seen = config;
        return kw::makeError(QString(ErrorUnavailable), QStringLiteral("recorded"));
    }
    [[nodiscard]] KmsConfig seen() const { return *m_seen; }

private:
    QString m_type;
    std::shared_ptr<KmsConfig> m_seen = std::make_shared<KmsConfig>();
};

KekRef kekOfType(const QString &type)
{
    KekRef kek = localKek(QStringLiteral("kek-") + type);
    kek.kmsType = type;
    return kek;
}

} // namespace

class TestLocalKms : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        // Tests must not depend on the developer's environment.
        qunsetenv(LocalKmsDriver::SecretEnvVar);
    }

    void cleanup() { qunsetenv(LocalKmsDriver::SecretEnvVar); }

    void registryKnowsLocalKms()
    {
        const KmsRegistry registry = KmsRegistry::withBuiltInDrivers();
        // Sorted; the cloud and Vault drivers join local-kms as they are written.
        for (const char *type : {"local-kms", "aws-kms", "gcp-kms", "hcvault"})
            QVERIFY2(registry.types().contains(QLatin1String(type)), type);
        QCOMPARE(LocalKmsDriver().kmsType(), QStringLiteral("local-kms"));
        QVERIFY(KmsRegistry().types().isEmpty());
    }

    void deriveKeyVector()
    {
        QCOMPARE(LocalKmsDriver::deriveKey(QStringLiteral("mysecret")).view().toByteArray().toHex(),
                 QByteArray("1ae4d97ac1e81594bfd1993c1a75ee36"));
    }

    void roundTrip()
    {
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(
            localKek(), secretConfig(QStringLiteral("round-trip-secret")));
        QVERIFY(aead);
        const QByteArray dek =
            kw::crypto::generateTinkKey(kw::crypto::DekAlgorithm::Aes256Gcm).view().toByteArray();

        const auto wrapped = take((*aead)->wrap(dek));
        QVERIFY(wrapped);
        QCOMPARE(wrapped->size(), 12 + dek.size() + 16);
        QVERIFY(!wrapped->contains(dek));
        const auto wrappedAgain = take((*aead)->wrap(dek));
        QVERIFY(wrappedAgain);
        QVERIFY(*wrapped != *wrappedAgain); // fresh IV per wrap

        for (const QByteArray &blob : {*wrapped, *wrappedAgain}) {
            const auto unwrapped = take((*aead)->unwrap(blob));
            QVERIFY(unwrapped);
            QCOMPARE(*unwrapped, dek);
        }
    }

    void officialVectorsUnwrap()
    {
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(
            localKek(), secretConfig(QStringLiteral("mysecret")));
        QVERIFY(aead);
        const auto gcm = take((*aead)->unwrap(QByteArray::fromBase64(GcmWrapped)));
        QVERIFY(gcm);
        QCOMPARE(gcm->toHex(), QByteArray(GcmProtoHex));
        const auto siv = take((*aead)->unwrap(QByteArray::fromBase64(SivWrapped)));
        QVERIFY(siv);
        QCOMPARE(siv->toHex(), QByteArray(SivProtoHex));
    }

    void kmsKeyIdIsNotPartOfTheKey()
    {
        const KmsRegistry registry = KmsRegistry::withBuiltInDrivers();
        const KmsSettings config = secretConfig(QStringLiteral("shared"));
        const auto a =
            registry.aeadFor(localKek(QStringLiteral("a"), QStringLiteral("key-a")), config);
        const auto b =
            registry.aeadFor(localKek(QStringLiteral("b"), QStringLiteral("key-b")), config);
        QVERIFY(a && b);
        const auto wrapped = take((*a)->wrap(QByteArray("dek bytes")));
        QVERIFY(wrapped);
        const auto unwrapped = take((*b)->unwrap(*wrapped));
        QVERIFY(unwrapped);
        QCOMPARE(*unwrapped, QByteArray("dek bytes"));
    }

    void mergeLetsKmsPropsWin()
    {
        const KmsConfig user{{secretKey(), QStringLiteral("user")},
                             {QStringLiteral("only.user"), QStringLiteral("u")}};
        const QMap<QString, QString> props{{secretKey(), QStringLiteral("kek")},
                                           {QStringLiteral("only.kek"), QStringLiteral("k")}};
        const KmsConfig merged = mergeKmsConfig(user, props);
        QCOMPARE(merged.size(), 3);
        QCOMPARE(merged.value(secretKey()), QStringLiteral("kek"));
        QCOMPARE(merged.value(QStringLiteral("only.user")), QStringLiteral("u"));
        QCOMPARE(merged.value(QStringLiteral("only.kek")), QStringLiteral("k"));
    }

    void kmsPropsSecretWinsOverUserSettings()
    {
        KekRef kek = localKek();
        kek.kmsProps.insert(secretKey(), QStringLiteral("mysecret"));
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(
            kek, secretConfig(QStringLiteral("wrong-user-secret")));
        QVERIFY(aead);
        const auto unwrapped = take((*aead)->unwrap(QByteArray::fromBase64(GcmWrapped)));
        QVERIFY(unwrapped);
        QCOMPARE(unwrapped->toHex(), QByteArray(GcmProtoHex));
    }

    void environmentFallback()
    {
        qputenv(LocalKmsDriver::SecretEnvVar, "mysecret");
        const KmsRegistry registry = KmsRegistry::withBuiltInDrivers();
        // No secret in the settings (absent or empty): LOCAL_SECRET is used.
        for (const KmsSettings &config : {KmsSettings{}, secretConfig(QString())}) {
            const auto aead = registry.aeadFor(localKek(), config);
            QVERIFY(aead);
            const auto unwrapped = take((*aead)->unwrap(QByteArray::fromBase64(GcmWrapped)));
            QVERIFY(unwrapped);
            QCOMPARE(unwrapped->toHex(), QByteArray(GcmProtoHex));
        }

        // A configured secret takes precedence over the environment.
        qputenv(LocalKmsDriver::SecretEnvVar, "wrong-env-secret");
        const auto aead = registry.aeadFor(localKek(), secretConfig(QStringLiteral("mysecret")));
        QVERIFY(aead);
        QVERIFY(take((*aead)->unwrap(QByteArray::fromBase64(GcmWrapped))));
    }

    void missingSecret()
    {
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(localKek(), KmsSettings{});
        QVERIFY(!aead);
        QCOMPARE(aead.error().code, QString(ErrorNotConfigured));
        const QString message = aead.error().message;
        QVERIFY(message.contains(QStringLiteral("kek1")));
        QVERIFY(message.contains(QStringLiteral("KMS settings")));
        QVERIFY(message.contains(QStringLiteral("LOCAL_SECRET")));
    }

    void wrongSecret()
    {
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(
            localKek(), secretConfig(QStringLiteral("not-mysecret")));
        QVERIFY(aead);
        const auto unwrapped = take((*aead)->unwrap(QByteArray::fromBase64(GcmWrapped)));
        QVERIFY(!unwrapped);
        QCOMPARE(unwrapped.error().code, QString(ErrorBadCiphertext));
        QVERIFY(unwrapped.error().message.contains(QStringLiteral("'kek1'")));
        QVERIFY(unwrapped.error().message.contains(QStringLiteral("secret is wrong")));
        // The message must not leak the secret.
        QVERIFY(!unwrapped.error().message.contains(QStringLiteral("not-mysecret")));
    }

    void alteredOrShortBlob()
    {
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(
            localKek(), secretConfig(QStringLiteral("mysecret")));
        QVERIFY(aead);
        QByteArray altered = QByteArray::fromBase64(GcmWrapped);
        altered[20] = static_cast<char>(altered[20] ^ 0x01);
        const auto tampered = take((*aead)->unwrap(altered));
        QVERIFY(!tampered);
        QCOMPARE(tampered.error().code, QString(ErrorBadCiphertext));
        QVERIFY(tampered.error().message.contains(QStringLiteral("altered")));

        const auto shortBlob = take((*aead)->unwrap(QByteArray(10, 'x')));
        QVERIFY(!shortBlob);
        QCOMPARE(shortBlob.error().code, QString(ErrorBadCiphertext));
        QVERIFY(shortBlob.error().message.contains(QStringLiteral("too short")));
    }

    void unknownKmsType()
    {
        KekRef kek = localKek(QStringLiteral("cloud-kek"));
        kek.kmsType = QStringLiteral("thales-kms");
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(kek, KmsSettings{});
        QVERIFY(!aead);
        QCOMPARE(aead.error().code, QString(ErrorUnsupportedType));
        QVERIFY(aead.error().message.contains(QStringLiteral("thales-kms")));
        QVERIFY(aead.error().message.contains(QStringLiteral("cloud-kek")));

        const auto none = KmsRegistry().aeadFor(localKek(), secretConfig(QStringLiteral("x")));
        QVERIFY(!none);
        QCOMPARE(none.error().code, QString(ErrorUnsupportedType));
    }

    void customDriverIsUsed()
    {
        // A fake driver proves the registry dispatches on kmsType and passes the merged config.
        class FakeDriver final : public KmsDriver
        {
        public:
            QString kmsType() const override { return QStringLiteral("fake-kms"); }
            KmsDriverInfo info() const override { return {kmsType(), kmsType(), {}, true}; }
            kw::Result<std::shared_ptr<KmsAead>> create(const KekRef &kek,
                                                        const KmsConfig &config) const override
            {
                return kw::makeError(QString(ErrorAccessDenied),
                                     kek.name + QLatin1Char('|') +
                                         config.value(QStringLiteral("k")));
            }
        };
        KmsRegistry registry = KmsRegistry::withBuiltInDrivers();
        registry.add(std::make_shared<FakeDriver>());
        QVERIFY(registry.types().contains(QStringLiteral("fake-kms")));
        QCOMPARE(registry.types().size(), KmsRegistry::withBuiltInDrivers().types().size() + 1);
        KekRef kek = localKek(QStringLiteral("f"));
        kek.kmsType = QStringLiteral("fake-kms");
        kek.kmsProps.insert(QStringLiteral("k"), QStringLiteral("from-kek"));
        const auto aead = registry.aeadFor(
            kek, KmsSettings{{QStringLiteral("fake-kms"),
                              KmsConfig{{QStringLiteral("k"), QStringLiteral("user")}}}});
        QVERIFY(!aead);
        QCOMPARE(aead.error().code, QString(ErrorAccessDenied));
        QCOMPARE(aead.error().message, QStringLiteral("f|from-kek"));
    }

    // azure-kms and gcp-kms both read "client.id": each KEK must get its own type's value, and a
    // local-kms KEK exactly the local-kms settings, nothing of the other types.
    void eachKekGetsOnlyItsOwnTypesSettings()
    {
        const KmsSettings settings{
            {QStringLiteral("azure-kms"),
             KmsConfig{{QStringLiteral("client.id"), QStringLiteral("azure-app")},
                       {QStringLiteral("tenant.id"), QStringLiteral("tenant-1")}}},
            {QStringLiteral("gcp-kms"),
             KmsConfig{{QStringLiteral("client.id"), QStringLiteral("gcp-sa")},
                       {QStringLiteral("client.email"), QStringLiteral("sa@p.iam")}}},
            {QStringLiteral("local-kms"), KmsConfig{{secretKey(), QStringLiteral("s")}}},
        };
        KmsRegistry registry;
        auto azure = std::make_shared<RecordingDriver>(QStringLiteral("azure-kms"));
        auto gcp = std::make_shared<RecordingDriver>(QStringLiteral("gcp-kms"));
        auto local = std::make_shared<RecordingDriver>(QStringLiteral("local-kms"));
        registry.add(azure);
        registry.add(gcp);
        registry.add(local);

        QVERIFY(!registry.aeadFor(kekOfType(QStringLiteral("azure-kms")), settings));
        QCOMPARE(azure->seen(), settings.value(QStringLiteral("azure-kms")));
        QVERIFY(!registry.aeadFor(kekOfType(QStringLiteral("gcp-kms")), settings));
        QCOMPARE(gcp->seen(), settings.value(QStringLiteral("gcp-kms")));
        QVERIFY(!registry.aeadFor(kekOfType(QStringLiteral("local-kms")), settings));
        QCOMPARE(local->seen(), (KmsConfig{{secretKey(), QStringLiteral("s")}}));

        // A type with no settings gets none, not another type's.
        QCOMPARE(KmsRegistry::configFor(kekOfType(QStringLiteral("aws-kms")), settings),
                 KmsConfig{});
        // The KEK's kmsProps still win over its type's settings.
        KekRef withProps = kekOfType(QStringLiteral("gcp-kms"));
        withProps.kmsProps.insert(QStringLiteral("client.id"), QStringLiteral("from-kek"));
        QCOMPARE(KmsRegistry::configFor(withProps, settings).value(QStringLiteral("client.id")),
                 QStringLiteral("from-kek"));
        QCOMPARE(KmsRegistry::configFor(withProps, settings).value(QStringLiteral("client.email")),
                 QStringLiteral("sa@p.iam"));
    }

    // Two local-kms KEKs unwrap with the local secret even when other types hold a "secret" of
    // their own: only local-kms's entry counts.
    void localKmsIgnoresOtherTypesSecrets()
    {
        KmsSettings settings = secretConfig(QStringLiteral("mysecret"));
        settings[QStringLiteral("hcvault")].insert(secretKey(), QStringLiteral("not-this-one"));
        settings[QStringLiteral("zzz-kms")].insert(secretKey(), QStringLiteral("nor-this-one"));
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(localKek(), settings);
        QVERIFY(aead);
        const auto proto = take((*aead)->unwrap(QByteArray::fromBase64(GcmWrapped)));
        QVERIFY2(proto, qPrintable(proto ? QString() : proto.error().message));
        QCOMPARE(proto->toHex(), QByteArray(GcmProtoHex));
    }

    void declarationsCoverEveryShippedType()
    {
        const QList<KmsDriverInfo> &known = knownDrivers();
        QStringList types;
        for (const KmsDriverInfo &info : known)
            types.append(info.type);
        QCOMPARE(types, (QStringList{QStringLiteral("local-kms"), QStringLiteral("aws-kms"),
                                     QStringLiteral("azure-kms"), QStringLiteral("gcp-kms"),
                                     QStringLiteral("hcvault")}));
        // Every declared type has its driver (a planned type would say it has none).
        const QStringList built = KmsRegistry::withBuiltInDrivers().types();
        for (const KmsDriverInfo &info : known) {
            QCOMPARE(info.hasDriver, built.contains(info.type));
            QVERIFY(!info.displayName.isEmpty());
            QVERIFY(!info.settings.isEmpty());
            for (const KmsSetting &s : info.settings) {
                QVERIFY2(!s.label.isEmpty() && !s.help.isEmpty(), qPrintable(s.key));
                QCOMPARE(isSecretSetting(info.type, s.key), s.secret);
            }
        }
        QCOMPARE(driverInfo(u"local-kms")->keys(), QStringList{secretKey()});
        QVERIFY(driverInfo(u"local-kms")->setting(u"secret")->secret);
        // Confluent's property names, per kms-facts.md.
        QCOMPARE(driverInfo(u"aws-kms")->keys(),
                 (QStringList{QStringLiteral("access.key.id"), QStringLiteral("secret.access.key"),
                              QStringLiteral("profile"), QStringLiteral("role.arn"),
                              QStringLiteral("role.session.name"),
                              QStringLiteral("role.external.id"), QStringLiteral("session.token"),
                              QStringLiteral("region"), QStringLiteral("aws.disable.dynamic.mrk"),
                              QStringLiteral("endpoint.override"),
                              QStringLiteral("keywarden.sts.endpoint")}));
        QCOMPARE(driverInfo(u"azure-kms")->keys(),
                 (QStringList{QStringLiteral("tenant.id"), QStringLiteral("client.id"),
                              QStringLiteral("client.secret"),
                              QStringLiteral("keywarden.authority.host"),
                              QStringLiteral("keywarden.vault.url")}));
        QCOMPARE(driverInfo(u"gcp-kms")->keys(),
                 (QStringList{QStringLiteral("account.type"), QStringLiteral("client.id"),
                              QStringLiteral("client.email"), QStringLiteral("private.key.id"),
                              QStringLiteral("private.key"), QStringLiteral("keywarden.endpoint"),
                              QStringLiteral("keywarden.token.uri")}));
        QCOMPARE(
            driverInfo(u"hcvault")->keys(),
            (QStringList{QStringLiteral("token.id"), QStringLiteral("namespace"),
                         QStringLiteral("approle.role.id"), QStringLiteral("approle.secret.id"),
                         QStringLiteral("keywarden.vault.address")}));
        QVERIFY(driverInfo(u"no-such-kms") == nullptr);
    }

    void secretnessComesFromTheDeclaration_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("secret");
        const auto row = [](const char *type, const char *key, bool secret) {
            QTest::addRow("%s/%s", type, key)
                << QString::fromLatin1(type) << QString::fromLatin1(key) << secret;
        };
        row("local-kms", "secret", true);
        row("aws-kms", "secret.access.key", true);
        row("aws-kms", "access.key.id", false);
        row("azure-kms", "client.secret", true);
        row("azure-kms", "client.id", false);
        row("gcp-kms", "private.key", true);
        // The naming rule would call it secret ("*private.key*"); the declaration says it only
        // names the key.
        row("gcp-kms", "private.key.id", false);
        row("hcvault", "token.id", true);
        row("hcvault", "approle.secret.id", true);
        row("hcvault", "namespace", false);
        // Undeclared settings fall back to the naming rule.
        row("local-kms", "legacy.note", false);
        row("other-kms", "api.password", true);
        row("other-kms", "endpoint", false);
    }

    void secretnessComesFromTheDeclaration()
    {
        QFETCH(QString, type);
        QFETCH(QString, key);
        QFETCH(bool, secret);
        QCOMPARE(isSecretSetting(type, key), secret);
    }

    // Every declared type has its driver now; a type Keywarden does not know says which
    // types it supports.
    void anUnknownTypeSaysSo()
    {
        for (const KmsDriverInfo &info : knownDrivers())
            QVERIFY2(info.hasDriver, qPrintable(info.type));
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(
            kekOfType(QStringLiteral("ibm-kms")), KmsSettings{});
        QVERIFY(!aead);
        QCOMPARE(aead.error().code, QString(ErrorUnsupportedType));
        QVERIFY2(aead.error().message.contains(QStringLiteral("does not support")),
                 qPrintable(aead.error().message));
        QVERIFY(aead.error().message.contains(QStringLiteral("azure-kms")));
    }
};

QTEST_GUILESS_MAIN(TestLocalKms)
#include "tst_localkms.moc"
