#include "core/serde/framing.h"

#include <QRandomGenerator>
#include <QTest>

using namespace kw;
using namespace kw::serde;

class TestFraming : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void magicZeroId()
    {
        // The first record of the official AES256_GCM vector: magic 0, schema id 1.
        const QByteArray payload = QByteArray::fromHex("0000000001") + QByteArray("body");
        auto r = parseFraming(payload, {}, false);
        QVERIFY(r);
        QCOMPARE(r->schema.kind, SchemaRef::Kind::Id);
        QCOMPARE(r->schema.id, 1);
        QCOMPARE(r->rest, QByteArray("body"));
        QCOMPARE(r->source, FramedRecord::Source::PayloadPrefix);
    }

    void idIsBigEndianAndSigned()
    {
        auto r = parseFraming(QByteArray::fromHex("0001020304"), {}, false);
        QVERIFY(r);
        QCOMPARE(r->schema.id, 0x01020304);
        QCOMPARE(r->rest, QByteArray());
        QCOMPARE(frameWithId(0x01020304, "x"), QByteArray::fromHex("000102030478"));
    }

    void magicOneGuid()
    {
        const QUuid guid =
            QUuid::fromString(QStringLiteral("0b8a9e2c-3f9d-4c6e-9a7b-1d2e3f4a5b6c"));
        const QByteArray payload = frameWithGuid(guid, "abc");
        QCOMPARE(payload.size(), 1 + 16 + 3);
        QCOMPARE(payload.mid(1, 16).toHex(), QByteArray("0b8a9e2c3f9d4c6e9a7b1d2e3f4a5b6c"));
        auto r = parseFraming(payload, {}, false);
        QVERIFY(r);
        QCOMPARE(r->schema.kind, SchemaRef::Kind::Guid);
        QCOMPARE(r->schema.guid, guid);
        QCOMPARE(r->rest, QByteArray("abc"));
    }

    void headerWinsAndLastHeaderCounts()
    {
        const QUuid first = QUuid::createUuid();
        const QUuid second = QUuid::createUuid();
        QList<RecordHeader> headers{
            {"__value_schema_id", frameWithGuid(first, {})},
            {"other", "x"},
            {"__key_schema_id", frameWithGuid(QUuid::createUuid(), {})},
            {"__value_schema_id", frameWithGuid(second, {})},
        };
        // With the header, the payload is the body itself, even if it looks framed.
        const QByteArray body = QByteArray::fromHex("0000000007") + "rest";
        auto r = parseFraming(body, headers, false);
        QVERIFY(r);
        QCOMPARE(r->source, FramedRecord::Source::Header);
        QCOMPARE(r->schema.guid, second);
        QCOMPARE(r->rest, body);

        auto key = parseFraming(body, {{"__value_schema_id", frameWithGuid(first, {})}}, true);
        QVERIFY(key);
        QCOMPARE(key->source, FramedRecord::Source::PayloadPrefix);
        QCOMPARE(key->schema.id, 7);
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("needle");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
        QTest::newRow("short id") << QByteArray::fromHex("00000001") << QStringLiteral("too short");
        QTest::newRow("short guid")
            << QByteArray::fromHex("01aabbcc") << QStringLiteral("too short");
        QTest::newRow("magic 2") << QByteArray::fromHex("0200000001") << QStringLiteral("0x02");
        QTest::newRow("json text") << QByteArray("{\"a\":1}") << QStringLiteral("0x7b");
    }

    void malformed()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, needle);
        auto r = parseFraming(payload, {}, false);
        QVERIFY(!r);
        QCOMPARE(r.error().code, QStringLiteral("serde.malformed_framing"));
        QVERIFY2(r.error().message.contains(needle), qPrintable(r.error().message));
    }

    void badHeader()
    {
        auto r =
            parseFraming("x", {{"__value_schema_id", QByteArray::fromHex("0000000001")}}, false);
        QVERIFY(!r);
        QVERIFY(r.error().message.contains(QStringLiteral("__value_schema_id")));
    }

    void messageIndexes_data()
    {
        QTest::addColumn<QByteArray>("encoded");
        QTest::addColumn<QList<qint32>>("indexes");
        QTest::newRow("shortcut [0]") << QByteArray::fromHex("00") << QList<qint32>{0};
        QTest::newRow("[1]") << QByteArray::fromHex("0202") << QList<qint32>{1};
        QTest::newRow("[0,2]") << QByteArray::fromHex("040004") << QList<qint32>{0, 2};
        QTest::newRow("[70]") << QByteArray::fromHex("028c01") << QList<qint32>{70};
    }

    void messageIndexes()
    {
        QFETCH(QByteArray, encoded);
        QFETCH(QList<qint32>, indexes);
        QCOMPARE(encodeMessageIndexes(indexes), encoded);
        auto r = readMessageIndexes(encoded + "BODY");
        QVERIFY(r);
        QCOMPARE(r->messageIndexes, indexes);
        QCOMPARE(r->body, QByteArray("BODY"));
    }

    void messageIndexesMalformed()
    {
        QVERIFY(!readMessageIndexes({}));
        QVERIFY(!readMessageIndexes(QByteArray::fromHex("04")));         // count 2, no indexes
        QVERIFY(!readMessageIndexes(QByteArray::fromHex("0280")));       // truncated varint
        QVERIFY(!readMessageIndexes(QByteArray::fromHex("01")));         // negative count
        QVERIFY(!readMessageIndexes(QByteArray::fromHex("feffffff0f"))); // huge count
        QVERIFY(!readMessageIndexes(QByteArray::fromHex("ffffffffffffffffffff01")));
    }

    void randomBytesNeverCrash()
    {
        QRandomGenerator rng(1234);
        for (int i = 0; i < 20000; ++i) {
            QByteArray data(int(rng.bounded(40)), Qt::Uninitialized);
            for (char &c : data)
                c = char(rng.bounded(256));
            auto r = parseFraming(data, {}, i % 2);
            if (r)
                (void)readMessageIndexes(r->rest);
        }
    }
};

QTEST_GUILESS_MAIN(TestFraming)
#include "tst_framing.moc"
