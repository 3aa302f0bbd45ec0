#pragma once
// A key workflow as data: the plan of one rotate, rewrap, switch, delete or undelete — the exact
// REST and KMS calls it will make, in order, the blast radius (what it touches and what that
// does to producers and consumers) and its warnings — built from fresh registry reads and shown
// before anything runs. The journal stores it as JSON, so a run resumes from exactly the plan
// the admin confirmed (workflow-facts §1–§4).

#include "core/domain/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace kw::workflows {

enum class Action
{
    RotateDek,
    RewrapKek,
    SwitchKek,
    DeleteDek,
    UndeleteDek,
    DeleteKek,
    UndeleteKek,
};
// "dek.rotate", "kek.rewrap", "kek.switch", "dek.delete", "dek.undelete", "kek.delete",
// "kek.undelete" (also the audit actions' prefix).
QString actionName(Action action);
Result<Action> actionFromName(const QString &name);

enum class StepKind
{
    CreateDekVersion, // rotate: POST /keks/K/deks/S version n+1
    RewrapDekVersion, // POST /keks/K/deks/S?rewrap=true, one version
    DeleteDekVersion, // DELETE /keks/K/deks/S/versions/V
    DeleteDekSubject, // DELETE /keks/K/deks/S (every version of one algorithm)
    UndeleteDekVersion,
    UndeleteDekSubject,
    CreateKek,      // POST /keks
    DeleteKek,      // DELETE /keks/K
    UndeleteKek,    // POST /keks/K/undelete
    RegisterSchema, // POST /subjects/S/versions
};
QString stepKindName(StepKind kind);
Result<StepKind> stepKindFromName(const QString &name);

// One step: one change in the registry, with the reads and KMS calls that go with it.
struct Step
{
    StepKind kind = StepKind::CreateDekVersion;
    QString kek;
    QString subject; // the DEK subject, or the schema subject of RegisterSchema
    QString algorithm;
    int version = 0; // the DEK version; 0 for whole-subject steps
    bool permanent = false;
    bool shared = false;  // the KEK is shared: the registry does the KMS work
    bool deleted = false; // rewrap: the row's deleted flag, sent back unchanged
    // Rewrap: the row as planned — its wrapped key (not secret: anyone who can read the
    // registry can read it) and its `ts`, which the rewrap resets.
    QByteArray plannedBlob;
    qint64 plannedTs = 0;
    QJsonObject payload; // CreateKek: the KEK; RegisterSchema: the schema to register
    // The calls, in order, e.g. "KMS unwrap (local-kms, key id …)", "POST /dek-registry/v1/…".
    QStringList calls;
    QString description; // one line: "Rewrap version 3 of payments-value (AES256_GCM)"

    [[nodiscard]] QJsonObject toJson() const;
    static Result<Step> fromJson(const QJsonObject &json);
    // "payments-pci / payments-value / AES256_GCM / v3": what an audit entry's object names.
    [[nodiscard]] QString objectName() const;
};

// A DEK version the workflow touches.
struct DekRow
{
    QString kek;
    QString subject;
    QString algorithm;
    int version = 0;
    bool deleted = false;
    qint64 ts = 0;
    bool latestLive = false; // the newest version producers use

    [[nodiscard]] QJsonObject toJson() const;
    static DekRow fromJson(const QJsonObject &json);
};

// A schema version whose encryption rule names the KEK.
struct SchemaUse
{
    QString subject;
    int version = 0;
    QString ruleName;
    bool latest = false; // the subject's latest version: what producers use
    QJsonObject toJson() const;
    static SchemaUse fromJson(const QJsonObject &json);
};

// Data under the touched versions in one topic, from the census.
struct TopicImpact
{
    QString topic;
    qint64 encryptions = 0; // values encrypted under the touched versions
    qint64 records = 0;     // records carrying at least one of them
    qint64 lastSeenMs = -1; // the newest such record's timestamp
    QJsonObject toJson() const;
    static TopicImpact fromJson(const QJsonObject &json);
};

struct GroupImpact
{
    QString groupId;
    QString state;
    QStringList topics;
    QJsonObject toJson() const;
    static GroupImpact fromJson(const QJsonObject &json);
};

struct BlastRadius
{
    QList<DekRow> deks;
    QList<SchemaUse> schemas;
    QList<TopicImpact> topics;
    QList<GroupImpact> consumerGroups;
    // Why topics or groups are not known ("no census of this cluster yet", "no Kafka cluster
    // in this profile"); empty when they are.
    QStringList unknowns;
    // What the change does to producers and consumers, spelled out for this case (facts §4).
    QStringList consequences;

    [[nodiscard]] qint64 records() const;
    [[nodiscard]] qint64 encryptions() const;
};

struct Plan
{
    Action action = Action::RotateDek;
    QString kek;
    QString subject; // empty: every subject (rewrap) or none (KEK actions)
    QString algorithm;
    int version = 0;
    bool permanent = false;
    QString targetKek; // switch: the KEK the subject moves to

    QString title;    // "Rewrap the DEKs of KEK payments-pci"
    QString question; // "Rewrap 14 DEK versions of KEK payments-pci under its KMS key?"
    QString verb;     // the confirming button: "Rewrap 14 DEK versions"
    QList<Step> steps;
    BlastRadius radius;
    QStringList warnings;
    bool unrecoverable = false;
    QString secondWarning; // set when unrecoverable
    // When set, the admin types this (the KEK or subject name) to confirm.
    QString typedName;
    // The grace period was overridden (a permanent delete of rows soft-deleted too recently).
    bool graceOverridden = false;
    qint64 plannedAtMs = 0;

    // {"action","title",…,"steps":[…],"deks":[…],"schemas":[…],"topics":[…],
    //  "consumerGroups":[…],"warnings":[…],"unrecoverable":bool, …}
    [[nodiscard]] QJsonObject toJson() const;
    static Result<Plan> fromJson(const QJsonObject &json);
    // Past tense, for the end of a run: "Rewrapped 14 DEK versions of KEK payments-pci."
    [[nodiscard]] QString doneSentence(int stepsDone) const;
};

// Error codes of this module.
inline constexpr QLatin1String ErrorRefused{"workflow.refused"};   // the order rules forbid it
inline constexpr QLatin1String ErrorConflict{"workflow.conflict"}; // someone else changed it
// A permanent delete within the policy's grace period: refused unless overridden.
inline constexpr QLatin1String ErrorGracePeriod{"workflow.grace_period"};
inline constexpr QLatin1String ErrorVerify{"workflow.verify_failed"};
inline constexpr QLatin1String ErrorNothingToDo{"workflow.nothing_to_do"};
inline constexpr QLatin1String ErrorJournal{"workflow.journal"};
inline constexpr QLatin1String ErrorCancelled{"common.cancelled"};

// SHA-256 of a wrapped key, lower-case hex (what the journal and audit entries keep).
QString blobDigest(const QByteArray &wrapped);

} // namespace kw::workflows
