#include "models/details/ruletablemodel.h"

#include "core/domain/displaytext.h"

#include <QJsonArray>

namespace kw {

RuleTableModel::RuleTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void RuleTableModel::setRuleSet(const QJsonObject &ruleSet)
{
    QList<Row> rows;
    const std::pair<const char *, QString> sets[] = {
        {"domainRules", tr("domain")},
        {"migrationRules", tr("migration")},
        {"encodingRules", tr("encoding")},
    };
    for (const auto &[key, label] : sets) {
        for (const QJsonValue &v : ruleSet.value(QLatin1String(key)).toArray()) {
            const QJsonObject r = v.toObject();
            Row row;
            row.set = label;
            row.name = r.value(QStringLiteral("name")).toString();
            row.kind = r.value(QStringLiteral("kind")).toString();
            row.type = r.value(QStringLiteral("type")).toString();
            // Shown as stored: an absent mode is left empty rather than guessed per rule type.
            row.mode = r.value(QStringLiteral("mode")).toString();
            QStringList tags;
            for (const QJsonValue &t : r.value(QStringLiteral("tags")).toArray())
                tags.append(t.toString());
            row.tags = tags.join(QStringLiteral(", "));
            QStringList params;
            const QJsonObject p = r.value(QStringLiteral("params")).toObject();
            for (auto it = p.begin(); it != p.end(); ++it)
                params.append(it.key() + QLatin1Char('=') + it.value().toVariant().toString());
            row.params = params.join(QStringLiteral(", "));
            row.onSuccess = r.value(QStringLiteral("onSuccess")).toString();
            row.onFailure = r.value(QStringLiteral("onFailure")).toString();
            row.disabled = r.value(QStringLiteral("disabled")).toBool(false);
            rows.append(row);
        }
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void RuleTableModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int RuleTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RuleTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString RuleTableModel::cell(const Row &row, int column)
{
    switch (column) {
    case SetColumn:
        return row.set;
    case NameColumn:
        return row.name;
    case KindColumn:
        return row.kind;
    case TypeColumn:
        return row.type;
    case ModeColumn:
        return row.mode;
    case TagsColumn:
        return row.tags;
    case ParamsColumn:
        return row.params;
    case OnSuccessColumn:
        return row.onSuccess;
    case OnFailureColumn:
        return row.onFailure;
    case DisabledColumn:
        return row.disabled ? tr("yes") : tr("no");
    default:
        return {};
    }
}

QVariant RuleTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return displaySafe(cell(row, index.column())); // rule names and params are the registry's
    case Qt::CheckStateRole:
        if (index.column() == DisabledColumn)
            return row.disabled ? Qt::Checked : Qt::Unchecked;
        return {};
    default:
        return {};
    }
}

QVariant RuleTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SetColumn:
        return tr("Set");
    case NameColumn:
        return tr("Name");
    case KindColumn:
        return tr("Kind");
    case TypeColumn:
        return tr("Type");
    case ModeColumn:
        return tr("Mode");
    case TagsColumn:
        return tr("Tags");
    case ParamsColumn:
        return tr("Params");
    case OnSuccessColumn:
        return tr("On success");
    case OnFailureColumn:
        return tr("On failure");
    case DisabledColumn:
        return tr("Disabled");
    default:
        return {};
    }
}

} // namespace kw
