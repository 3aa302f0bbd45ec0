#pragma once
// The Rotation view's table: one row per (KEK, DEK subject, algorithm) of the rotation
// schedule, most urgent first, with its due date, census count and share of the invocation
// limit. SortRole gives raw values, so a proxy sorts dates and counts as numbers; sorting by
// the status column sorts by urgency (the schedule's own order).

#include "core/census/schedule.h"

#include <QAbstractTableModel>

namespace kw::rotation {

class ScheduleModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        StatusColumn,
        KekColumn,
        SubjectColumn,
        AlgorithmColumn,
        VersionColumn,
        CreatedColumn,
        ExpiryColumn,
        DueColumn,
        EncryptionsColumn,
        LimitShareColumn,
        LimitAtColumn,
        WarningsColumn,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1,
        StatusRole, // int(census::DueStatus)
    };

    explicit ScheduleModel(QObject *parent = nullptr);

    void setRows(QList<census::ScheduleRow> rows);
    [[nodiscard]] const QList<census::ScheduleRow> &rows() const { return m_rows; }
    [[nodiscard]] const census::ScheduleRow *rowAt(int row) const;

    // "Overdue", "Due soon", "OK", "No rotation".
    static QString statusText(census::DueStatus status);
    // What each warning means, for people.
    static QString warningText(const QString &warning);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<census::ScheduleRow> m_rows;
};

} // namespace kw::rotation
