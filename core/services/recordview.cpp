#include "core/services/recordview.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QUrl>

#include <algorithm>

namespace kw::records {

namespace {

QString joinPath(const QString &base, const QString &name)
{
    return base.isEmpty() ? name : QString(base + QLatin1Char('.') + name);
}

// Walks `value` beside `stored` (same shape, except where a field was decrypted); a leaf that
// differs, or every leaf when `all`, is a secret.
void collect(const QJsonValue &value, const QJsonValue &stored, bool all, const QString &location,
             const QString &path, QList<SecretLeaf> &out)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        const QJsonObject storedObject = stored.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            collect(it.value(), storedObject.value(it.key()), all, joinPath(location, it.key()),
                    joinPath(path, it.key()), out);
        return;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        const QJsonArray storedArray = stored.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            collect(array.at(i), i < storedArray.size() ? storedArray.at(i) : QJsonValue(), all,
                    location + QStringLiteral("[%1]").arg(i), path, out);
        return;
    }
    if (value.isNull() || value.isUndefined())
        return;
    if (all || value != stored)
        out.append({location, path, value});
}

QJsonValue replaceSecrets(const QJsonValue &value, const QJsonValue &stored)
{
    if (value.isObject()) {
        QJsonObject object = value.toObject();
        const QJsonObject storedObject = stored.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            it.value() = replaceSecrets(it.value(), storedObject.value(it.key()));
        return object;
    }
    if (value.isArray()) {
        QJsonArray array = value.toArray();
        const QJsonArray storedArray = stored.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            array[i] = replaceSecrets(array.at(i),
                                      i < storedArray.size() ? storedArray.at(i) : QJsonValue());
        return array;
    }
    if (value.isNull() || value.isUndefined())
        return value;
    if (value != stored)
        return MaskText.toString();
    return value;
}

bool isFailed(const engine::FieldOutcome &f)
{
    return f.status == engine::FieldOutcome::Status::Failed;
}

} // namespace

bool wholeValueSecret(const engine::RecordOutcome &outcome)
{
    return outcome.payload && outcome.payload->status == engine::FieldOutcome::Status::Decrypted;
}

QList<SecretLeaf> secretLeaves(const engine::RecordOutcome &outcome)
{
    QList<SecretLeaf> out;
    if (!outcome.ok())
        return out;
    collect(outcome.value, outcome.stored, wholeValueSecret(outcome), {}, {}, out);
    return out;
}

QJsonValue maskedValue(const engine::RecordOutcome &outcome)
{
    if (wholeValueSecret(outcome))
        return outcome.value.isNull() || outcome.value.isUndefined()
                   ? outcome.value
                   : QJsonValue(MaskText.toString());
    return replaceSecrets(outcome.value, outcome.stored);
}

QStringList revealableFields(const engine::RecordOutcome &outcome)
{
    QSet<QString> paths;
    for (const engine::FieldOutcome &field : outcome.fields) {
        if (field.status == engine::FieldOutcome::Status::Decrypted)
            paths.insert(field.path);
    }
    if (wholeValueSecret(outcome))
        paths.insert(outcome.payload->path);
    QStringList sorted(paths.cbegin(), paths.cend());
    sorted.sort();
    return sorted;
}

int encryptedFieldCount(const engine::RecordOutcome &outcome)
{
    return int(std::count_if(outcome.fields.cbegin(), outcome.fields.cend(),
                             [](const engine::FieldOutcome &f) {
                                 return f.status != engine::FieldOutcome::Status::Plain;
                             }));
}

StepCounts stepCounts(const engine::RecordOutcome &outcome)
{
    StepCounts counts;
    const auto add = [&counts](const engine::FieldOutcome &f) {
        counts.decrypted += f.status == engine::FieldOutcome::Status::Decrypted;
        counts.failed += isFailed(f);
    };
    for (const engine::FieldOutcome &f : outcome.fields)
        add(f);
    if (outcome.payload)
        add(*outcome.payload);
    return counts;
}

RecordStatus recordStatus(const kafka::PreviewRecord &record)
{
    if (record.record.value.isNull())
        return RecordStatus::Tombstone;
    if (!record.decrypted)
        return RecordStatus::NotDecoded;
    if (!record.value.ok())
        return RecordStatus::Failed;
    if (std::any_of(record.value.fields.cbegin(), record.value.fields.cend(), isFailed))
        return RecordStatus::PartiallyFailed;
    return encryptedFieldCount(record.value) > 0 || wholeValueSecret(record.value)
               ? RecordStatus::Decrypted
               : RecordStatus::NotEncrypted;
}

QString statusText(const kafka::PreviewRecord &record)
{
    switch (recordStatus(record)) {
    case RecordStatus::Decrypted:
        return QStringLiteral("decrypted");
    case RecordStatus::NotEncrypted:
        return QStringLiteral("not encrypted");
    case RecordStatus::PartiallyFailed: {
        const auto failed =
            std::count_if(record.value.fields.cbegin(), record.value.fields.cend(), isFailed);
        return QStringLiteral("%1 of %2 fields failed")
            .arg(failed)
            .arg(encryptedFieldCount(record.value));
    }
    case RecordStatus::Failed:
        return QStringLiteral("failed: %1").arg(record.value.error.code);
    case RecordStatus::Tombstone:
        return QStringLiteral("tombstone");
    case RecordStatus::NotDecoded:
        return QStringLiteral("not decoded");
    }
    return {};
}

QString shortStatusText(const kafka::PreviewRecord &record)
{
    // The CLI decodes every record it reads, so "not decrypted" can only be a tombstone there.
    if (!record.decrypted)
        return QStringLiteral("tombstone");
    if (!record.value.ok())
        return QStringLiteral("FAILED");
    const StepCounts counts = stepCounts(record.value);
    if (counts.failed > 0)
        return QStringLiteral("%1 FAILED").arg(counts.failed);
    if (counts.decrypted > 0)
        return QStringLiteral("%1 decrypted").arg(counts.decrypted);
    return QStringLiteral("plain");
}

audit::AuditEntry revealAuditEntry(const RevealScope &scope)
{
    audit::AuditEntry entry;
    entry.action = audit::ActionRecordReveal;
    entry.profile = scope.profile;
    entry.registryUrl = scope.registryUrl.toString(QUrl::RemoveUserInfo);
    entry.topic = scope.topic;
    entry.partition = scope.partition;
    entry.offset = scope.offset;
    QJsonObject details{{QStringLiteral("client"), scope.client},
                        {QStringLiteral("scope"), scope.scope}};
    if (scope.offset >= 0) {
        details.insert(QStringLiteral("fields"), QJsonArray::fromStringList(scope.fields));
        details.insert(QStringLiteral("schemaId"), scope.schemaId);
        details.insert(QStringLiteral("dekSubject"), scope.dekSubject);
    } else if (scope.records >= 0) {
        details.insert(QStringLiteral("fields"), QJsonArray::fromStringList(scope.fields));
        details.insert(QStringLiteral("records"), scope.records);
        details.insert(QStringLiteral("format"), scope.format);
    } else {
        details.insert(QStringLiteral("from"), scope.from);
        details.insert(QStringLiteral("limit"), scope.limit);
    }
    entry.details = details;
    return entry;
}

} // namespace kw::records
