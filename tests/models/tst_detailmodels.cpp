// The detail panes' table models, checked as models: the rule table of a schema's ruleSet.

#include "models/details/ruletablemodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace kw;

class TestDetailModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rulesOfEverySet();
    void emptyAndReset();
};

namespace {

QJsonObject ruleSet()
{
    const QJsonObject encrypt{
        {QStringLiteral("name"), QStringLiteral("encrypt-pii")},
        {QStringLiteral("kind"), QStringLiteral("TRANSFORM")},
        {QStringLiteral("type"), QStringLiteral("ENCRYPT")},
        {QStringLiteral("mode"), QStringLiteral("WRITEREAD")},
        {QStringLiteral("tags"), QJsonArray{QStringLiteral("PII"), QStringLiteral("PCI")}},
        {QStringLiteral("params"),
         QJsonObject{{QStringLiteral("encrypt.kek.name"), QStringLiteral("retail-pii")},
                     {QStringLiteral("encrypt.dek.expiry.days"), QStringLiteral("90")}}},
        {QStringLiteral("onSuccess"), QStringLiteral("NONE")},
        {QStringLiteral("onFailure"), QStringLiteral("ERROR,NONE")}};
    const QJsonObject migration{{QStringLiteral("name"), QStringLiteral("upgrade")},
                                {QStringLiteral("kind"), QStringLiteral("TRANSFORM")},
                                {QStringLiteral("type"), QStringLiteral("JSONATA")},
                                {QStringLiteral("mode"), QStringLiteral("UPGRADE")},
                                {QStringLiteral("disabled"), true}};
    const QJsonObject payload{{QStringLiteral("name"), QStringLiteral("encrypt-payload")},
                              {QStringLiteral("kind"), QStringLiteral("TRANSFORM")},
                              {QStringLiteral("type"), QStringLiteral("ENCRYPT_PAYLOAD")}};
    return {{QStringLiteral("domainRules"), QJsonArray{encrypt}},
            {QStringLiteral("migrationRules"), QJsonArray{migration}},
            {QStringLiteral("encodingRules"), QJsonArray{payload}}};
}

QString text(const QAbstractItemModel &m, int row, int column)
{
    return m.data(m.index(row, column)).toString();
}

} // namespace

void TestDetailModels::rulesOfEverySet()
{
    RuleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuleSet(ruleSet());

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(RuleTableModel::ColumnCount));
    QCOMPARE(model.headerData(RuleTableModel::OnFailureColumn, Qt::Horizontal).toString(),
             QStringLiteral("On failure"));

    QCOMPARE(text(model, 0, RuleTableModel::SetColumn), QStringLiteral("domain"));
    QCOMPARE(text(model, 0, RuleTableModel::NameColumn), QStringLiteral("encrypt-pii"));
    QCOMPARE(text(model, 0, RuleTableModel::KindColumn), QStringLiteral("TRANSFORM"));
    QCOMPARE(text(model, 0, RuleTableModel::TypeColumn), QStringLiteral("ENCRYPT"));
    QCOMPARE(text(model, 0, RuleTableModel::ModeColumn), QStringLiteral("WRITEREAD"));
    QCOMPARE(text(model, 0, RuleTableModel::TagsColumn), QStringLiteral("PII, PCI"));
    QCOMPARE(text(model, 0, RuleTableModel::ParamsColumn),
             QStringLiteral("encrypt.dek.expiry.days=90, encrypt.kek.name=retail-pii"));
    QCOMPARE(text(model, 0, RuleTableModel::OnSuccessColumn), QStringLiteral("NONE"));
    QCOMPARE(text(model, 0, RuleTableModel::OnFailureColumn), QStringLiteral("ERROR,NONE"));
    QCOMPARE(text(model, 0, RuleTableModel::DisabledColumn), QStringLiteral("no"));

    QCOMPARE(text(model, 1, RuleTableModel::SetColumn), QStringLiteral("migration"));
    QCOMPARE(text(model, 1, RuleTableModel::ModeColumn), QStringLiteral("UPGRADE"));
    QCOMPARE(text(model, 1, RuleTableModel::DisabledColumn), QStringLiteral("yes"));
    QCOMPARE(model.data(model.index(1, RuleTableModel::DisabledColumn), Qt::CheckStateRole)
                 .value<Qt::CheckState>(),
             Qt::Checked);

    QCOMPARE(text(model, 2, RuleTableModel::SetColumn), QStringLiteral("encoding"));
    QCOMPARE(text(model, 2, RuleTableModel::TypeColumn), QStringLiteral("ENCRYPT_PAYLOAD"));
}

void TestDetailModels::emptyAndReset()
{
    RuleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setRuleSet(ruleSet());
    QCOMPARE(model.rowCount(), 3);
    model.setRuleSet(QJsonObject{});
    QCOMPARE(model.rowCount(), 0);
    model.setRuleSet(ruleSet());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(resets.count(), 4);
    QVERIFY(!model.index(0, 0).isValid());
    QCOMPARE(model.rowCount(model.index(0, 0)), 0);
}

QTEST_GUILESS_MAIN(TestDetailModels)
#include "tst_detailmodels.moc"
