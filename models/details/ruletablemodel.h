#pragma once
// A read-only table of a schema's rules (domainRules, migrationRules and encodingRules of its
// ruleSet): one row per rule with name, kind, type, mode, tags, params and actions.

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace kw {

class RuleTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        SetColumn, // domain, migration or encoding
        NameColumn,
        KindColumn,
        TypeColumn,
        ModeColumn,
        TagsColumn,
        ParamsColumn,
        OnSuccessColumn,
        OnFailureColumn,
        DisabledColumn,
        ColumnCount
    };

    explicit RuleTableModel(QObject *parent = nullptr);

    // Replaces the rows with the rules of `ruleSet` (a schema's ruleSet JSON object).
    void setRuleSet(const QJsonObject &ruleSet);
    void clear();

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString set;
        QString name;
        QString kind;
        QString type;
        QString mode;
        QString tags;
        QString params;
        QString onSuccess;
        QString onFailure;
        bool disabled = false;
    };

    [[nodiscard]] static QString cell(const Row &row, int column);

    QList<Row> m_rows;
};

} // namespace kw
