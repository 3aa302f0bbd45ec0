#include "models/audit/auditlogmodel.h"

#include "core/audit/auditexport.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTimeZone>

#include <limits>

namespace kw::audit {

AuditLogModel::AuditLogModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void AuditLogModel::setStore(std::shared_ptr<const AuditStore> store)
{
    m_store = std::move(store);
    reload();
}

void AuditLogModel::setFilter(const AuditFilter &filter)
{
    m_filter = filter;
    m_filter.limit = 0; // pages, not the newest N
    reload();
}

void AuditLogModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_total = 0;
    m_fetched = 0;
    m_exhausted = true;
    m_error = {};
    if (m_store) {
        auto total = m_store->count(m_filter);
        if (total) {
            m_total = *total;
            m_exhausted = m_total == 0;
        } else {
            m_error = total.error();
        }
    }
    endResetModel();
    if (!m_exhausted)
        fetchPage();
    else
        Q_EMIT loaded();
}

int AuditLogModel::rowOfId(qint64 id) const
{
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows.at(row).id == id)
            return row;
    return -1;
}

bool AuditLogModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_store && !m_exhausted;
}

void AuditLogModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        fetchPage();
}

void AuditLogModel::fetchPage()
{
    auto page = m_store->page(m_filter, m_fetched, PageSize, AuditOrder::NewestFirst);
    if (!page) {
        m_error = page.error();
        m_exhausted = true; // no retry loop from the view; reload() tries again
        Q_EMIT loaded();
        return;
    }
    m_fetched += page->size();
    m_exhausted = page->size() < PageSize;
    // Entries appended since the first page push older ones down by as many places, so the
    // next page starts with entries already shown: ids are ascending, keep the older ones.
    QList<AuditEntry> fresh;
    const qint64 below = m_rows.isEmpty() ? std::numeric_limits<qint64>::max() : m_rows.last().id;
    for (AuditEntry &e : *page)
        if (e.id < below)
            fresh.append(std::move(e));
    if (!fresh.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + fresh.size() - 1));
        m_rows.append(std::move(fresh));
        endInsertRows();
    }
    Q_EMIT loaded();
}

int AuditLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AuditLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const AuditEntry &e = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return audit::timeText(e.timeMs);
        case ActorColumn:
            return e.actor;
        case ActionColumn:
            return e.action;
        case ObjectColumn:
            return audit::objectText(e);
        case DetailsColumn:
            return e.details.isEmpty()
                       ? QString()
                       : QString::fromUtf8(QJsonDocument(e.details).toJson(QJsonDocument::Compact));
        default:
            return {};
        }
    case Qt::ToolTipRole:
        // Everything stored, MACs included: what an auditor compares with an export.
        return QStringLiteral("Entry #%1\n%2")
            .arg(e.id)
            .arg(QString::fromUtf8(QJsonDocument(entryJson(e)).toJson(QJsonDocument::Indented))
                     .trimmed());
    case IdRole:
        return e.id;
    default:
        return {};
    }
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time (UTC)");
    case ActorColumn:
        return tr("Actor");
    case ActionColumn:
        return tr("Action");
    case ObjectColumn:
        return tr("Object");
    case DetailsColumn:
        return tr("Details");
    default:
        return {};
    }
}

} // namespace kw::audit
