#include "models/records/recordsmodel.h"

#include "core/domain/displaytext.h"
#include "models/records/recordpresentation.h"

#include <QColor>
#include <QDateTime>

namespace kw::records {

namespace {

bool isFailure(RecordStatus status)
{
    return status == RecordStatus::Failed || status == RecordStatus::PartiallyFailed;
}

} // namespace

RecordsModel::RecordsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int RecordsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int RecordsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RecordsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const kafka::PreviewRecord &preview = m_records.at(index.row());
    const kafka::KafkaRecord &record = preview.record;
    const RecordStatus status = recordStatus(preview);

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case PartitionColumn:
            return record.partition;
        case OffsetColumn:
            return record.offset;
        case TimestampColumn:
            return record.timestampMs < 0 ? QString()
                                          : QDateTime::fromMSecsSinceEpoch(record.timestampMs)
                                                .toUTC()
                                                .toString(Qt::ISODateWithMs);
        case KeyColumn:
            return displaySafe(keyText(record.key));
        case SchemaColumn:
            return displaySafe(schemaColumnText(preview.value)); // subjects are the registry's
        case EncryptedFieldsColumn:
            return preview.decrypted ? QVariant(encryptedFieldCount(preview.value)) : QVariant();
        case DekVersionsColumn:
            return displaySafe(dekVersionsText(preview.value));
        case StatusColumn:
            return statusText(preview);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == StatusColumn || index.column() == SchemaColumn) {
            const QString failure = failureText(preview);
            return displaySafe(failure.isEmpty() ? statusText(preview) : failure, LineBreaks::Keep);
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn && isFailure(status))
            return QColor(Qt::red);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == PartitionColumn || index.column() == OffsetColumn ||
            index.column() == EncryptedFieldsColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case StatusRole:
        return int(status);
    case FailureRole:
        return failureText(preview);
    case SortRole:
        switch (index.column()) {
        case PartitionColumn:
            return record.partition;
        case OffsetColumn:
            return record.offset;
        case TimestampColumn:
            return record.timestampMs;
        case EncryptedFieldsColumn:
            return encryptedFieldCount(preview.value);
        case StatusColumn:
            return int(status);
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    return {};
}

QVariant RecordsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case PartitionColumn:
        return tr("Partition");
    case OffsetColumn:
        return tr("Offset");
    case TimestampColumn:
        return tr("Timestamp (UTC)");
    case KeyColumn:
        return tr("Key");
    case SchemaColumn:
        return tr("Schema");
    case EncryptedFieldsColumn:
        return tr("Encrypted");
    case DekVersionsColumn:
        return tr("DEK versions");
    case StatusColumn:
        return tr("Status");
    }
    return {};
}

QString RecordsModel::schemaColumnText(const engine::RecordOutcome &outcome) const
{
    if (outcome.schemaSubject.isEmpty()) {
        const auto name = m_schemaNames.constFind(outcome.schemaId);
        if (name != m_schemaNames.cend()) {
            engine::RecordOutcome named;
            named.schemaId = outcome.schemaId;
            named.schemaSubject = name->first;
            named.schemaVersion = name->second;
            return schemaText(named);
        }
    }
    return schemaText(outcome);
}

void RecordsModel::setSchemaName(int schemaId, const QString &subject, int version)
{
    m_schemaNames.insert(schemaId, {subject, version});
    if (!m_records.isEmpty())
        Q_EMIT dataChanged(index(0, SchemaColumn), index(rowCount() - 1, SchemaColumn),
                           {Qt::DisplayRole});
}

void RecordsModel::clear()
{
    if (m_records.isEmpty())
        return;
    beginResetModel();
    m_records.clear();
    m_failed = 0;
    endResetModel();
}

void RecordsModel::append(const QList<kafka::PreviewRecord> &records)
{
    if (records.isEmpty())
        return;
    const int first = int(m_records.size());
    beginInsertRows({}, first, first + int(records.size()) - 1);
    m_records.append(records);
    for (const kafka::PreviewRecord &record : records) {
        if (isFailure(recordStatus(record)))
            ++m_failed;
    }
    endInsertRows();
}

const kafka::PreviewRecord &RecordsModel::record(int row) const
{
    return m_records.at(row);
}

} // namespace kw::records
