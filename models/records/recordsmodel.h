#pragma once
// The Records view's table: one row per previewed Kafka record (partition, offset, timestamp,
// key, schema, encrypted fields, DEK versions, status). Rows arrive in batches while a fetch
// runs; failures show in the status column with the engine's reason as tooltip.

#include "core/services/recordpreview.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QPair>

namespace kw::records {

class RecordsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        PartitionColumn,
        OffsetColumn,
        TimestampColumn,
        KeyColumn,
        SchemaColumn,
        EncryptedFieldsColumn,
        DekVersionsColumn,
        StatusColumn,
        ColumnCount
    };
    enum Role
    {
        StatusRole = Qt::UserRole + 1, // int(RecordStatus)
        FailureRole,                   // failureText(): every reason, one per line
        SortRole,                      // raw numbers for numeric columns
    };

    explicit RecordsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void clear();
    // Names a schema id whose records came without subject and version (see
    // RecordsSession::schemaNamed); kept across clear(), ids are global to the registry.
    void setSchemaName(int schemaId, const QString &subject, int version);
    void append(const QList<kafka::PreviewRecord> &records);
    // Valid for 0 <= row < rowCount().
    [[nodiscard]] const kafka::PreviewRecord &record(int row) const;
    // Records that failed as a whole or in at least one field.
    [[nodiscard]] int failedCount() const { return m_failed; }

private:
    [[nodiscard]] QString schemaColumnText(const engine::RecordOutcome &outcome) const;

    QList<kafka::PreviewRecord> m_records;
    QHash<int, QPair<QString, int>> m_schemaNames;
    int m_failed = 0;
};

} // namespace kw::records
