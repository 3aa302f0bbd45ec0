#include "core/crypto/crypto.h"

#include <QTest>

using namespace kw::crypto;

Q_DECLARE_METATYPE(kw::crypto::DekAlgorithm)

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(text);
}

// 0x00, 0x01, ... as a recognisable raw key.
QByteArray counting(int size)
{
    QByteArray out(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        out[i] = static_cast<char>(i + 1);
    return out;
}

} // namespace

class TestTinkKey : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void serializeExactBytes()
    {
        const QByteArray k16 = counting(16);
        const QByteArray k32 = counting(32);
        const QByteArray k64 = counting(64);
        QCOMPARE(serializeTinkKey(DekAlgorithm::Aes128Gcm, SecureBytes::fromBytes(k16))
                     .view()
                     .toByteArray(),
                 QByteArray(hex("1a10") + k16));
        QCOMPARE(serializeTinkKey(DekAlgorithm::Aes256Gcm, SecureBytes::fromBytes(k32))
                     .view()
                     .toByteArray(),
                 QByteArray(hex("1a20") + k32));
        QCOMPARE(serializeTinkKey(DekAlgorithm::Aes256Siv, SecureBytes::fromBytes(k64))
                     .view()
                     .toByteArray(),
                 QByteArray(hex("1240") + k64));
        // The official AES256_GCM DEK of spec §4.5 (a) round-trips byte for byte.
        const QByteArray official =
            hex("1a2041e5234c24a6a4f85b1d8237e99a12df8722f0c21837556acd0ec7adde5869cf");
        const auto raw = parseTinkKey(DekAlgorithm::Aes256Gcm, official);
        QVERIFY(raw);
        QCOMPARE(raw->view().toByteArray(), official.sliced(2));
        QCOMPARE(serializeTinkKey(DekAlgorithm::Aes256Gcm, *raw).view().toByteArray(), official);
    }

    void generate()
    {
        for (auto algorithm :
             {DekAlgorithm::Aes128Gcm, DekAlgorithm::Aes256Gcm, DekAlgorithm::Aes256Siv}) {
            const SecureBytes a = generateTinkKey(algorithm);
            const SecureBytes b = generateTinkKey(algorithm);
            QCOMPARE(a.size(), keySize(algorithm) + 2);
            QCOMPARE(a.data()[0], algorithm == DekAlgorithm::Aes256Siv ? 0x12 : 0x1a);
            QCOMPARE(int(a.data()[1]), keySize(algorithm));
            QVERIFY(!(a == b));
            const auto parsed = parseTinkKey(algorithm, a.view());
            QVERIFY(parsed);
            QCOMPARE(parsed->view(), a.view().sliced(2));
        }
    }

    void accepts_data()
    {
        QTest::addColumn<DekAlgorithm>("algorithm");
        QTest::addColumn<QByteArray>("proto");
        QTest::addColumn<QByteArray>("key");

        const QByteArray k16 = counting(16);
        const QByteArray k32 = counting(32);
        const QByteArray k64 = counting(64);
        const QByteArray other = QByteArray(32, '\x77');
        QTest::newRow("gcm256 plain")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("1a20") + k32) << k32;
        QTest::newRow("gcm128 plain")
            << DekAlgorithm::Aes128Gcm << QByteArray(hex("1a10") + k16) << k16;
        QTest::newRow("siv plain")
            << DekAlgorithm::Aes256Siv << QByteArray(hex("1240") + k64) << k64;
        QTest::newRow("explicit version 0")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("0800") + hex("1a20") + k32) << k32;
        QTest::newRow("version after key")
            << DekAlgorithm::Aes256Siv << QByteArray(hex("1240") + k64 + hex("0800")) << k64;
        QTest::newRow("gcm params field 2 skipped")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("12020801") + hex("1a20") + k32) << k32;
        QTest::newRow("unknown varint/fixed32/fixed64/bytes")
            << DekAlgorithm::Aes256Gcm
            << QByteArray(hex("289601") + hex("2d01020304") + hex("310102030405060708") +
                          hex("3a03abcdef") + hex("1a20") + k32)
            << k32;
        QTest::newRow("non-minimal tag varint")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("9a0020") + k32) << k32;
        QTest::newRow("non-minimal length varint")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("1aa000") + k32) << k32;
        QTest::newRow("last key wins")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("1a20") + other + hex("1a20") + k32)
            << k32;
    }

    void accepts()
    {
        QFETCH(DekAlgorithm, algorithm);
        QFETCH(QByteArray, proto);
        QFETCH(QByteArray, key);
        const auto parsed = parseTinkKey(algorithm, proto);
        QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
        QCOMPARE(parsed->view().toByteArray(), key);
        QVERIFY(DekCipher::fromKeyProto(algorithm, proto));
    }

    void rejects_data()
    {
        QTest::addColumn<DekAlgorithm>("algorithm");
        QTest::addColumn<QByteArray>("proto");
        QTest::addColumn<QString>("mentions");

        const QByteArray k32 = counting(32);
        const QByteArray k64 = counting(64);
        QTest::newRow("empty") << DekAlgorithm::Aes256Gcm << QByteArray()
                               << QStringLiteral("no key");
        QTest::newRow("version 1")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("0801") + hex("1a20") + k32)
            << QStringLiteral("version 1");
        QTest::newRow("version 300")
            << DekAlgorithm::Aes256Siv << QByteArray(hex("1240") + k64 + hex("08ac02"))
            << QStringLiteral("version 300");
        QTest::newRow("truncated tag varint")
            << DekAlgorithm::Aes256Gcm << hex("9a") << QStringLiteral("tag");
        QTest::newRow("truncated length varint")
            << DekAlgorithm::Aes256Gcm << hex("1aa0") << QStringLiteral("truncated");
        QTest::newRow("truncated key bytes")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("1a20") + k32.first(31))
            << QStringLiteral("truncated");
        QTest::newRow("truncated version varint")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("1a20") + k32 + hex("0880"))
            << QStringLiteral("truncated");
        QTest::newRow("truncated fixed32")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("1a20") + k32 + hex("2d0102"))
            << QStringLiteral("truncated");
        QTest::newRow("truncated fixed64")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("1a20") + k32 + hex("3101020304"))
            << QStringLiteral("truncated");
        QTest::newRow("overlong varint")
            << DekAlgorithm::Aes256Gcm
            << QByteArray(hex("08ffffffffffffffffffff01") + hex("1a20") + k32)
            << QStringLiteral("truncated");
        QTest::newRow("huge length")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("1affffffffffffffff7f") + k32)
            << QStringLiteral("truncated");
        QTest::newRow("gcm key 16 bytes for AES256")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("1a10") + counting(16))
            << QStringLiteral("16 bytes");
        QTest::newRow("gcm key 32 bytes for AES128")
            << DekAlgorithm::Aes128Gcm << QByteArray(hex("1a20") + k32)
            << QStringLiteral("32 bytes");
        QTest::newRow("siv key 32 bytes")
            << DekAlgorithm::Aes256Siv << QByteArray(hex("1220") + k32)
            << QStringLiteral("32 bytes");
        QTest::newRow("gcm form for siv")
            << DekAlgorithm::Aes256Siv << QByteArray(hex("1a40") + k64) << QStringLiteral("no key");
        QTest::newRow("siv form for gcm")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("1220") + k32) << QStringLiteral("no key");
        QTest::newRow("field 0") << DekAlgorithm::Aes256Gcm
                                 << QByteArray(hex("0000") + hex("1a20") + k32)
                                 << QStringLiteral("field number 0");
        QTest::newRow("group wire type")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("2b") + hex("1a20") + k32)
            << QStringLiteral("wire type 3");
        QTest::newRow("key as varint")
            << DekAlgorithm::Aes256Gcm << hex("1801") << QStringLiteral("wrong wire type");
        QTest::newRow("version as bytes")
            << DekAlgorithm::Aes256Gcm << QByteArray(hex("0a0100") + hex("1a20") + k32)
            << QStringLiteral("wrong wire type");
    }

    void rejects()
    {
        QFETCH(DekAlgorithm, algorithm);
        QFETCH(QByteArray, proto);
        QFETCH(QString, mentions);
        const auto parsed = parseTinkKey(algorithm, proto);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().code, QString(ErrorBadKeyFormat));
        QVERIFY2(parsed.error().message.contains(mentions), qPrintable(parsed.error().message));
        QVERIFY(parsed.error().message.contains(algorithmName(algorithm)));

        const auto cipher = DekCipher::fromKeyProto(algorithm, proto);
        QVERIFY(!cipher);
        QCOMPARE(cipher.error(), parsed.error());
    }
};

QTEST_GUILESS_MAIN(TestTinkKey)
#include "tst_tinkkey.moc"
