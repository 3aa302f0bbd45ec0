// Tests for AuditLogModel: it reads the audit log a page at a time, newest first, as the view
// asks for more; filters and the count; the object and details columns; tooltips.

#include "core/domain/clock.h"
#include "models/audit/auditlogmodel.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace kw;
using namespace kw::audit;

namespace {

constexpr qint64 T0 = 1'780'000'000'000; // 2026-05-28
constexpr qint64 Hour = 3'600'000;

} // namespace

class TestAuditLogModel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    ManualClock m_clock{T0};
    std::shared_ptr<AuditStore> m_store;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto store = AuditStore::open({.path = m_dir.filePath(QStringLiteral("a.sqlite")),
                                       .clock = &m_clock,
                                       .actor = QStringLiteral("alice"),
                                       .key = {}});
        QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
        m_store = *store;
        // 450 entries an hour apart: reveals of customers/0@i by alice, and every third one a
        // KEK change by bob.
        for (int i = 1; i <= 450; ++i) {
            AuditEntry e;
            if (i % 3 == 0) {
                e.action = QStringLiteral("kek.update");
                e.actor = QStringLiteral("bob");
                e.object = QStringLiteral("kek:Orders-KEK-%1").arg(i);
            } else {
                e.action = QString(ActionRecordReveal);
                e.topic = QStringLiteral("customers");
                e.partition = 0;
                e.offset = i;
                e.details = {{QStringLiteral("fields"), QJsonArray{QStringLiteral("ssn")}}};
            }
            auto written = m_store->append(e);
            QVERIFY2(written, qPrintable(written ? QString() : written.error().message));
            m_clock.advanceMs(Hour);
        }
    }

    void pagesNewestFirst()
    {
        AuditLogModel model;
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.canFetchMore({}));
        model.setStore(m_store);
        QCOMPARE(model.totalCount(), 450);
        QCOMPARE(model.rowCount(), AuditLogModel::PageSize);
        QCOMPARE(model.entry(0).id, 450);
        QCOMPARE(model.entry(199).id, 251);
        QVERIFY(model.canFetchMore({}));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 400);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.entry(200).id, 250);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 450);
        QCOMPARE(model.entry(449).id, 1);
        QVERIFY(!model.canFetchMore({}));
        model.fetchMore({}); // nothing left: no change
        QCOMPARE(model.rowCount(), 450);
        QCOMPARE(model.rowOfId(1), 449);
        QCOMPARE(model.rowOfId(451), -1);
        QVERIFY(model.error().isEmpty());
    }

    void entriesAppendedMeanwhileAreNotRepeated()
    {
        QTemporaryDir dir;
        ManualClock clock{T0};
        auto store = AuditStore::open({.path = dir.filePath(QStringLiteral("b.sqlite")),
                                       .clock = &clock,
                                       .actor = {},
                                       .key = {}});
        QVERIFY(store);
        AuditEntry e;
        e.action = QStringLiteral("kek.create");
        for (int i = 0; i < 250; ++i)
            QVERIFY((*store)->append(e));
        AuditLogModel model;
        model.setStore(*store);
        QCOMPARE(model.rowCount(), 200);
        for (int i = 0; i < 30; ++i)
            QVERIFY((*store)->append(e));
        model.fetchMore({});
        // The older 50 follow the first page once each, in order.
        QCOMPARE(model.rowCount(), 250);
        for (int row = 0; row < 250; ++row)
            QCOMPARE(model.entry(row).id, 250 - row);
        model.reload();
        QCOMPARE(model.totalCount(), 280);
        QCOMPARE(model.entry(0).id, 280);
    }

    void filtersAndCount()
    {
        AuditLogModel model;
        model.setStore(m_store);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        AuditFilter filter;
        filter.actor = QStringLiteral("bob");
        model.setFilter(filter);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.totalCount(), 150);
        QCOMPARE(model.rowCount(), 150);
        QVERIFY(!model.canFetchMore({}));
        QCOMPARE(model.entry(0).id, 450);
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(model.entry(row).actor, QStringLiteral("bob"));

        filter = {};
        filter.action = QString(ActionRecordReveal);
        model.setFilter(filter);
        QCOMPARE(model.totalCount(), 300);
        QCOMPARE(model.rowCount(), 200);
        QCOMPARE(model.entry(0).id, 449);

        // Object: contains, case-insensitive.
        filter = {};
        filter.object = QStringLiteral("orders-kek-30");
        model.setFilter(filter);
        QCOMPARE(model.totalCount(), 5); // 30, 300, 303, 306 and 309
        filter.object = QStringLiteral("orders-kek-45");
        model.setFilter(filter);
        QCOMPARE(model.totalCount(), 2); // 45 and 450

        // Time: entry i was written at T0 + (i - 1) hours.
        filter = {};
        filter.sinceMs = T0 + 100 * Hour;
        filter.untilMs = T0 + 109 * Hour;
        model.setFilter(filter);
        QCOMPARE(model.totalCount(), 10);
        QCOMPARE(model.entry(0).id, 110);
        QCOMPARE(model.entry(9).id, 101);

        filter = {};
        filter.actor = QStringLiteral("nobody");
        model.setFilter(filter);
        QCOMPARE(model.totalCount(), 0);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.canFetchMore({}));
    }

    void columnsAndTooltips()
    {
        AuditLogModel model;
        model.setStore(m_store);
        QCOMPARE(model.columnCount(), int(AuditLogModel::ColumnCount));
        QCOMPARE(model.headerData(AuditLogModel::TimeColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Time (UTC)"));
        // Row 0 is #450 (bob's KEK change), row 1 is #449 (a reveal).
        const auto text = [&model](int row, int column) {
            return model.index(row, column).data().toString();
        };
        QCOMPARE(text(0, AuditLogModel::ActorColumn), QStringLiteral("bob"));
        QCOMPARE(text(0, AuditLogModel::ActionColumn), QStringLiteral("kek.update"));
        QCOMPARE(text(0, AuditLogModel::ObjectColumn), QStringLiteral("kek:Orders-KEK-450"));
        QCOMPARE(text(0, AuditLogModel::DetailsColumn), QString());
        QCOMPARE(text(1, AuditLogModel::ObjectColumn), QStringLiteral("customers/0@449"));
        QCOMPARE(text(1, AuditLogModel::DetailsColumn), QStringLiteral("{\"fields\":[\"ssn\"]}"));
        QCOMPARE(text(1, AuditLogModel::TimeColumn),
                 QDateTime::fromMSecsSinceEpoch(T0 + 448 * Hour, QTimeZone::utc())
                     .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        QCOMPARE(model.index(1, 0).data(AuditLogModel::IdRole).toLongLong(), 449);
        const QString tip =
            model.index(1, AuditLogModel::DetailsColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.startsWith(QStringLiteral("Entry #449")), qPrintable(tip));
        QVERIFY2(tip.contains(model.entry(1).hash), qPrintable(tip));
        QVERIFY2(tip.contains(model.entry(1).previousHash), qPrintable(tip));
        QCOMPARE(model.entry(1).previousHash, model.entry(2).hash);
    }

    void noStoreIsEmpty()
    {
        AuditLogModel model;
        model.setStore(m_store);
        QVERIFY(model.rowCount() > 0);
        model.setStore(nullptr);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.totalCount(), 0);
        QVERIFY(!model.canFetchMore({}));
    }
};

QTEST_GUILESS_MAIN(TestAuditLogModel)
#include "tst_auditlogmodel.moc"
