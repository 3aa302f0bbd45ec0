#pragma once
// A compliance report's data: the estate's keys, their schedule and usage, the workflows and
// the audited actions of a period, the endpoints' certificates, and what each of those
// evidences for PCI DSS v4.0, SOC 2 and ISO/IEC 27001:2022 (workflow-facts §6.4, §7). Built
// from what the registry, the census, the journal and the audit log hold, never from key
// material: no wrapped or unwrapped key, credential or decrypted value enters it. A section
// whose source is not there (no census yet, no Kafka cluster, plain HTTP) is marked not
// available with the reason, never filled in.
//
// The writers turn it into each format: CSV and JSON here (reportwriters.h), PDF and HTML with
// the Rotation view's charts in widgets/report.

#include "core/audit/auditanchor.h"
#include "core/census/schedule.h"
#include "core/workflows/journal.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace kw::report {

// The report's sections, in order. Their ids name them in JSON and in "not available".
enum class Section
{
    Cover,
    Policy,
    Keks,
    Deks,
    Schedule,
    Counts,
    Coverage,
    Workflows,
    Audit,
    Certificates,
    Controls,
    Integrity,
};
inline constexpr int SectionCount = 12;
// "cover", "policy", "keks", "deks", "schedule", "counts", "coverage", "workflows", "audit",
// "certificates", "controls", "integrity".
QString sectionId(Section section);
// "Cover", "Policy in force", "KEK inventory", "DEK inventory", "Rotation schedule",
// "Encryption counts", "Protection coverage", "Workflow history", "Audited actions",
// "TLS certificates", "Controls", "Integrity".
QString sectionTitle(Section section);

struct Cover
{
    QString estate; // the connection profile's name
    QString registryUrl;
    QString kafkaBootstrap; // empty: the profile has no Kafka cluster
    qint64 sinceMs = 0;     // the period; 0: from the beginning
    qint64 untilMs = 0;
    qint64 generatedMs = 0;
    QString generatedBy; // the OS account
    QString keywardenVersion;
};

struct KekEntry
{
    QString name;
    QString kmsType;
    QString kmsKeyId;
    bool shared = false;
    bool deleted = false;
    qint64 ts = 0;
    QString doc;
    int dekSubjects = 0;
    int dekVersions = 0; // deleted ones included
    int liveDekVersions = 0;
    // What the KMS says of the key (enabled, automatic rotation, ...); empty with the reason in
    // kmsStateNote when no driver reads it.
    QString kmsState;
    QString kmsStateNote;
};

struct DekVersionEntry
{
    QString kek;
    QString subject;
    QString algorithm;
    int keyBits = 0; // the key's length; AES-SIV's is two AES-256 keys
    int strengthBits = 0;
    int version = 0;
    bool deleted = false;
    bool latest = false; // the newest live version: what producers encrypt with
    qint64 ts = 0;       // last modified (created, rewrapped or undeleted)
    int ageDays = 0;     // since ts
    int expiryDays = 0;  // the rule's encrypt.dek.expiry.days for the latest; 0: none
    // Past the policy's maximum age while still the latest, or retired versions past it.
    bool pastMaxAge = false;
    qint64 encryptions = -1; // the census' count; -1: not counted
    qint64 records = -1;
};

struct TopicCoverage
{
    QString topic;
    census::TopicCensus counts;
    qint64 missed = 0; // records retention deleted before they were counted: a lower bound
    [[nodiscard]] double protectedShare() const; // CSFLE field or payload of the non-tombstones
};

struct WorkflowEntry
{
    qint64 id = 0;
    QString action; // "dek.rotate", ...
    QString title;
    QString state; // "done", "failed", ...
    QString operatorName;
    QString registryUrl;
    qint64 createdMs = 0;
    qint64 finishedMs = 0;
    int stepsDone = 0;
    int steps = 0;
    QString message;
};

struct AuditSummary
{
    qint64 entries = 0;            // the whole log
    qint64 inPeriod = 0;           // entries in the report's period
    QMap<QString, qint64> actions; // in the period: action -> entries
    QMap<QString, qint64> actors;  // in the period: actor -> entries
    qint64 reveals = 0;            // record.reveal and record.copy in the period
    audit::AuditAnchor anchor;     // the head and digest the report covers
    bool chainVerified = false;
    QString chainNote; // "Verified: …" or what broke
};

struct CertificateEntry
{
    QString role;     // "Schema Registry", "Kafka broker"
    QString endpoint; // host:port
    QString subject;
    QString issuer;
    qint64 notAfterMs = 0;
    int daysLeft = 0;
    bool expiresSoon = false; // within 30 days, or expired
    bool verified = false;
    QString note; // a verification error, or why it could not be read
};

struct Control
{
    QString framework;     // "PCI DSS v4.0", "SOC 2", "ISO/IEC 27001:2022"
    QString clause;        // "3.6.1.1"
    QString title;         // what the clause asks for, in a few words
    QStringList evidence;  // the sections that evidence it, and how
    QStringList attention; // findings that need attention; empty: none
};

// How the report can be checked: the key that signs it (the seal itself, with the report's
// SHA-256 and signature, is added to the written file: core/report/seal.h).
struct Integrity
{
    QString publicKeyPem;
    QString publicKeyFingerprint; // crypto::keyFingerprint
};

struct ComplianceReport
{
    Cover cover;
    census::Policy policy;
    QList<KekEntry> keks;
    QList<DekVersionEntry> deks; // one per DEK version, by KEK, subject, algorithm, version
    QList<census::ScheduleRow> schedule;
    census::ScheduleSummary scheduleSummary;
    bool countsLowerBound = false; // retention removed records before they were counted
    QList<TopicCoverage> coverage;
    QList<WorkflowEntry> workflows; // in the period, newest first
    AuditSummary audit;
    QList<CertificateEntry> certificates;
    QList<Control> controls;
    Integrity integrity;
    // Sections whose source was not there, with why: "no census of this cluster yet: …".
    QMap<Section, QString> unavailable;

    [[nodiscard]] bool isAvailable(Section section) const { return !unavailable.contains(section); }
};

// What the collection brings (core/services/reportrun reads it).
struct ReportInputs
{
    Cover cover;
    census::Policy policy;
    census::ScheduleInputs registry;
    QList<registry::Kek> keks;           // every KEK, deleted ones too (no key material in a Kek)
    std::optional<census::Tally> census; // none: no census of this cluster yet
    QHash<QString, qint64> missed;
    QString censusNote;                              // why there is no census, when there is none
    std::optional<QList<workflows::RunRecord>> runs; // none: the journal could not be read
    QString journalNote;
    std::optional<AuditSummary> audit;
    QString auditNote;
    std::optional<QList<CertificateEntry>> certificates;
    QString certificatesNote;
    qint64 nowMs = 0;
};

// Pure: the report of those inputs.
ComplianceReport buildReport(const ReportInputs &inputs);

// The key length and security strength of a DEK algorithm (AES128_GCM: 128/128, AES256_GCM:
// 256/256, AES256_SIV: 512/256); 0 for an unknown one.
int keyBits(const QString &algorithm);
int strengthBits(const QString &algorithm);

} // namespace kw::report
