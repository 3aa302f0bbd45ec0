// census::Tally and CensusState: what is counted per DEK version, per topic and per problem from
// inspected records, and how counts and positions are kept between runs.

#include "core/census/censusstate.h"
#include "core/census/censustally.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace kw;
using namespace kw::census;

namespace {

kafka::KafkaRecord record(const QString &topic, int partition, qint64 offset, qint64 ts,
                          const QByteArray &value = QByteArrayLiteral("\0\0\0\0\x01x"))
{
    kafka::KafkaRecord r;
    r.topic = topic;
    r.partition = partition;
    r.offset = offset;
    r.timestampMs = ts;
    r.value = value;
    return r;
}

engine::EncryptedValue encrypted(const QString &path, const QString &kek, int version,
                                 bool prefixed = true,
                                 const QString &algorithm = QStringLiteral("AES256_GCM"))
{
    engine::EncryptedValue v;
    v.path = path;
    v.kekName = kek;
    v.algorithm = algorithm;
    v.dekVersion = version;
    v.versionPrefixed = prefixed;
    return v;
}

engine::RecordInspection fields(const QString &subject, QList<engine::EncryptedValue> values)
{
    engine::RecordInspection i;
    i.dekSubject = subject;
    i.values = std::move(values);
    return i;
}

engine::RecordInspection failed(const QString &code)
{
    engine::RecordInspection i;
    i.error = makeError(code, QStringLiteral("failed on purpose (%1)").arg(code));
    return i;
}

const QString kA = QStringLiteral("kek-a");
const QString kB = QStringLiteral("kek-b");
const QString kSubject = QStringLiteral("orders-value");

} // namespace

class TestCensusTally : public QObject
{
    Q_OBJECT

    // Four records of "orders" and a tombstone, in read order: the fixture of several tests.
    static Tally orders()
    {
        Tally t;
        // Three values: two (an array's items) under kek-a v2, one under kek-b v1 without a
        // prefix.
        t.add(record(QStringLiteral("orders"), 0, 10, 2000),
              fields(kSubject, {encrypted(QStringLiteral("cards[]"), kA, 2),
                                encrypted(QStringLiteral("cards[]"), kA, 2),
                                encrypted(QStringLiteral("ssn"), kB, 1, false)}));
        t.add(record(QStringLiteral("orders"), 1, 4, 1000),
              fields(kSubject, {encrypted(QStringLiteral("cards[]"), kA, 2)}));
        engine::RecordInspection payload;
        payload.dekSubject = kSubject;
        payload.payload =
            encrypted(QStringLiteral("(payload)"), kA, 3, true, QStringLiteral("AES256_SIV"));
        payload.fieldsHidden = true;
        t.add(record(QStringLiteral("orders"), 0, 11, 3000), payload);
        t.add(record(QStringLiteral("orders"), 0, 12, 3500, QByteArray()), {});
        return t;
    }

private Q_SLOTS:
    void countsEachValueUnderItsDekVersion()
    {
        const Tally t = orders();
        const auto &deks = t.dekVersions();
        QCOMPARE(deks.size(), 3);
        const DekVersionUsage a2 = deks.value({kA, kSubject, QStringLiteral("AES256_GCM"), 2});
        QCOMPARE(a2.encryptions, 3);
        QCOMPARE(a2.records, 2);
        QCOMPARE(a2.unprefixed, 0);
        QCOMPARE(a2.topics.value(QStringLiteral("orders")), 3);
        // First and last seen by timestamp, not by reading order.
        QCOMPARE(a2.first.offset, 4);
        QCOMPARE(a2.first.partition, 1);
        QCOMPARE(a2.last.offset, 10);
        const DekVersionUsage b1 = deks.value({kB, kSubject, QStringLiteral("AES256_GCM"), 1});
        QCOMPARE(b1.encryptions, 1);
        QCOMPARE(b1.unprefixed, 1); // counted against v1 because it carries no version
        const DekVersionUsage a3 = deks.value({kA, kSubject, QStringLiteral("AES256_SIV"), 3});
        QCOMPARE(a3.encryptions, 1); // one per record for a payload
        QCOMPARE(a3.records, 1);
    }

