#pragma once
// The navigator's tree: one top-level section per kind of object (Keys, Schemas). Sections
// are always there so the navigator has a stable shape; their children come from a
// connection and are empty while there is none.

#include <QAbstractItemModel>
#include <QList>
#include <QString>

namespace kw {

class NavigatorModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum class Section
    {
        Keys,
        Schemas
    };
    enum Role
    {
        SectionRole = Qt::UserRole + 1,
        EmptyTextRole,
    };

    explicit NavigatorModel(QObject *parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    QModelIndex sectionIndex(Section section) const;
    // What a section says while it has no children ("Not connected", "No KEKs", ...).
    void setEmptyText(const QString &text);
    QString emptyText() const { return m_emptyText; }

private:
    QList<Section> m_sections{Section::Keys, Section::Schemas};
    QString m_emptyText;
};

} // namespace kw
