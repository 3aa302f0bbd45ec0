#include "models/navigator/navigatorfilterproxy.h"

#include "models/navigator/navigatormodel.h"

namespace kw {

NavigatorFilterProxy::NavigatorFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    // Recursive: a matching KEK deep in the tree keeps its section visible.
    setRecursiveFilteringEnabled(true);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void NavigatorFilterProxy::setFilterText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateFilter();
}

bool NavigatorFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    // The row or one of its ancestors matches by name: children of a match stay visible, so
    // filtering for a KEK still lets the user browse its DEKs. Descendant matches are found by
    // the recursive filtering itself.
    for (QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent); i.isValid();
         i = i.parent()) {
        if (i.data(NavigatorModel::FilterRole).toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace kw
