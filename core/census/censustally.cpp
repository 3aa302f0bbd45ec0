#include "core/census/censustally.h"

#include <QVarLengthArray>

#include <utility>

namespace kw::census {

namespace {

// The framing code of serde (core/serde/framing.cpp): the bytes were not written by a Schema
// Registry serializer.
const QLatin1String kNotFramed("serde.malformed_framing");

Sighting sightingOf(const kafka::KafkaRecord &record)
{
    return {record.timestampMs, record.topic, record.partition, record.offset};
}

// Earlier by timestamp; records without one, and ties, keep the one seen first.
bool earlier(const Sighting &a, const Sighting &b)
{
    if (!b.isValid())
        return a.isValid();
    if (!a.isValid())
        return false;
    return a.timestampMs >= 0 && (b.timestampMs < 0 || a.timestampMs < b.timestampMs);
}

bool later(const Sighting &a, const Sighting &b)
{
    if (!b.isValid())
        return a.isValid();
    if (!a.isValid())
        return false;
    return a.timestampMs >= 0 && (b.timestampMs < 0 || a.timestampMs > b.timestampMs);
}

void see(DekVersionUsage &usage, const Sighting &at)
{
    if (earlier(at, usage.first))
        usage.first = at;
    if (later(at, usage.last))
        usage.last = at;
}

} // namespace

QString protectionName(Protection protection)
{
    switch (protection) {
    case Protection::CsfleField:
        return QStringLiteral("csfleField");
    case Protection::CsflePayload:
        return QStringLiteral("csflePayload");
    case Protection::SrPlain:
        return QStringLiteral("srPlain");
    case Protection::NotSrFramed:
        return QStringLiteral("notSrFramed");
    case Protection::Tombstone:
        return QStringLiteral("tombstone");
    case Protection::Undecodable:
        return QStringLiteral("undecodable");
    }
    return {};
}

QString notSrFramedExplanation()
{
    return QStringLiteral("encrypted or encoded outside CSFLE — end-to-end or proxy encryption, "
                          "or plain bytes — not decryptable here, by design");
}

void Tally::add(const kafka::KafkaRecord &record, const engine::RecordInspection &value,
                const engine::RecordInspection *key)
{
    TopicCensus &topic = m_topics[record.topic];
    ++topic.records;
    Protection protection = Protection::SrPlain;
    if (record.value.isNull()) {
        protection = Protection::Tombstone;
    } else if (!value.ok()) {
        if (value.error.code == kNotFramed) {
            protection = Protection::NotSrFramed;
        } else {
            protection = Protection::Undecodable;
            noteProblem(record, value.error.code, value.error.message);
        }
    } else {
        if (value.payload)
            protection = Protection::CsflePayload;
        else if (!value.values.isEmpty())
            protection = Protection::CsfleField;
        countValues(record, value);
    }
    ++topic.protection[size_t(protection)];

    if (key) {
        if (key->ok())
            countValues(record, *key);
        else if (key->error.code != kNotFramed)
            noteProblem(record, QStringLiteral("key: ") + key->error.code, key->error.message);
    }
}

void Tally::countValues(const kafka::KafkaRecord &record,
                        const engine::RecordInspection &inspection)
{
    // The values of one record name few DEK versions, nearly always one: group them with a
    // linear scan (no hash set per record) and touch each version's usage once per record, not
    // once per value. All of them share the inspection's DEK subject.
    struct Group
    {
        const engine::EncryptedValue *value; // the first value under this version
        qint64 count;
        qint64 unprefixed;
    };
    QVarLengthArray<Group, 4> groups;
    const auto group = [&](const engine::EncryptedValue &v) {
        if (!v.error.isEmpty()) {
            noteProblem(record, v.error.code, v.error.message);
            return;
        }
        const qint64 unprefixed = v.versionPrefixed ? 0 : 1;
        for (Group &g : groups) {
            if (g.value->dekVersion == v.dekVersion && g.value->kekName == v.kekName &&
                g.value->algorithm == v.algorithm) {
                ++g.count;
                g.unprefixed += unprefixed;
                return;
            }
        }
        groups.append(Group{&v, 1, unprefixed});
    };
    if (inspection.payload)
        group(*inspection.payload);
    for (const engine::EncryptedValue &v : inspection.values)
        group(v);
    if (groups.isEmpty())
        return;
    const Sighting at = sightingOf(record);
    for (const Group &g : std::as_const(groups)) {
        DekVersionUsage &usage = m_deks[DekVersionKey{g.value->kekName, inspection.dekSubject,
                                                      g.value->algorithm, g.value->dekVersion}];
        usage.encryptions += g.count;
        usage.unprefixed += g.unprefixed;
        usage.topics[record.topic] += g.count;
        ++usage.records;
        see(usage, at);
    }
}

bool Problem::exampleBefore(const Sighting &a, const Sighting &b)
{
    return !b.isValid() ||
           (a.isValid() && std::pair(a.partition, a.offset) < std::pair(b.partition, b.offset));
}

void Tally::noteProblem(const kafka::KafkaRecord &record, const QString &heading,
                        const QString &message)
{
    Problem &problem = m_problems[record.topic][heading];
    const Sighting at = sightingOf(record);
    if (problem.count++ == 0 || Problem::exampleBefore(at, problem.example)) {
        problem.example = at;
        problem.message = message;
    }
}

void Tally::addUsage(const DekVersionKey &key, const DekVersionUsage &usage)
{
    DekVersionUsage &mine = m_deks[key];
    mine.encryptions += usage.encryptions;
    mine.records += usage.records;
    mine.unprefixed += usage.unprefixed;
    for (auto it = usage.topics.cbegin(); it != usage.topics.cend(); ++it)
        mine.topics[it.key()] += it.value();
    if (earlier(usage.first, mine.first))
        mine.first = usage.first;
    if (later(usage.last, mine.last))
        mine.last = usage.last;
}

void Tally::addTopic(const QString &topic, const TopicCensus &counts)
{
    TopicCensus &mine = m_topics[topic];
    mine.records += counts.records;
    for (size_t i = 0; i < mine.protection.size(); ++i)
        mine.protection[i] += counts.protection[i];
}

void Tally::addProblem(const QString &topic, const QString &heading, const Problem &problem)
{
    Problem &mine = m_problems[topic][heading];
    if (mine.count == 0 || Problem::exampleBefore(problem.example, mine.example)) {
        mine.example = problem.example;
        mine.message = problem.message;
    }
    mine.count += problem.count;
}

void Tally::merge(const Tally &other)
{
    for (auto it = other.m_deks.cbegin(); it != other.m_deks.cend(); ++it)
        addUsage(it.key(), it.value());
    for (auto it = other.m_topics.cbegin(); it != other.m_topics.cend(); ++it)
        addTopic(it.key(), it.value());
    for (auto t = other.m_problems.cbegin(); t != other.m_problems.cend(); ++t) {
        for (auto p = t.value().cbegin(); p != t.value().cend(); ++p)
            addProblem(t.key(), p.key(), p.value());
    }
}

qint64 Tally::records() const
{
    qint64 n = 0;
    for (const TopicCensus &t : m_topics)
        n += t.records;
    return n;
}

} // namespace kw::census
