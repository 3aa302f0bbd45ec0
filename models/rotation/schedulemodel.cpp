#include "models/rotation/schedulemodel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QLocale>

#include <limits>

namespace kw::rotation {

namespace {

QString day(qint64 ms)
{
    return ms < 0
               ? QString()
               : QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(QStringLiteral("yyyy-MM-dd"));
}

QString share(double s)
{
    if (s <= 0)
        return QStringLiteral("0%");
    if (s < 0.0001)
        return QStringLiteral("< 0.01%");
    return QStringLiteral("%1%").arg(s * 100, 0, 'f', 2);
}

} // namespace

ScheduleModel::ScheduleModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ScheduleModel::setRows(QList<census::ScheduleRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

const census::ScheduleRow *ScheduleModel::rowAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

QString ScheduleModel::statusText(census::DueStatus status)
{
    switch (status) {
    case census::DueStatus::Overdue:
        return tr("Overdue");
    case census::DueStatus::DueSoon:
        return tr("Due soon");
    case census::DueStatus::Ok:
        return tr("OK");
    case census::DueStatus::NoRotation:
        return tr("No rotation");
    }
    return {};
}

QString ScheduleModel::warningText(const QString &warning)
{
    if (warning == QLatin1String("near-limit"))
        return tr("past the policy's share of the invocation limit");
    if (warning == QLatin1String("expiry-above-policy"))
        return tr("the rule rotates later than the policy's cryptoperiod");
    if (warning == QLatin1String("older-than-policy"))
        return tr("the version in use is older than the policy allows");
    if (warning == QLatin1String("ts-reset"))
        return tr("ts was reset (rewrap or undelete): the census saw values from before it");
    return warning;
}

int ScheduleModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ScheduleModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ScheduleModel::data(const QModelIndex &index, int role) const
{
    const census::ScheduleRow *r = rowAt(index.row());
    if (!r || !index.isValid())
        return {};
    const QLocale locale;
    if (role == StatusRole)
        return int(r->status);
    if (role == SortRole) {
        switch (index.column()) {
        case StatusColumn:
            return index.row(); // the schedule's order is the urgency
        case VersionColumn:
            return r->latestVersion;
        case CreatedColumn:
            return r->ts;
        case ExpiryColumn:
            return r->expiryDays;
        case DueColumn:
            return r->dueAt < 0 ? std::numeric_limits<qint64>::max() : r->dueAt;
        case EncryptionsColumn:
            return r->encryptions;
        case LimitShareColumn:
            return r->limitShare;
        case LimitAtColumn:
            return r->projectedLimitAt < 0 ? std::numeric_limits<qint64>::max()
                                           : r->projectedLimitAt;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case StatusColumn:
            return QString(statusText(r->status) + (r->tsReset ? tr(" · ts reset") : QString()));
        case KekColumn:
            return r->kek;
        case SubjectColumn:
            return r->subject;
        case AlgorithmColumn:
            return r->algorithm;
        case VersionColumn:
            return r->latestVersion;
        case CreatedColumn:
            return day(r->ts);
        case ExpiryColumn:
            return r->expiryDays > 0 ? tr("%n day(s)", nullptr, r->expiryDays) : tr("none");
        case DueColumn:
            return r->dueAt < 0 ? tr("never") : day(r->dueAt);
        case EncryptionsColumn:
            return r->counted ? locale.toString(r->encryptions) : tr("not seen");
        case LimitShareColumn:
            return share(r->limitShare);
        case LimitAtColumn:
            return r->limitOutOfReach         ? tr("after 9999")
                   : r->projectedLimitAt >= 0 ? day(r->projectedLimitAt)
                                              : QString();
        case WarningsColumn: {
            QStringList texts;
            for (const QString &w : r->warnings)
                texts.append(w);
            return texts.join(QStringLiteral(", "));
        }
        }
    }
    if (role == Qt::ToolTipRole) {
        QStringList lines;
        if (r->dueAt >= 0)
            lines.append(tr("Eligible for rotation from %1 (ts + %2 days, from %3 version %4); "
                            "the next produce after that creates version %5.")
                             .arg(day(r->dueAt))
                             .arg(r->expiryDays)
                             .arg(r->expirySubject)
                             .arg(r->expiryVersion)
                             .arg(r->latestVersion + 1));
        else
            lines.append(tr("No rule naming %1 sets encrypt.dek.expiry.days: producers keep "
                            "using version %2.")
                             .arg(r->kek)
                             .arg(r->latestVersion));
        lines.append(tr("%1 encryptions under version %2 (%3 over all versions), %4 of the "
                        "limit of %5.")
                         .arg(locale.toString(r->encryptions))
                         .arg(r->latestVersion)
                         .arg(locale.toString(r->encryptionsAllVersions))
                         .arg(share(r->limitShare))
                         .arg(locale.toString(r->limit, 'g', 4)));
        for (const QString &w : r->warnings)
            lines.append(QStringLiteral("⚠ ") + warningText(w));
        return lines.join(QLatin1Char('\n'));
    }
    if (role == Qt::ForegroundRole && index.column() == StatusColumn) {
        switch (r->status) {
        case census::DueStatus::Overdue:
            return QBrush(QColor(0xc0, 0x1c, 0x28));
        case census::DueStatus::DueSoon:
            return QBrush(QColor(0xb5, 0x6a, 0x00));
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole &&
        (index.column() == VersionColumn || index.column() == EncryptionsColumn ||
         index.column() == LimitShareColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ScheduleModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StatusColumn:
        return tr("Status");
    case KekColumn:
        return tr("KEK");
    case SubjectColumn:
        return tr("DEK subject");
    case AlgorithmColumn:
        return tr("Algorithm");
    case VersionColumn:
        return tr("Latest");
    case CreatedColumn:
        return tr("Created (ts)");
    case ExpiryColumn:
        return tr("Expiry");
    case DueColumn:
        return tr("Due");
    case EncryptionsColumn:
        return tr("Encryptions");
    case LimitShareColumn:
        return tr("Of limit");
    case LimitAtColumn:
        return tr("Limit reached");
    case WarningsColumn:
        return tr("Warnings");
    }
    return {};
}

} // namespace kw::rotation
