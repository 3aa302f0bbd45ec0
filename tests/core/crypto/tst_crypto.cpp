#include "core/crypto/crypto.h"

#include <QList>
#include <QTest>
#include <QtConcurrent>

#include <openssl/evp.h>

#include <numeric>

using namespace kw::crypto;

Q_DECLARE_METATYPE(kw::crypto::DekAlgorithm)

namespace {

SecureBytes hexKey(const char *hex)
{
    const QByteArray raw = QByteArray::fromHex(hex);
    return SecureBytes::fromBytes(raw);
}

QByteArray b64(const char *text)
{
    return QByteArray::fromBase64(text);
}

const char *const LocalSecretKeyHex = "1ae4d97ac1e81594bfd1993c1a75ee36";

// Spec §4.5 (a): AES256_GCM.
const char *const GcmWrapped =
    "07V2ndh02DA73p+dTybwZFm7DKQSZN1tEwQh+FoX1DZLk4Yj2LLu4omYjp/84tAg3BYlkfGSz+zZacJHIE4=";
const char *const GcmProtoHex =
    "1a2041e5234c24a6a4f85b1d8237e99a12df8722f0c21837556acd0ec7adde5869cf";
const char *const GcmField = "zgy/jFNMV/eFilaHrMyeBgdaVzrR0udGeotW8cA/Jal7ukr+M/yz";

// Spec §4.5 (b): AES256_SIV.
const char *const SivWrapped =
    "YSx3DTlAHrmpoDChquJMifmPntBzxgRVdMzgYL82rgWBKn7aUSnG+WIu9ozBNS3y2vXd"
    "++mBtK07w4/W/G6w0da39X9hfOVZsGnkSvry/QRht84V8yz3dqKxGMOK5A==";
const char *const SivProtoHex =
    "12409b971301e8ef5f0d9ce82e8cb28ef8fb14fa74944f4e5a958f598389958e1e392b76c3e213b4a726c8437e3f"
    "0ee4a137bde3f4b8990e07aa8a050c8e7115498f";
const char *const SivField = "D6YtxrlBnkTWW9N6Vbk3IInjWH81xmYh3k4d";

// Spec §4.5 (c): AES256_GCM with the DEK version prefix.
const char *const RotWrapped =
    "W/v6hOQYq1idVAcs1pPWz9UUONMVZW4IrglTnG88TsWjeCjxmtRQ4VaNe/I5dCfm2zyY9Cu0nqdvqImtUk4=";
const char *const RotProtoHex =
    "1a2008d571545a5c3517771440b4a8fe1fd2283b4a2272e12e867c9b6761ee0e9666";
const char *const RotField = "AAAAAAG4HI6b1nXPXqLyG8cII35NHQseqqUCd+IeLeFVAeNpSS3fxPnJ32A=";

const QByteArray HelloWorld("hello world");

QByteArray unwrapLocal(const char *wrappedBase64)
{
    const auto result = aesGcmDecrypt(hexKey(LocalSecretKeyHex), b64(wrappedBase64));
    if (!result)
        qWarning() << "unwrap failed:" << result.error().code << result.error().message;
    return result ? *result : QByteArray();
}

} // namespace