    void groupsInterleavedValuesOfOneRecordByDekVersion()
    {
        // Values of one record under several versions, interleaved, one of them damaged: each
        // version counts its own values and the record once; the damaged value is a problem.
        engine::EncryptedValue damaged = encrypted(QStringLiteral("notes{}"), kA, 0);
        damaged.error = makeError(QStringLiteral("engine.malformed_ciphertext"),
                                  QStringLiteral("not base64 on purpose"));
        Tally t;
        t.add(record(QStringLiteral("orders"), 0, 7, 500),
              fields(kSubject,
                     {encrypted(QStringLiteral("cards[]"), kA, 1),
                      encrypted(QStringLiteral("cards[]"), kA, 2), damaged,
                      encrypted(QStringLiteral("cards[]"), kA, 1),
                      encrypted(QStringLiteral("ssn"), kA, 1, true, QStringLiteral("AES256_SIV")),
                      encrypted(QStringLiteral("cards[]"), kA, 2),
                      encrypted(QStringLiteral("cards[]"), kA, 1)}));
        const auto &deks = t.dekVersions();
        QCOMPARE(deks.size(), 3);
        const DekVersionUsage v1 = deks.value({kA, kSubject, QStringLiteral("AES256_GCM"), 1});
        QCOMPARE(v1.encryptions, 3);
        QCOMPARE(v1.records, 1);
        QCOMPARE(v1.topics.value(QStringLiteral("orders")), 3);
        QCOMPARE(v1.first.offset, 7);
        QCOMPARE(v1.last.offset, 7);
        const DekVersionUsage v2 = deks.value({kA, kSubject, QStringLiteral("AES256_GCM"), 2});
        QCOMPARE(v2.encryptions, 2);
        QCOMPARE(v2.records, 1);
        const DekVersionUsage siv = deks.value({kA, kSubject, QStringLiteral("AES256_SIV"), 1});
        QCOMPARE(siv.encryptions, 1);
        QCOMPARE(siv.records, 1);
        QCOMPARE(t.problems()
                     .value(QStringLiteral("orders"))
                     .value(QStringLiteral("engine.malformed_ciphertext"))
                     .count,
                 1);
        QCOMPARE(t.topics().value(QStringLiteral("orders")).count(Protection::CsfleField), 1);
    }

    void countsHowEachValueIsProtected()
    {
        Tally t = orders();
        t.add(record(QStringLiteral("orders"), 2, 0, 10, QByteArrayLiteral("{\"plain\":1}")),
              failed(QStringLiteral("serde.malformed_framing")));
        t.add(record(QStringLiteral("orders"), 2, 1, 11), fields(kSubject, {}));
        t.add(record(QStringLiteral("orders"), 2, 2, 12), failed(QStringLiteral("registry.40403")));
        t.add(record(QStringLiteral("orders"), 2, 3, 13), failed(QStringLiteral("registry.40403")));
        const TopicCensus orders = t.topics().value(QStringLiteral("orders"));
        QCOMPARE(orders.records, 8);
        QCOMPARE(orders.count(Protection::CsfleField), 2);
        QCOMPARE(orders.count(Protection::CsflePayload), 1);
        QCOMPARE(orders.count(Protection::Tombstone), 1);
        QCOMPARE(orders.count(Protection::NotSrFramed), 1);
        QCOMPARE(orders.count(Protection::SrPlain), 1);
        QCOMPARE(orders.count(Protection::Undecodable), 2);
        QCOMPARE(t.records(), 8);

        // Each cause under its own heading, with the first record that had it.
        const Problem unknownSchema =
            t.problems().value(QStringLiteral("orders")).value(QStringLiteral("registry.40403"));
        QCOMPARE(unknownSchema.count, 2);
        QCOMPARE(unknownSchema.example.partition, 2);
        QCOMPARE(unknownSchema.example.offset, 2);
        QVERIFY(unknownSchema.message.contains(QStringLiteral("40403")));
        QCOMPARE(protectionName(Protection::NotSrFramed), QStringLiteral("notSrFramed"));
    }

    void aDamagedValueIsAProblemNotAnEncryption()
    {
        Tally t;
        engine::EncryptedValue bad = encrypted(QStringLiteral("ssn"), kA, 0);
        bad.error = makeError(QStringLiteral("engine.malformed_ciphertext"), QStringLiteral("bad"));
        t.add(record(QStringLiteral("orders"), 0, 7, 1),
              fields(kSubject, {bad, encrypted(QStringLiteral("name"), kA, 1)}));
        QCOMPARE(t.dekVersions().size(), 1);
        QCOMPARE(t.dekVersions().begin()->encryptions, 1);
        QCOMPARE(t.problems()
                     .value(QStringLiteral("orders"))
                     .value(QStringLiteral("engine.malformed_ciphertext"))
                     .example.offset,
                 7);
    }

    void keysCountToo()
    {
        Tally t;
        const engine::RecordInspection key =
            fields(QStringLiteral("orders-key"), {encrypted(QStringLiteral("id"), kA, 1)});
        t.add(record(QStringLiteral("orders"), 0, 1, 1), fields(kSubject, {}), &key);
        const engine::RecordInspection plainKey = failed(QStringLiteral("serde.malformed_framing"));
        t.add(record(QStringLiteral("orders"), 0, 2, 2), fields(kSubject, {}), &plainKey);
        QCOMPARE(t.dekVersions()
                     .value({kA, QStringLiteral("orders-key"), QStringLiteral("AES256_GCM"), 1})
                     .encryptions,
                 1);
        QVERIFY(t.problems().isEmpty()); // an unframed key is normal, not a problem
    }

    void mergeAddsUp()
    {
        Tally twice = orders();
        twice.merge(orders());
        const Tally once = orders();
        for (auto it = once.dekVersions().cbegin(); it != once.dekVersions().cend(); ++it) {
            const DekVersionUsage &u = twice.dekVersions().value(it.key());
            QCOMPARE(u.encryptions, 2 * it->encryptions);
            QCOMPARE(u.records, 2 * it->records);
            QCOMPARE(u.first.offset, it->first.offset);
            QCOMPARE(u.last.offset, it->last.offset);
        }
        QCOMPARE(twice.records(), 2 * once.records());
    }

