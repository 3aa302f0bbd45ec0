#pragma once
// The rotation schedule: for each (KEK, DEK subject, algorithm) in the DEK Registry, when its
// latest version becomes due for rotation and how close it is to its invocation limit.
//
// A DEK rotates lazily: the first produce after `ts` + encrypt.dek.expiry.days creates the next
// version (workflow-facts §3.1), so "due" means "eligible from then, on the next produce".
// `ts` is the version's last write: a rewrap or undelete resets it, which the census shows
// when it saw values under the version from before its `ts`. The invocation limits are per key
// (NIST SP 800-38D §8.3: 2^32 for AES-GCM with random IVs; RFC 5297 / SP 800-38B: 2^48 for
// AES-SIV), summed over every producer, so they are checked against the census' counts.

#include "core/census/censustally.h"
#include "core/domain/registrytypes.h"
#include "core/domain/result.h"
#include "core/kafka/kafkasettings.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <atomic>
#include <functional>

namespace kw::registry {
class DekRegistryClient;
class SchemaRegistryClient;
} // namespace kw::registry

namespace kw::census {

// The organisation's rules for DEKs. Defaults from workflow-facts §6.
struct Policy
{
    int dekCryptoperiodDays = 365; // a rule's expiry days above this is flagged
    int dekMaxAgeDays = 730;       // a version still in use after this is flagged (SP 800-57 OUP)
    int dueSoonDays = 30;          // due within this many days: "due-soon"
    // A permanent delete waits this long after the soft delete: longer than clients typically
    // keep a DEK cached, so failing consumers show up while the rows can still be undeleted.
    int deleteGraceDays = 7;
    double limitWarnShare = 0.5; // flag a version past this share of its invocation limit
    // Invocations per key, by algorithm.
    QMap<QString, double> limits{{QStringLiteral("AES128_GCM"), 4294967296.0},
                                 {QStringLiteral("AES256_GCM"), 4294967296.0},
                                 {QStringLiteral("AES256_SIV"), 281474976710656.0}};

    [[nodiscard]] double limitFor(const QString &algorithm) const;
    [[nodiscard]] QJsonObject toJson() const;
    // Strict: an unknown member, a wrong type or a value out of range is an error
    // ("census.policy") naming the member, so a typo never silently leaves a default in place.
    // Members that are absent keep their defaults.
    static Result<Policy> fromJson(const QJsonObject &json);
    static Result<Policy> load(const QString &path);
    // Atomic, 0600.
    Result<void> save(const QString &path) const;

    friend bool operator==(const Policy &, const Policy &) = default;
};

struct DekVersionInfo
{
    int version = 0;
    qint64 ts = 0;
    bool deleted = false;

    friend bool operator==(const DekVersionInfo &, const DekVersionInfo &) = default;
};

// Every version of one (KEK, DEK subject, algorithm), deleted ones included, by version.
struct DekSeries
{
    QString kek;
    QString subject;
    QString algorithm;
    bool kekDeleted = false;
    QList<DekVersionInfo> versions;

    [[nodiscard]] const DekVersionInfo *latestLive() const;
    [[nodiscard]] const DekVersionInfo *find(int version) const;
};

// What the schedule needs from the registries (never any key material).
struct ScheduleInputs
{
    QList<DekSeries> series;
    QList<registry::Schema> latestSchemas; // the latest version of every subject

    [[nodiscard]] const DekSeries *find(const QString &kek, const QString &subject,
                                        const QString &algorithm) const;
};

// Reads every KEK (deleted ones too), its DEK subjects and their versions per algorithm, and
// the latest schema of every subject. Blocking: call from a worker thread, never from the
// thread of the clients' transport. `progress(done, total)` counts DEK subjects.
Result<ScheduleInputs> loadScheduleInputs(registry::DekRegistryClient &keys,
                                          registry::SchemaRegistryClient &schemas,
                                          const std::atomic_bool &cancel,
                                          const std::function<void(int, int)> &progress = {});

enum class DueStatus
{
    Overdue,
    DueSoon,
    Ok,
    NoRotation,
};
// "overdue", "due-soon", "ok", "no-rotation".
QString dueStatusName(DueStatus status);

struct ScheduleRow
{
    QString kek;
    QString subject;
    QString algorithm;
    int latestVersion = 0;
    qint64 ts = 0;         // the latest version's
    int expiryDays = 0;    // 0: no rule names this KEK with encrypt.dek.expiry.days
    QString expirySubject; // the schema subject and version whose rule sets expiryDays
    int expiryVersion = 0;
    qint64 dueAt = -1; // ts + expiryDays; -1 without rotation
    DueStatus status = DueStatus::NoRotation;
    bool tsReset = false;   // values under the latest version predate its ts (rewrap, undelete)
    qint64 encryptions = 0; // the census' count for the latest version
    qint64 encryptionsAllVersions = 0;
    bool counted = false; // the census saw the latest version at all
    double limit = 0;
    double limitShare = 0;        // encryptions / limit
    qint64 projectedLimitAt = -1; // when the limit is reached at the observed rate; -1 unknown
    bool limitOutOfReach = false; // at the observed rate, not before the year 9999
    // Policy findings besides the status: "near-limit", "expiry-above-policy",
    // "older-than-policy", "ts-reset".
    QStringList warnings;
    QList<DekVersionInfo> versions; // every version, for the timeline
};

struct ScheduleSummary
{
    int rows = 0;
    int overdue = 0;
    int dueSoon = 0;
    int noRotation = 0;
    int nearLimit = 0;
    int tsReset = 0;

    friend bool operator==(const ScheduleSummary &, const ScheduleSummary &) = default;
};

// One row per (KEK, DEK subject, algorithm) with a live version under a live KEK, most urgent
// first: overdue (longest overdue first), due soon, then the rest by due date, rows without
// rotation last; near-limit rows before others of their status.
QList<ScheduleRow> buildSchedule(const ScheduleInputs &inputs, const Tally &census,
                                 const Policy &policy, qint64 nowMs);
ScheduleSummary summarize(const QList<ScheduleRow> &rows);

// Bad input the census can only see with the registry at hand: values whose version prefix
// names a DEK version the registry does not have (not even soft-deleted), under the heading
// "census.unknown_dek_version" of the topic where it was first seen, with that example.
void addRegistryProblems(Tally &census, const ScheduleInputs &inputs);

// The topics a census reads by default: those whose subjects carry encryption rules or have
// DEKs, under TopicNameStrategy (<topic>-value, <topic>-key), among `existing` topics.
QStringList encryptedTopics(const ScheduleInputs &inputs, const QStringList &existing);
// The same among the cluster's topics (Kafka's internal ones left out). Blocking: call from a
// worker thread. Errors: those of kafka::listTopics.
Result<QStringList> encryptedTopics(const ScheduleInputs &inputs,
                                    const kafka::KafkaSettings &settings);

} // namespace kw::census
