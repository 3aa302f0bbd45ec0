#include "navigator/navigatormodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace kw;

class TestNavigatorModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passesModelTester()
    {
        NavigatorModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setEmptyText(QStringLiteral("Loading"));
    }

    void hasKeysAndSchemasSections()
    {
        NavigatorModel model;
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex keys = model.sectionIndex(NavigatorModel::Section::Keys);
        const QModelIndex schemas = model.sectionIndex(NavigatorModel::Section::Schemas);
        QCOMPARE(keys.data().toString(), QStringLiteral("Keys"));
        QCOMPARE(schemas.data().toString(), QStringLiteral("Schemas"));
        QCOMPARE(keys.data(NavigatorModel::SectionRole).toInt(),
                 int(NavigatorModel::Section::Keys));
        QCOMPARE(model.rowCount(keys), 0);
        QVERIFY(!model.parent(keys).isValid());
        QVERIFY(!model.index(2, 0).isValid());
        QVERIFY(!model.index(0, 1).isValid());
    }

    void emptyTextChangeIsSignalled()
    {
        NavigatorModel model;
        QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
        model.setEmptyText(QStringLiteral("No KEKs"));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(model.index(1, 0).data(NavigatorModel::EmptyTextRole).toString(),
                 QStringLiteral("No KEKs"));
        model.setEmptyText(QStringLiteral("No KEKs"));
        QCOMPARE(spy.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestNavigatorModel)
#include "tst_navigatormodel.moc"