    void aProblemsExampleDoesNotDependOnReadingOrder()
    {
        // The same three damaged records, read in two orders (one consumer merges partitions
        // by time; a group splits them): the example is the first by partition, then offset.
        const QList<kafka::KafkaRecord> records{record(QStringLiteral("t"), 1, 2, 100),
                                                record(QStringLiteral("t"), 0, 9, 300),
                                                record(QStringLiteral("t"), 0, 5, 200)};
        const auto examples = [&](QList<int> order) {
            Tally one;
            for (int i : order)
                one.add(records.at(i), failed(QStringLiteral("serde.malformed_record")));
            auto state = CensusState::open({});
            Tally merged;
            for (int i : order) {
                Tally single;
                single.add(records.at(i), failed(QStringLiteral("serde.malformed_record")));
                if (!(*state)->commit(QStringLiteral("t"), single, {}))
                    return QStringList{QStringLiteral("the commit failed")};
                merged.merge(single);
            }
            const auto pick = [](const Tally &t) {
                const Problem p = t.problems()
                                      .value(QStringLiteral("t"))
                                      .value(QStringLiteral("serde.malformed_record"));
                return QStringLiteral("%1/%2 x%3")
                    .arg(p.example.partition)
                    .arg(p.example.offset)
                    .arg(p.count);
            };
            return QStringList{pick(one), pick(merged), pick((*state)->load().value())};
        };
        const QStringList expected{QStringLiteral("0/5 x3"), QStringLiteral("0/5 x3"),
                                   QStringLiteral("0/5 x3")};
        QCOMPARE(examples({0, 1, 2}), expected);
        QCOMPARE(examples({2, 1, 0}), expected);
        QCOMPARE(examples({1, 0, 2}), expected);
    }

    void stateKeepsCountsAndPositionsTogether()
    {
        auto state = CensusState::open({});
        QVERIFY2(state, qPrintable(state ? QString() : state.error().message));
        QVERIFY((*state)->commit(QStringLiteral("orders"), orders(),
                                 {{QStringLiteral("orders"), 0, 13, 0}}));
        QVERIFY((*state)->commit(QStringLiteral("orders"), orders(),
                                 {{QStringLiteral("orders"), 1, 5, 2}}));
        Tally other;
        other.add(record(QStringLiteral("refunds"), 0, 0, 5),
                  fields(QStringLiteral("refunds-value"), {encrypted(QStringLiteral("x"), kB, 4)}));
        QVERIFY((*state)->commit(QStringLiteral("refunds"), other,
                                 {{QStringLiteral("refunds"), 0, 1, 0}}));

        auto loaded = (*state)->load();
        QVERIFY(loaded);
        Tally expected = orders();
        expected.merge(orders());
        expected.merge(other);
        QCOMPARE(loaded->records(), expected.records());
        QCOMPARE(loaded->dekVersions().size(), expected.dekVersions().size());
        for (auto it = expected.dekVersions().cbegin(); it != expected.dekVersions().cend(); ++it) {
            const DekVersionUsage &u = loaded->dekVersions().value(it.key());
            QCOMPARE(u.encryptions, it->encryptions);
            QCOMPARE(u.records, it->records);
            QCOMPARE(u.unprefixed, it->unprefixed);
            QCOMPARE(u.topics, it->topics);
            QCOMPARE(u.first.offset, it->first.offset);
            QCOMPARE(u.last.timestampMs, it->last.timestampMs);
        }
        QCOMPARE(loaded->topics().value(QStringLiteral("orders")).count(Protection::Tombstone), 2);

        auto positions = (*state)->positions(QStringLiteral("orders"));
        QVERIFY(positions);
        QCOMPARE(positions->size(), 2);
        QCOMPARE(positions->value(0).nextOffset, 13);
        QCOMPARE(positions->value(1).missed, 2);

        QVERIFY((*state)->clear());
        QVERIFY((*state)->load()->isEmpty());
        QVERIFY((*state)->positions()->isEmpty());
    }

    void theStateFileIsTheUsersAlone()
    {
        QTemporaryDir dir;
        const QString path = CensusState::pathFor(dir.filePath(QStringLiteral("census")),
                                                  QStringLiteral("broker-1:9092"));
        QVERIFY(path != CensusState::pathFor(dir.filePath(QStringLiteral("census")),
                                             QStringLiteral("broker-2:9092")));
        auto state = CensusState::open(path);
        QVERIFY2(state, qPrintable(state ? QString() : state.error().message));
        QVERIFY((*state)->commit(QStringLiteral("orders"), orders(), {}));
        QCOMPARE(QFile::permissions(path) & ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                              QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::Permissions());
        state->reset();
        // Reopened: the counts are there.
        auto again = CensusState::open(path);
        QVERIFY(again);
        QCOMPARE((*again)->load()->records(), orders().records());
    }
};

QTEST_GUILESS_MAIN(TestCensusTally)
#include "tst_censustally.moc"
