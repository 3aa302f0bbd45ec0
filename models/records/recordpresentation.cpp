#include "models/records/recordpresentation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <functional>

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

bool payloadDecrypted(const engine::RecordOutcome &outcome)
{
    return outcome.payload && outcome.payload->status == engine::FieldOutcome::Status::Decrypted;
}

QJsonValue replaceAt(const QJsonValue &value, const QJsonValue &stored, bool all)
{
    if (value.isObject()) {
        QJsonObject object = value.toObject();
        const QJsonObject storedObject = stored.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            it.value() = replaceAt(it.value(), storedObject.value(it.key()), all);
        return object;
    }
    if (value.isArray()) {
        QJsonArray array = value.toArray();
        const QJsonArray storedArray = stored.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            array[i] = replaceAt(array.at(i),
                                 i < storedArray.size() ? storedArray.at(i) : QJsonValue(), all);
        return array;
    }
    if (value.isNull() || value.isUndefined())
        return value;
    if (all || value != stored)
        return MaskText.toString();
    return value;
}

bool isPrintableUtf8(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    if (text.toUtf8() != bytes)
        return false;
    return std::all_of(text.cbegin(), text.cend(),
                       [](QChar c) { return c.isPrint() || c == QLatin1Char(' '); });
}

} // namespace

QList<SecretLeaf> secretLeaves(const engine::RecordOutcome &outcome)
{
    QList<SecretLeaf> out;
    if (!outcome.ok())
        return out;
    collect(outcome.value, outcome.stored, payloadDecrypted(outcome), {}, {}, out);
    return out;
}

QJsonValue maskedValue(const engine::RecordOutcome &outcome)
{
    return replaceAt(outcome.value, outcome.stored, payloadDecrypted(outcome));
}

QString jsonText(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented));
    if (value.isUndefined())
        return {};
    // Scalars: wrap, print, unwrap, so strings get JSON quoting and escapes.
    QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

QString hexDump(const QByteArray &bytes)
{
    if (bytes.isNull())
        return QStringLiteral("(null)");
    QString out;
    for (qsizetype line = 0; line < bytes.size(); line += 16) {
        out += QStringLiteral("%1  ").arg(line, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype i = line; i < line + 16; ++i) {
            if (i < bytes.size()) {
                const auto byte = static_cast<unsigned char>(bytes.at(i));
                out += QStringLiteral("%1 ").arg(byte, 2, 16, QLatin1Char('0'));
                ascii += (byte >= 0x20 && byte < 0x7f) ? QLatin1Char(char(byte)) : QLatin1Char('.');
            } else {
                out += QStringLiteral("   ");
            }
            if (i == line + 7)
                out += QLatin1Char(' ');
        }
        out += QStringLiteral(" |") + ascii + QStringLiteral("|\n");
    }
    return out;
}

QStringList revealableFields(const engine::RecordOutcome &outcome)
{
    QSet<QString> paths;
    for (const engine::FieldOutcome &field : outcome.fields) {
        if (field.status == engine::FieldOutcome::Status::Decrypted)
            paths.insert(field.path);
    }
    if (payloadDecrypted(outcome))
        paths.insert(outcome.payload->path);
    QStringList sorted(paths.cbegin(), paths.cend());
    sorted.sort();
    return sorted;
}

RecordStatus recordStatus(const kafka::PreviewRecord &record)
{
    if (record.record.value.isNull())
        return RecordStatus::Tombstone;
    if (!record.decrypted)
        return RecordStatus::NotDecoded;
    if (!record.value.ok())
        return RecordStatus::Failed;
    const auto failed = std::count_if(record.value.fields.cbegin(), record.value.fields.cend(),
                                      [](const engine::FieldOutcome &f) {
                                          return f.status == engine::FieldOutcome::Status::Failed;
                                      });
    if (failed > 0)
        return RecordStatus::PartiallyFailed;
    return encryptedFieldCount(record.value) > 0 || payloadDecrypted(record.value)
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
            std::count_if(record.value.fields.cbegin(), record.value.fields.cend(),
                          [](const engine::FieldOutcome &f) {
                              return f.status == engine::FieldOutcome::Status::Failed;
                          });
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

QString failureText(const kafka::PreviewRecord &record)
{
    if (!record.decrypted)
        return {};
    QStringList lines;
    if (!record.value.ok())
        lines << record.value.error.message + QStringLiteral(" [") + record.value.error.code +
                     QLatin1Char(']');
    for (const engine::FieldOutcome &field : record.value.fields) {
        if (field.status == engine::FieldOutcome::Status::Failed)
            lines << field.path + QStringLiteral(": ") + field.error.message +
                         QStringLiteral(" [") + field.error.code + QLatin1Char(']');
    }
    return lines.join(QLatin1Char('\n'));
}

QString schemaText(const engine::RecordOutcome &outcome)
{
    if (outcome.schemaId <= 0)
        return {};
    if (outcome.schemaSubject.isEmpty())
        return QStringLiteral("id %1").arg(outcome.schemaId);
    return QStringLiteral("%1 → %2 v%3")
        .arg(outcome.schemaId)
        .arg(outcome.schemaSubject)
        .arg(outcome.schemaVersion);
}

int encryptedFieldCount(const engine::RecordOutcome &outcome)
{
    return int(std::count_if(outcome.fields.cbegin(), outcome.fields.cend(),
                             [](const engine::FieldOutcome &f) {
                                 return f.status != engine::FieldOutcome::Status::Plain;
                             }));
}

QString dekVersionsText(const engine::RecordOutcome &outcome)
{
    QSet<QString> used;
    const auto add = [&used](const engine::FieldOutcome &f) {
        if (f.dekVersion > 0)
            used.insert(QStringLiteral("%1 v%2").arg(f.kekName).arg(f.dekVersion));
    };
    for (const engine::FieldOutcome &field : outcome.fields)
        add(field);
    if (outcome.payload)
        add(*outcome.payload);
    QStringList sorted(used.cbegin(), used.cend());
    sorted.sort();
    return sorted.join(QStringLiteral(", "));
}

QString keyText(const QByteArray &key)
{
    if (key.isNull())
        return QStringLiteral("(null)");
    if (isPrintableUtf8(key))
        return QString::fromUtf8(key);
    return QString::fromLatin1(key.toHex(' '));
}

} // namespace kw::records
