#include "core/census/censusrecord.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace kw::census {

namespace {

constexpr int kFormat = 1;

Error badRecord(const QString &what)
{
    return makeError(QStringLiteral("census.bad_record"),
                     QStringLiteral("A census topic record could not be read: %1. Was it written "
                                    "by another program, or by a newer Keywarden?")
                         .arg(what));
}

QJsonValue sightingJson(const Sighting &s)
{
    if (!s.isValid())
        return QJsonValue();
    return QJsonObject{{QStringLiteral("ts"), s.timestampMs},
                       {QStringLiteral("partition"), s.partition},
                       {QStringLiteral("offset"), s.offset}};
}

Sighting sightingFrom(const QJsonValue &v, const QString &topic)
{
    if (!v.isObject())
        return {};
    const QJsonObject o = v.toObject();
    return {o.value(QStringLiteral("ts")).toInteger(-1), topic,
            int(o.value(QStringLiteral("partition")).toInteger(-1)),
            o.value(QStringLiteral("offset")).toInteger(-1)};
}

} // namespace

QString defaultCensusTopic()
{
    return QStringLiteral("_keywarden_census");
}

QByteArray encodeKey(const QString &topic, int partition)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("topic"), topic},
                                     {QStringLiteral("partition"), partition}})
        .toJson(QJsonDocument::Compact);
}

