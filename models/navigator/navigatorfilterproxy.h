#pragma once
// The navigator's filter: case-insensitive, matching the names of loaded KEKs, DEK subjects and
// schema subjects. A match shows its ancestors (to reach it) and its loaded descendants.

#include <QSortFilterProxyModel>

namespace kw {

class NavigatorFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit NavigatorFilterProxy(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    [[nodiscard]] QString filterText() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
};

} // namespace kw
