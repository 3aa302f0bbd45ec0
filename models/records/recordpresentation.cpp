#include "models/records/recordpresentation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <functional>

namespace kw::records {

namespace {

bool isPrintableUtf8(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    if (text.toUtf8() != bytes)
        return false;
    return std::all_of(text.cbegin(), text.cend(),
                       [](QChar c) { return c.isPrint() || c == QLatin1Char(' '); });
}

} // namespace

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
    const QString text = QStringLiteral("%1 → %2 v%3")
                             .arg(outcome.schemaId)
                             .arg(outcome.schemaSubject)
                             .arg(outcome.schemaVersion);
    // Protobuf: which of the file's messages the record is.
    return outcome.messageType.isEmpty() ? text
                                         : text + QStringLiteral(" · ") + outcome.messageType;
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
