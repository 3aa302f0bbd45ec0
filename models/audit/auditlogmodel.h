#pragma once
// The Audit view's table: the audit log's entries, newest first, read a page at a time as the
// view scrolls (canFetchMore/fetchMore), so a log of millions of entries is never held in
// memory. Reads run on the thread that opened the store (the GUI thread): a page is one small
// indexed query. Columns mirror `keywarden-cli audit list`.

#include "core/audit/auditstore.h"
#include "core/domain/result.h"

#include <QAbstractTableModel>
#include <QList>

#include <memory>

namespace kw::audit {

class AuditLogModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        TimeColumn,
        ActorColumn,
        ActionColumn,
        ObjectColumn,
        DetailsColumn,
        ColumnCount
    };
    enum Role
    {
        IdRole = Qt::UserRole + 1, // the entry's id (qint64)
    };
    static constexpr int PageSize = 200;

    explicit AuditLogModel(QObject *parent = nullptr);

    // The log to show (null: none) and the entries to select from it; each resets the model
    // and reads the count and the first page again.
    void setStore(std::shared_ptr<const AuditStore> store);
    void setFilter(const AuditFilter &filter);
    void reload();
    [[nodiscard]] const std::shared_ptr<const AuditStore> &store() const { return m_store; }
    [[nodiscard]] const AuditFilter &filter() const { return m_filter; }

    // How many entries the filter selects (loaded or not), as of the last reload().
    [[nodiscard]] qint64 totalCount() const { return m_total; }
    // Why the last read failed; empty when it did not.
    [[nodiscard]] const Error &error() const { return m_error; }
    // Valid for 0 <= row < rowCount().
    [[nodiscard]] const AuditEntry &entry(int row) const { return m_rows.at(row); }
    // The row showing entry `id`, or -1 when it is not loaded (yet).
    [[nodiscard]] int rowOfId(qint64 id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    // After a reload, a page read or a failed read: the count, rows or error() changed.
    void loaded();

private:
    void fetchPage();

    std::shared_ptr<const AuditStore> m_store;
    AuditFilter m_filter;
    QList<AuditEntry> m_rows;
    qint64 m_total = 0;
    qint64 m_fetched = 0; // entries read from the store, the skipped repeats included
    bool m_exhausted = true;
    Error m_error;
};

} // namespace kw::audit