class TestCrypto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void algorithms()
    {
        QCOMPARE(algorithmName(DekAlgorithm::Aes128Gcm), QStringLiteral("AES128_GCM"));
        QCOMPARE(algorithmName(DekAlgorithm::Aes256Gcm), QStringLiteral("AES256_GCM"));
        QCOMPARE(algorithmName(DekAlgorithm::Aes256Siv), QStringLiteral("AES256_SIV"));
        QCOMPARE(parseAlgorithm(u"AES128_GCM"), DekAlgorithm::Aes128Gcm);
        QCOMPARE(parseAlgorithm(u"AES256_GCM"), DekAlgorithm::Aes256Gcm);
        QCOMPARE(parseAlgorithm(u"AES256_SIV"), DekAlgorithm::Aes256Siv);
        QVERIFY(!parseAlgorithm(u"aes256_gcm"));
        QVERIFY(!parseAlgorithm(u""));
        QVERIFY(!parseAlgorithm(u"AES256_GCM "));
        QCOMPARE(keySize(DekAlgorithm::Aes128Gcm), 16);
        QCOMPARE(keySize(DekAlgorithm::Aes256Gcm), 32);
        QCOMPARE(keySize(DekAlgorithm::Aes256Siv), 64);
    }

    void hkdfRfc5869()
    {
        const QByteArray ikm(22, '\x0b');
        // RFC 5869 A.1 (salt and info) and A.3 (no salt, no info).
        const SecureBytes a1 = hkdfSha256(ikm, QByteArray::fromHex("000102030405060708090a0b0c"),
                                          QByteArray::fromHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        QCOMPARE(a1.view().toByteArray().toHex(),
                 QByteArray("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf3400"
                            "7208d5b887185865"));
        const SecureBytes a3 = hkdfSha256(ikm, {}, {}, 42);
        QCOMPARE(a3.view().toByteArray().toHex(),
                 QByteArray("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d20"
                            "1395faa4b61a96c8"));
        QVERIFY(hkdfSha256(ikm, {}, {}, 255 * 32 + 1).isEmpty());
        QVERIFY(hkdfSha256(ikm, {}, {}, 0).isEmpty());
    }

    void localKmsKeyVector()
    {
        const SecureBytes key = hkdfSha256(QByteArrayView("mysecret"), {}, {}, 16);
        QCOMPARE(key.view().toByteArray().toHex(), QByteArray(LocalSecretKeyHex));
    }

    void officialVectorGcm()
    {
        const QByteArray wrapped = b64(GcmWrapped);
        QCOMPARE(wrapped.size(), 62);
        QCOMPARE(wrapped.left(12).toHex(), QByteArray("d3b5769dd874d8303bde9f9d"));
        const QByteArray proto = unwrapLocal(GcmWrapped);
        QCOMPARE(proto.toHex(), QByteArray(GcmProtoHex));
        QCOMPARE(proto.toBase64(), QByteArray("GiBB5SNMJKak+FsdgjfpmhLfhyLwwhg3VWrNDset3lhpzw=="));

        const auto cipher = DekCipher::fromKeyProto(DekAlgorithm::Aes256Gcm, proto);
        QVERIFY(cipher);
        QCOMPARE(cipher->algorithm(), DekAlgorithm::Aes256Gcm);
        const auto plain = cipher->decrypt(b64(GcmField));
        QVERIFY(plain);
        QCOMPARE(*plain, HelloWorld);

        // Known answer: the same key and IV reproduce the recorded field bytes.
        const auto key = parseTinkKey(DekAlgorithm::Aes256Gcm, proto);
        QVERIFY(key);
        const auto again =
            aesGcmEncryptWithIv(*key, QByteArray::fromHex("ce0cbf8c534c57f7858a5687"), HelloWorld);
        QVERIFY(again);
        QCOMPARE(*again, b64(GcmField));
    }

    void officialVectorSiv()
    {
        const QByteArray wrapped = b64(SivWrapped);
        QCOMPARE(wrapped.size(), 94);
        const QByteArray proto = unwrapLocal(SivWrapped);
        QCOMPARE(proto.toHex(), QByteArray(SivProtoHex));

        const auto cipher = DekCipher::fromKeyProto(DekAlgorithm::Aes256Siv, proto);
        QVERIFY(cipher);
        const QByteArray field = b64(SivField);
        QCOMPARE(field.toHex(),
                 QByteArray("0fa62dc6b9419e44d65bd37a55b9372089e3587f35c66621de4e1d"));
        const auto plain = cipher->decrypt(field);
        QVERIFY(plain);
        QCOMPARE(*plain, HelloWorld);

        const auto encrypted = cipher->encrypt(HelloWorld);
        QVERIFY(encrypted);
        QCOMPARE(*encrypted, field);
    }

    void officialVectorRotation()
    {
        const QByteArray proto = unwrapLocal(RotWrapped);
        QCOMPARE(proto.toHex(), QByteArray(RotProtoHex));
        const auto cipher = DekCipher::fromKeyProto(DekAlgorithm::Aes256Gcm, proto);
        QVERIFY(cipher);

        const QByteArray field = b64(RotField);
        QCOMPARE(field.size(), 44);
        QCOMPARE(field.left(5), QByteArray::fromHex("0000000001"));
        const auto plain = cipher->decrypt(field.sliced(5));
        QVERIFY(plain);
        QCOMPARE(*plain, HelloWorld);
        // The prefix is not part of the GCM output: leaving it on must fail authentication.
        const auto withPrefix = cipher->decrypt(field);
        QVERIFY(!withPrefix);
        QCOMPARE(withPrefix.error().code, QString(ErrorAuthenticationFailed));
    }

    void rfc5297A1()
    {
        const SecureBytes key =
            hexKey("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        const QByteArray ad =
            QByteArray::fromHex("101112131415161718191a1b1c1d1e1f2021222324252627");
        const QByteArray plaintext = QByteArray::fromHex("112233445566778899aabbccddee");
        const QByteArray expected =
            QByteArray::fromHex("85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c");

        const auto out = aesSivEncryptWithAd(key, {ad}, plaintext);
        QVERIFY(out);
        QCOMPARE(out->toHex(), expected.toHex());
        const auto back = aesSivDecryptWithAd(key, {ad}, expected);
        QVERIFY(back);
        QCOMPARE(*back, plaintext);

        const auto otherAd = aesSivDecryptWithAd(key, {QByteArrayView()}, expected);
        QVERIFY(!otherAd);
        QCOMPARE(otherAd.error().code, QString(ErrorAuthenticationFailed));
    }

    void rfc5297A2()
    {
        // Nonce-based example: three associated data components, plaintext longer than a block.
        const SecureBytes key =
            hexKey("7f7e7d7c7b7a79787776757473727170404142434445464748494a4b4c4d4e4f");
        const QByteArray ad1 = QByteArray::fromHex(
            "00112233445566778899aabbccddeeffdeaddadadeaddadaffeeddccbbaa99887766554433221100");
        const QByteArray ad2 = QByteArray::fromHex("102030405060708090a0");
        const QByteArray nonce = QByteArray::fromHex("09f911029d74e35bd84156c5635688c0");
        const QByteArray plaintext = QByteArray::fromHex(
            "7468697320697320736f6d6520706c61696e7465787420746f20656e6372797074207573696e67205349"
            "562d414553");
        const QByteArray expected = QByteArray::fromHex(
            "7bdb6e3b432667eb06f4d14bff2fbd0fcb900f2fddbe404326601965c889bf17dba77ceb094fa663b7a3f7"
            "48ba8af829ea64ad544a272e9c485b62a3fd5c0d");
        const auto out = aesSivEncryptWithAd(key, {ad1, ad2, nonce}, plaintext);
        QVERIFY(out);
        QCOMPARE(out->toHex(), expected.toHex());
        const auto back = aesSivDecryptWithAd(key, {ad1, ad2, nonce}, expected);
        QVERIFY(back);
        QCOMPARE(*back, plaintext);
        QVERIFY(!aesSivDecryptWithAd(key, {ad2, ad1, nonce}, expected)); // order matters
    }

    void sivKnownAnswersTinkStyle_data()
    {
        // 64-byte key 00..3f, plaintext 100, 101, ...; expected values computed independently
        // with Python cryptography's AESSIV(key).encrypt(pt, [b""]).
        QTest::addColumn<int>("size");
        QTest::addColumn<QByteArray>("expectedHex");
        QTest::newRow("one block")
            << 16
            << QByteArray("0eb689148a1cd53eec30f4da03a988efd69f0ea6687502a9e3"
                          "04e730a8f9abd9");
        QTest::newRow("2.5 blocks")
            << 40
            << QByteArray("c99076c6932f0b2337cff6d9ef33fd5937d8e6bb7c558eee90f7cc7bc4c0e64434c0ea5f"
                          "3ff67abd8197ddb87abd1b3b4a0f0f9271f4a50a");
    }

    void sivKnownAnswersTinkStyle()
    {
        QFETCH(int, size);
        QFETCH(QByteArray, expectedHex);
        SecureBytes key(64);
        for (int i = 0; i < 64; ++i)
            key.data()[i] = static_cast<unsigned char>(i);
        QByteArray plaintext(size, Qt::Uninitialized);
        for (int i = 0; i < size; ++i)
            plaintext[i] = static_cast<char>(100 + i);
        const auto out = aesSivEncrypt(key, plaintext);
        QVERIFY(out);
        QCOMPARE(out->toHex(), expectedHex);
        const auto back = aesSivDecrypt(key, QByteArray::fromHex(expectedHex));
        QVERIFY(back);
        QCOMPARE(*back, plaintext);
    }

    // An independent reference for long values and several associated data items: OpenSSL's
    // own AES-SIV (RFC 5297, output V || C like ours). Covers the CTR key stream across its
    // 1 KiB segments and the CMAC chaining across calls.
    void sivMatchesOpenSslBuiltIn()
    {
        EVP_CIPHER *builtIn = EVP_CIPHER_fetch(nullptr, "AES-256-SIV", nullptr);
        if (!builtIn)
            QSKIP("This OpenSSL has no AES-256-SIV to compare with.");
        const SecureBytes key = randomBytes(64);
        const QList<QByteArray> adSets[] = {{QByteArray("header")},
                                            {QByteArray("a"), QByteArray(40, 'b')}};
        for (const QList<QByteArray> &ads : adSets) {
            QList<QByteArrayView> adViews(ads.cbegin(), ads.cend());
            for (int size : {1, 15, 16, 17, 31, 32, 33, 100, 1023, 1024, 1025, 5000}) {
                QByteArray plain(size, Qt::Uninitialized);
                for (int i = 0; i < size; ++i)
                    plain[i] = static_cast<char>(i * 7 + size);
                EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
                QVERIFY(EVP_EncryptInit_ex2(ctx, builtIn, key.data(), nullptr, nullptr) == 1);
                int len = 0;
                for (const QByteArray &ad : ads)
                    QVERIFY(EVP_EncryptUpdate(ctx, nullptr, &len,
                                              reinterpret_cast<const unsigned char *>(ad.data()),
                                              int(ad.size())) == 1);
                QByteArray ct(size, Qt::Uninitialized);
                QVERIFY(EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char *>(ct.data()), &len,
                                          reinterpret_cast<const unsigned char *>(plain.data()),
                                          size) == 1);
                QVERIFY(EVP_EncryptFinal_ex(ctx, nullptr, &len) == 1);
                QByteArray tag(16, Qt::Uninitialized);
                QVERIFY(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1);
                EVP_CIPHER_CTX_free(ctx);

                const auto mine = aesSivEncryptWithAd(key, adViews, plain);
                QVERIFY(mine);
                QCOMPARE(mine->toHex(), QByteArray(tag + ct).toHex());
                QCOMPARE(*aesSivDecryptWithAd(key, adViews, *mine), plain);
            }
        }
        EVP_CIPHER_free(builtIn);
    }

    void sivEmptyAdIsOneComponent()
    {
        const SecureBytes key = randomBytes(64);
        const auto tinkStyle = aesSivEncrypt(key, HelloWorld);
        const auto oneEmpty = aesSivEncryptWithAd(key, {QByteArrayView()}, HelloWorld);
        const auto none = aesSivEncryptWithAd(key, {}, HelloWorld);
        QVERIFY(tinkStyle && oneEmpty && none);
        QCOMPARE(*tinkStyle, *oneEmpty);
        QVERIFY(*tinkStyle != *none);
        QVERIFY(!aesSivDecryptWithAd(key, {}, *tinkStyle));
    }

    void roundTrip_data()
    {
        QTest::addColumn<DekAlgorithm>("algorithm");
        QTest::addColumn<int>("size");
        for (auto algorithm :
             {DekAlgorithm::Aes128Gcm, DekAlgorithm::Aes256Gcm, DekAlgorithm::Aes256Siv}) {
            for (int size : {0, 1, 15, 16, 17, 31, 32, 33, 1000}) {
                const QByteArray name =
                    algorithmName(algorithm).toLatin1() + '/' + QByteArray::number(size);
                QTest::newRow(name.constData()) << algorithm << size;
            }
        }
    }

    void roundTrip()
    {
        QFETCH(DekAlgorithm, algorithm);
        QFETCH(int, size);
        const auto cipher = DekCipher::fromKeyProto(algorithm, generateTinkKey(algorithm).view());
        QVERIFY(cipher);
        const QByteArray plaintext = randomBytes(size).view().toByteArray();

        const auto first = cipher->encrypt(plaintext);
        const auto second = cipher->encrypt(plaintext);
        QVERIFY(first && second);
        const bool siv = algorithm == DekAlgorithm::Aes256Siv;
        QCOMPARE(first->size(), size + (siv ? 16 : 28));
        // GCM uses a fresh IV each time; SIV is deterministic.
        QCOMPARE(*first == *second, siv);

        for (const auto &ct : {*first, *second}) {
            const auto plain = cipher->decrypt(ct);
            QVERIFY(plain);
            QCOMPARE(*plain, plaintext);
        }
    }

    void tamperingIsDetected_data()
    {
        QTest::addColumn<DekAlgorithm>("algorithm");
        QTest::newRow("AES256_GCM") << DekAlgorithm::Aes256Gcm;
        QTest::newRow("AES128_GCM") << DekAlgorithm::Aes128Gcm;
        QTest::newRow("AES256_SIV") << DekAlgorithm::Aes256Siv;
    }

    void tamperingIsDetected()
    {
        QFETCH(DekAlgorithm, algorithm);
        const auto cipher = DekCipher::fromKeyProto(algorithm, generateTinkKey(algorithm).view());
        QVERIFY(cipher);
        const auto ct = cipher->encrypt(HelloWorld);
        QVERIFY(ct);
        for (qsizetype i = 0; i < ct->size(); ++i) {
            for (char mask : {'\x01', '\x80'}) {
                QByteArray altered = *ct;
                altered[i] = static_cast<char>(altered[i] ^ mask);
                const auto plain = cipher->decrypt(altered);
                QVERIFY2(!plain, qPrintable(QStringLiteral("byte %1 altered").arg(i)));
                QCOMPARE(plain.error().code, QString(ErrorAuthenticationFailed));
                QVERIFY(!plain.error().message.isEmpty());
            }
        }
        // Appending or dropping a byte is tampering too.
        QCOMPARE(cipher->decrypt(QByteArray(*ct + 'x')).error().code,
                 QString(ErrorAuthenticationFailed));
        QCOMPARE(cipher->decrypt(ct->chopped(1)).error().code, QString(ErrorAuthenticationFailed));
    }

    // DekCipher reuses keyed contexts across calls: a context used for a failed decryption, a
    // different length or the other direction must give exactly what a fresh one gives.
    void reusedContextsMatchFreshOnes()
    {
        for (auto algorithm :
             {DekAlgorithm::Aes128Gcm, DekAlgorithm::Aes256Gcm, DekAlgorithm::Aes256Siv}) {
            const SecureBytes key = randomBytes(keySize(algorithm));
            const auto cipher = DekCipher::fromRawKey(algorithm, key);
            QVERIFY(cipher);
            const bool siv = algorithm == DekAlgorithm::Aes256Siv;
            const auto freshEncrypt = [&](const QByteArray &p) {
                return siv ? aesSivEncrypt(key, p) : aesGcmEncrypt(key, p);
            };
            const auto freshDecrypt = [&](const QByteArray &c) {
                return siv ? aesSivDecrypt(key, c) : aesGcmDecrypt(key, c);
            };
            for (int size = 0; size <= 70; ++size) {
                const QByteArray plain(size, char('a' + size % 26));
                const auto mine = cipher->encrypt(plain);
                QVERIFY(mine);
                if (siv)
                    QCOMPARE(*mine, *freshEncrypt(plain)); // deterministic
                QCOMPARE(*freshDecrypt(*mine), plain);
                const auto theirs = freshEncrypt(plain);
                QCOMPARE(*cipher->decrypt(*theirs), plain);
                // A failure leaves the context usable for the next value.
                QByteArray altered = *theirs;
                altered[altered.size() - 1] = char(altered.back() ^ 0x01);
                QCOMPARE(cipher->decrypt(altered).error().code, QString(ErrorAuthenticationFailed));
                QCOMPARE(*cipher->decrypt(*theirs), plain);
            }
        }
    }

    void truncatedInputs()
    {
        const auto gcm = DekCipher::fromKeyProto(DekAlgorithm::Aes256Gcm,
                                                 generateTinkKey(DekAlgorithm::Aes256Gcm).view());
        const auto siv = DekCipher::fromKeyProto(DekAlgorithm::Aes256Siv,
                                                 generateTinkKey(DekAlgorithm::Aes256Siv).view());
        QVERIFY(gcm && siv);
        for (int size = 0; size <= 27; ++size) {
            const QByteArray input(size, '\x5a');
            const auto g = gcm->decrypt(input);
            QVERIFY(!g);
            QCOMPARE(g.error().code, QString(ErrorMalformedCiphertext));
            QVERIFY(g.error().message.contains(QString::number(size)));

            const auto s = siv->decrypt(input);
            QVERIFY(!s);
            QCOMPARE(s.error().code, size < 16 ? QString(ErrorMalformedCiphertext)
                                               : QString(ErrorAuthenticationFailed));
        }
        // 28 bytes is a well-formed (empty-plaintext) GCM message, just not an authentic one.
        QCOMPARE(gcm->decrypt(QByteArray(28, '\0')).error().code,
                 QString(ErrorAuthenticationFailed));
    }

    void wrongKeyFails()
    {
        for (auto algorithm :
             {DekAlgorithm::Aes128Gcm, DekAlgorithm::Aes256Gcm, DekAlgorithm::Aes256Siv}) {
            const auto a = DekCipher::fromKeyProto(algorithm, generateTinkKey(algorithm).view());
            const auto b = DekCipher::fromKeyProto(algorithm, generateTinkKey(algorithm).view());
            QVERIFY(a && b);
            const auto ct = a->encrypt(HelloWorld);
            QVERIFY(ct);
            const auto plain = b->decrypt(*ct);
            QVERIFY(!plain);
            QCOMPARE(plain.error().code, QString(ErrorAuthenticationFailed));
        }
        // The local-kms KEK derived from another secret cannot unwrap vector (a).
        const SecureBytes wrongKek = hkdfSha256(QByteArrayView("not-my-secret"), {}, {}, 16);
        const auto unwrapped = aesGcmDecrypt(wrongKek, b64(GcmWrapped));
        QVERIFY(!unwrapped);
        QCOMPARE(unwrapped.error().code, QString(ErrorAuthenticationFailed));
    }

    void badKeySizes()
    {
        for (int size : {0, 15, 24, 31, 33, 64}) {
            const SecureBytes key(size);
            const auto enc = aesGcmEncrypt(key, HelloWorld);
            QVERIFY(!enc);
            QCOMPARE(enc.error().code, QString(ErrorBadKeyFormat));
            QCOMPARE(aesGcmDecrypt(key, QByteArray(40, '\0')).error().code,
                     QString(ErrorBadKeyFormat));
        }
        for (int size : {0, 16, 32, 48, 63, 65}) {
            const auto enc = aesSivEncrypt(SecureBytes(size), HelloWorld);
            QVERIFY(!enc);
            QCOMPARE(enc.error().code, QString(ErrorBadKeyFormat));
        }
        QVERIFY(!aesGcmEncryptWithIv(SecureBytes(32), QByteArray(11, '\0'), HelloWorld));
        QVERIFY(!DekCipher::fromRawKey(DekAlgorithm::Aes256Siv, SecureBytes(32)));
        QVERIFY(DekCipher::fromRawKey(DekAlgorithm::Aes128Gcm, SecureBytes(16)));
    }

    void helpers()
    {
        QVERIFY(constantTimeEquals("abc", "abc"));
        QVERIFY(!constantTimeEquals("abc", "abd"));
        QVERIFY(!constantTimeEquals("abc", "abcd"));
        QVERIFY(constantTimeEquals({}, {}));

        QCOMPARE(randomBytes(0).size(), 0);
        QCOMPARE(randomBytes(-3).size(), 0);
        const SecureBytes r1 = randomBytes(32);
        const SecureBytes r2 = randomBytes(32);
        QCOMPARE(r1.size(), 32);
        QVERIFY(!(r1 == r2));
        QVERIFY(!(r1 == SecureBytes(32)));
    }

    void concurrentUse()
    {
        const QByteArray proto = unwrapLocal(SivWrapped);
        const auto siv = DekCipher::fromKeyProto(DekAlgorithm::Aes256Siv, proto);
        const auto gcm = DekCipher::fromKeyProto(DekAlgorithm::Aes256Gcm, unwrapLocal(GcmWrapped));
        QVERIFY(siv && gcm);
        QList<int> jobs(400);
        std::iota(jobs.begin(), jobs.end(), 0);
        const DekCipher &s = *siv;
        const DekCipher &g = *gcm;
        // A pool of the test's own, and each job frees OpenSSL's per-thread state (its error
        // queue) itself: OpenSSL's own thread-exit cleanup can run after waitForDone() returns,
        // and then races LeakSanitizer at process exit.
        QThreadPool pool;
        pool.setMaxThreadCount(4);
        const QList<bool> ok = QtConcurrent::blockingMapped(&pool, jobs, [&s, &g](int i) {
            bool good = false;
            if (i % 2 == 0) {
                const auto p = s.decrypt(QByteArray::fromBase64(SivField));
                const auto e = s.encrypt(HelloWorld);
                good = p && *p == HelloWorld && e && *e == QByteArray::fromBase64(SivField);
            } else {
                const auto p = g.decrypt(QByteArray::fromBase64(GcmField));
                good = p && *p == HelloWorld;
            }
            kw::crypto::releaseThreadState();
            return good;
        });
        pool.waitForDone();
        QCOMPARE(ok.count(true), jobs.size());
    }
};

QTEST_GUILESS_MAIN(TestCrypto)
#include "tst_crypto.moc"
