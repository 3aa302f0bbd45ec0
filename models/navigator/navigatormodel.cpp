#include "navigator/navigatormodel.h"

#include <QIcon>

namespace kw {

NavigatorModel::NavigatorModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_emptyText(tr("Not connected"))
{}

QModelIndex NavigatorModel::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || column != 0 || row < 0 || row >= m_sections.size())
        return {};
    return createIndex(row, column);
}

QModelIndex NavigatorModel::parent(const QModelIndex &) const
{
    return {};
}

int NavigatorModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_sections.size());
}

int NavigatorModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant NavigatorModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Section section = m_sections.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return section == Section::Keys ? tr("Keys") : tr("Schemas");
    case Qt::ToolTipRole:
        return section == Section::Keys
                   ? tr("Key encryption keys (KEKs) and the data encryption keys (DEKs) they wrap")
                   : tr("Schema Registry subjects and the encryption rules of their versions");
    case Qt::DecorationRole:
        return QIcon(section == Section::Keys ? QStringLiteral(":/icons/key.svg")
                                              : QStringLiteral(":/icons/schema.svg"));
    case SectionRole:
        return int(section);
    case EmptyTextRole:
        return m_emptyText;
    default:
        return {};
    }
}

QVariant NavigatorModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && section == 0 && role == Qt::DisplayRole)
        return tr("Name");
    return {};
}

QModelIndex NavigatorModel::sectionIndex(Section section) const
{
    return index(int(m_sections.indexOf(section)), 0);
}

void NavigatorModel::setEmptyText(const QString &text)
{
    if (m_emptyText == text)
        return;
    m_emptyText = text;
    if (!m_sections.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_sections.size()) - 1, 0), {EmptyTextRole});
}

} // namespace kw
