#pragma once
// What a census counts from the records it reads, never decrypting anything: per DEK version
// (KEK, DEK subject, algorithm, version) the encryptions it has done (one per encrypted value,
// array items and map values each; one per record for ENCRYPT_PAYLOAD; keys as well as
// values), the records carrying them and where they were first and last seen; per topic how
// each record's value is protected; and what could not be read, under one heading per cause
// with an example. No registry keeps such counters (workflow-facts §6.1): this is the only
// usage figure an admin gets.

#include "core/engine/recorddecryptor.h"
#include "core/kafka/kafkatypes.h"

#include <QHash>
#include <QMap>
#include <QString>

#include <array>

namespace kw::census {

struct DekVersionKey
{
    QString kek;
    QString subject; // the DEK subject (<topic>-value under TopicNameStrategy)
    QString algorithm;
    int version = 0;

    friend bool operator==(const DekVersionKey &, const DekVersionKey &) = default;
};

inline size_t qHash(const DekVersionKey &k, size_t seed = 0)
{
    return qHashMulti(seed, k.kek, k.subject, k.algorithm, k.version);
}

// Where a record was read.
struct Sighting
{
    qint64 timestampMs = -1;
    QString topic;
    int partition = -1;
    qint64 offset = -1;

    [[nodiscard]] bool isValid() const { return offset >= 0; }
};

struct DekVersionUsage
{
    qint64 encryptions = 0;
    qint64 records = 0; // records with at least one value under this version
    // Encryptions whose values carry no version prefix (their rule does not rotate): counted
    // against version 1, as the clients that wrote them did.
    qint64 unprefixed = 0;
    Sighting first;               // the earliest record by timestamp (then topic order of reading)
    Sighting last;                // the latest
    QMap<QString, qint64> topics; // encryptions per topic
};

// How a record's value is protected. The order is the JSON output's.
enum class Protection
{
    CsfleField,   // Schema Registry framed, fields encrypted by ENCRYPT rules
    CsflePayload, // Schema Registry framed, the payload encrypted by an ENCRYPT_PAYLOAD rule
    SrPlain,      // Schema Registry framed, nothing encrypted
    NotSrFramed,  // not Schema Registry framed: encrypted or encoded outside CSFLE, or plain
    Tombstone,    // no value
    Undecodable,  // framed, but its schema or its bytes could not be read
};
inline constexpr int ProtectionKinds = 6;
// "csfleField", "csflePayload", "srPlain", "notSrFramed", "tombstone", "undecodable".
QString protectionName(Protection protection);
// What NotSrFramed means, for people.
QString notSrFramedExplanation();

struct TopicCensus
{
    qint64 records = 0;
    std::array<qint64, ProtectionKinds> protection{};

    [[nodiscard]] qint64 count(Protection p) const { return protection[size_t(p)]; }
};

// Records that could not be counted fully, under one heading per cause: the error code
// ("registry.40403" for an unknown schema id, "engine.malformed_ciphertext", ...), prefixed
// "key: " for record keys.
struct Problem
{
    qint64 count = 0;
    // The record with it that comes first by partition, then offset: the same example however
    // the records were read (one consumer or several, in whatever order).
    Sighting example;
    QString message; // that record's error message

    // Whether `a` is the better example: it comes before `b` (or `b` is none).
    static bool exampleBefore(const Sighting &a, const Sighting &b);
};

class Tally
{
public:
    // Counts one record read from Kafka. `value` is its value's inspection (ignored for a
    // tombstone); `key`, when set, its key's (only keys that are Schema Registry framed are
    // inspected: plain keys are the norm and count nothing).
    void add(const kafka::KafkaRecord &record, const engine::RecordInspection &value,
             const engine::RecordInspection *key = nullptr);
    // Adds another tally's counts (another topic, partition or process).
    void merge(const Tally &other);
    // Adds usage counted elsewhere (a stored census), keeping first and last seen.
    void addUsage(const DekVersionKey &key, const DekVersionUsage &usage);
    void addTopic(const QString &topic, const TopicCensus &counts);
    void addProblem(const QString &topic, const QString &heading, const Problem &problem);

    [[nodiscard]] const QHash<DekVersionKey, DekVersionUsage> &dekVersions() const
    {
        return m_deks;
    }
    [[nodiscard]] const QMap<QString, TopicCensus> &topics() const { return m_topics; }
    // topic -> heading -> problem
    [[nodiscard]] const QMap<QString, QMap<QString, Problem>> &problems() const
    {
        return m_problems;
    }
    [[nodiscard]] qint64 records() const;
    [[nodiscard]] bool isEmpty() const { return m_topics.isEmpty(); }

private:
    void countValues(const kafka::KafkaRecord &record, const engine::RecordInspection &inspection);
    void noteProblem(const kafka::KafkaRecord &record, const QString &heading,
                     const QString &message);

    QHash<DekVersionKey, DekVersionUsage> m_deks;
    QMap<QString, TopicCensus> m_topics;
    QMap<QString, QMap<QString, Problem>> m_problems;
};

} // namespace kw::census