QByteArray encodeValue(const PartitionCensus &census)
{
    QJsonObject o{{QStringLiteral("format"), kFormat},
                  {QStringLiteral("topic"), census.topic},
                  {QStringLiteral("partition"), census.partition},
                  {QStringLiteral("nextOffset"), census.nextOffset},
                  {QStringLiteral("missed"), census.missed}};
    if (const auto t = census.counts.topics().constFind(census.topic);
        t != census.counts.topics().cend()) {
        QJsonObject protection;
        for (int i = 0; i < ProtectionKinds; ++i)
            protection.insert(protectionName(Protection(i)), t->protection[size_t(i)]);
        o.insert(QStringLiteral("records"), t->records);
        o.insert(QStringLiteral("protection"), protection);
    }
    QJsonArray deks;
    const auto &usage = census.counts.dekVersions();
    for (auto it = usage.cbegin(); it != usage.cend(); ++it) {
        const DekVersionUsage &u = it.value();
        deks.append(QJsonObject{{QStringLiteral("kek"), it.key().kek},
                                {QStringLiteral("subject"), it.key().subject},
                                {QStringLiteral("algorithm"), it.key().algorithm},
                                {QStringLiteral("version"), it.key().version},
                                {QStringLiteral("encryptions"), u.encryptions},
                                {QStringLiteral("records"), u.records},
                                {QStringLiteral("unprefixed"), u.unprefixed},
                                {QStringLiteral("first"), sightingJson(u.first)},
                                {QStringLiteral("last"), sightingJson(u.last)}});
    }
    o.insert(QStringLiteral("deks"), deks);
    QJsonArray problems;
    const auto mine = census.counts.problems().value(census.topic);
    for (auto p = mine.cbegin(); p != mine.cend(); ++p)
        problems.append(QJsonObject{{QStringLiteral("heading"), p.key()},
                                    {QStringLiteral("count"), p->count},
                                    {QStringLiteral("example"), sightingJson(p->example)},
                                    {QStringLiteral("message"), p->message}});
    o.insert(QStringLiteral("problems"), problems);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Result<PartitionCensus> decodeRecord(const QByteArray &key, const QByteArray &value)
{
    QJsonParseError parsed;
    const QJsonDocument keyDoc = QJsonDocument::fromJson(key, &parsed);
    if (!keyDoc.isObject())
        return badRecord(QStringLiteral("its key is not a JSON object"));
    const QJsonDocument doc = QJsonDocument::fromJson(value, &parsed);
    if (!doc.isObject())
        return badRecord(
            QStringLiteral("its value is not a JSON object (%1)")
                .arg(value.isNull() ? QStringLiteral("a tombstone") : parsed.errorString()));
    const QJsonObject o = doc.object();
    const qint64 format = o.value(QStringLiteral("format")).toInteger(0);
    if (format != kFormat)
        return badRecord(QStringLiteral("its format is %1, this Keywarden reads format %2")
                             .arg(format)
                             .arg(kFormat));
    PartitionCensus c;
    c.topic = o.value(QStringLiteral("topic")).toString();
    c.partition = int(o.value(QStringLiteral("partition")).toInteger(-1));
    c.nextOffset = o.value(QStringLiteral("nextOffset")).toInteger(-1);
    c.missed = o.value(QStringLiteral("missed")).toInteger(0);
    const QJsonObject k = keyDoc.object();
    if (c.topic.isEmpty() || c.partition < 0 || c.nextOffset < 0 || c.missed < 0)
        return badRecord(QStringLiteral("it has no topic, partition or position"));
    if (k.value(QStringLiteral("topic")).toString() != c.topic ||
        k.value(QStringLiteral("partition")).toInteger(-1) != c.partition)
        return badRecord(QStringLiteral("its key names another partition than its value (%1 "
                                        "partition %2)")
                             .arg(c.topic)
                             .arg(c.partition));
    if (o.contains(QStringLiteral("records"))) {
        TopicCensus t;
        t.records = o.value(QStringLiteral("records")).toInteger();
        const QJsonObject protection = o.value(QStringLiteral("protection")).toObject();
        for (int i = 0; i < ProtectionKinds; ++i)
            t.protection[size_t(i)] = protection.value(protectionName(Protection(i))).toInteger();
        c.counts.addTopic(c.topic, t);
    }
    for (const QJsonValue &v : o.value(QStringLiteral("deks")).toArray()) {
        const QJsonObject d = v.toObject();
        const DekVersionKey key{d.value(QStringLiteral("kek")).toString(),
                                d.value(QStringLiteral("subject")).toString(),
                                d.value(QStringLiteral("algorithm")).toString(),
                                int(d.value(QStringLiteral("version")).toInteger())};
        DekVersionUsage u;
        u.encryptions = d.value(QStringLiteral("encryptions")).toInteger();
        u.records = d.value(QStringLiteral("records")).toInteger();
        u.unprefixed = d.value(QStringLiteral("unprefixed")).toInteger();
        u.first = sightingFrom(d.value(QStringLiteral("first")), c.topic);
        u.last = sightingFrom(d.value(QStringLiteral("last")), c.topic);
        u.topics.insert(c.topic, u.encryptions);
        c.counts.addUsage(key, u);
    }
    for (const QJsonValue &v : o.value(QStringLiteral("problems")).toArray()) {
        const QJsonObject p = v.toObject();
        Problem problem;
        problem.count = p.value(QStringLiteral("count")).toInteger();
        problem.example = sightingFrom(p.value(QStringLiteral("example")), c.topic);
        problem.message = p.value(QStringLiteral("message")).toString();
        c.counts.addProblem(c.topic, p.value(QStringLiteral("heading")).toString(), problem);
    }
    return c;
}

bool CensusLedger::offer(PartitionCensus census)
{
    QHash<int, PartitionCensus> &partitions = m_kept[census.topic];
    const auto kept = partitions.constFind(census.partition);
    if (kept != partitions.cend() && kept->nextOffset > census.nextOffset)
        return false;
    partitions.insert(census.partition, std::move(census));
    return true;
}

const PartitionCensus *CensusLedger::find(const QString &topic, int partition) const
{
    const auto t = m_kept.constFind(topic);
    if (t == m_kept.cend())
        return nullptr;
    const auto p = t->constFind(partition);
    return p == t->cend() ? nullptr : &*p;
}

qint64 CensusLedger::nextOffset(const QString &topic, int partition) const
{
    const PartitionCensus *c = find(topic, partition);
    return c ? c->nextOffset : -1;
}

int CensusLedger::partitions() const
{
    int n = 0;
    for (const auto &partitions : m_kept)
        n += int(partitions.size());
    return n;
}

QStringList CensusLedger::topics() const
{
    QStringList out = m_kept.keys();
    out.sort();
    return out;
}

Tally CensusLedger::totals(const QStringList &topics) const
{
    Tally total;
    for (const QString &topic : this->topics()) {
        if (!topics.isEmpty() && !topics.contains(topic))
            continue;
        const QHash<int, PartitionCensus> &partitions = m_kept[topic];
        QList<int> numbers = partitions.keys();
        std::sort(numbers.begin(), numbers.end());
        for (int p : std::as_const(numbers))
            total.merge(partitions[p].counts);
    }
    return total;
}

QHash<QString, qint64> CensusLedger::missed(const QStringList &topics) const
{
    QHash<QString, qint64> out;
    for (auto t = m_kept.cbegin(); t != m_kept.cend(); ++t) {
        if (!topics.isEmpty() && !topics.contains(t.key()))
            continue;
        for (const PartitionCensus &c : t.value()) {
            if (c.missed > 0)
                out[t.key()] += c.missed;
        }
    }
    return out;
}

} // namespace kw::census
