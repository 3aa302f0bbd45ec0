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

KmsConfig secretConfig(const QString &secret)
{
    return KmsConfig{{secretKey(), secret}};
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
        QCOMPARE(registry.types(), QStringList{QStringLiteral("local-kms")});
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
        const KmsConfig config = secretConfig(QStringLiteral("shared"));
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
        for (const KmsConfig &config : {KmsConfig{}, secretConfig(QString())}) {
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
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(localKek(), KmsConfig{});
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
        kek.kmsType = QStringLiteral("aws-kms");
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(kek, KmsConfig{});
        QVERIFY(!aead);
        QCOMPARE(aead.error().code, QString(ErrorUnsupportedType));
        QVERIFY(aead.error().message.contains(QStringLiteral("aws-kms")));
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
        QCOMPARE(registry.types(),
                 (QStringList{QStringLiteral("fake-kms"), QStringLiteral("local-kms")}));
        KekRef kek = localKek(QStringLiteral("f"));
        kek.kmsType = QStringLiteral("fake-kms");
        kek.kmsProps.insert(QStringLiteral("k"), QStringLiteral("from-kek"));
        const auto aead =
            registry.aeadFor(kek, KmsConfig{{QStringLiteral("k"), QStringLiteral("user")}});
        QVERIFY(!aead);
        QCOMPARE(aead.error().code, QString(ErrorAccessDenied));
        QCOMPARE(aead.error().message, QStringLiteral("f|from-kek"));
    }
};

QTEST_GUILESS_MAIN(TestLocalKms)
#include "tst_localkms.moc"
