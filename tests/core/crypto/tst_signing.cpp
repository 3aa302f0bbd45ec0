// Ed25519 against RFC 8032's test vectors (section 7.1, TEST 1 and TEST 2), round trips with
// fresh keys, and every way a signature must fail: another message, another key, a flipped
// bit, malformed sizes.

#include "core/crypto/crypto.h"
#include "core/crypto/signing.h"

#include <QCryptographicHash>
#include <QTest>

using namespace kw;
using namespace kw::crypto;

class TestSigning : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfc8032Vectors_data()
    {
        QTest::addColumn<QByteArray>("seed");
        QTest::addColumn<QByteArray>("publicKey");
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QByteArray>("signature");
        QTest::newRow("TEST 1 (empty message)")
            << QByteArray::fromHex(
                   "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
            << QByteArray::fromHex(
                   "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
            << QByteArray()
            << QByteArray::fromHex(
                   "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a"
                   "33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        QTest::newRow("TEST 2 (one byte)")
            << QByteArray::fromHex(
                   "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
            << QByteArray::fromHex(
                   "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
            << QByteArray::fromHex("72")
            << QByteArray::fromHex(
                   "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e1"
                   "5996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
    }

    void rfc8032Vectors()
    {
        QFETCH(QByteArray, seed);
        QFETCH(QByteArray, publicKey);
        QFETCH(QByteArray, message);
        QFETCH(QByteArray, signature);
        const SecureBytes key = SecureBytes::fromBytes(seed);
        QCOMPARE(*ed25519PublicKey(key), publicKey);
        QCOMPARE(*ed25519Sign(key, message), signature);
        QVERIFY(ed25519Verify(publicKey, message, signature));
    }

    void roundTripsAndRefusesForgeries()
    {
        const SecureBytes key = newEd25519Seed();
        const SecureBytes other = newEd25519Seed();
        QCOMPARE(key.size(), Ed25519SeedSize);
        const QByteArray publicKey = *ed25519PublicKey(key);
        const QByteArray message = QByteArrayLiteral("report sha-256 and audit head");
        const QByteArray signature = *ed25519Sign(key, message);
        QCOMPARE(signature.size(), Ed25519SignatureSize);
        QVERIFY(ed25519Verify(publicKey, message, signature));

        QVERIFY(!ed25519Verify(publicKey, QByteArray(message + '.'), signature));
        QVERIFY(!ed25519Verify(*ed25519PublicKey(other), message, signature));
        QByteArray flipped = signature;
        flipped[10] = char(flipped[10] ^ 0x01);
        QVERIFY(!ed25519Verify(publicKey, message, flipped));
        QVERIFY(!ed25519Verify(publicKey.left(31), message, signature));
        QVERIFY(!ed25519Verify(publicKey, message, signature.left(63)));
        QVERIFY(!ed25519Verify({}, message, {}));
    }

    void refusesSeedsOfTheWrongSize()
    {
        const auto signature = ed25519Sign(SecureBytes::fromBytes(QByteArray(31, 'x')), "m");
        QVERIFY(!signature);
        QCOMPARE(signature.error().code, QString(ErrorBadKeyFormat));
        QVERIFY(signature.error().message.contains(QStringLiteral("not 31 bytes")));
        QVERIFY(!ed25519PublicKey(SecureBytes()));
    }

    void fingerprintsAreShortAndStable()
    {
        const QByteArray publicKey =
            QByteArray::fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        const QString fingerprint = keyFingerprint(publicKey);
        QCOMPARE(fingerprint.size(), 39); // 8 groups of 4 hex digits and 7 spaces
        QCOMPARE(fingerprint, keyFingerprint(publicKey));
        QVERIFY(fingerprint != keyFingerprint(QByteArray(32, '\0')));
        const QString expected = QString::fromLatin1(
            QCryptographicHash::hash(publicKey, QCryptographicHash::Sha256).left(2).toHex());
        QVERIFY(fingerprint.startsWith(expected));
    }
};

QTEST_GUILESS_MAIN(TestSigning)
#include "tst_signing.moc"
