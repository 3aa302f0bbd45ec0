// Tests for AuditTab: the entries of a keyed audit log (MemoryAuditVault for the keychain), the
// chain verification in the background (verified, then broken at a forged entry, which gets
// selected; cancelled), the export of the filtered entries (CSV and JSON lines, 0600) and
// what the tab says without a log.

#include "core/audit/auditlog.h"
#include "models/audit/auditlogmodel.h"
#include "support/auditentries.h"
#include "support/auditforgery.h"
#include "widgets/audit/audittab.h"
#include "widgets/common/emptystatewidget.h"

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace kw;
using namespace kw::audit;
using kw::audit::testing::await;
using kw::audit::testing::Forgery;
using kw::audit::testing::reveal;

namespace {

AuditEntry kekChange(const QString &kek)
{
    AuditEntry entry;
    entry.action = QStringLiteral("kek.update");
    entry.object = QStringLiteral("kek:") + kek;
    return entry;
}

} // namespace

class TestAuditTab : public QObject
{
    Q_OBJECT

private:
    // A keyed log holding `entries`, in order.
    std::shared_ptr<AuditLog> keyedLog(const QString &path, const QList<AuditEntry> &entries)
    {
        AuditLog::Options options;
        options.path = path;
        options.actor = QStringLiteral("alice");
        auto log = await(AuditLog::open(options, std::make_shared<MemoryAuditVault>()));
        if (!log) {
            qWarning() << log.error().message;
            return {};
        }
        for (const AuditEntry &entry : entries) {
            auto written = await((*log)->append(entry));
            if (!written) {
                qWarning() << written.error().message;
                return {};
            }
        }
        return *log;
    }

    static QString resultText(const AuditTab &tab)
    {
        return tab.findChild<QLabel *>(QStringLiteral("auditResult"))->text();
    }
    static QPushButton *button(const AuditTab &tab, const char *name)
    {
        return tab.findChild<QPushButton *>(QLatin1String(name));
    }

    static QList<AuditEntry> mixed()
    {
        // #1..#6: reveals at odd ids, KEK changes at even ones.
        QList<AuditEntry> entries;
        for (int i = 1; i <= 6; ++i)
            entries.append(i % 2 ? reveal(i) : kekChange(QStringLiteral("orders-%1").arg(i)));
        return entries;
    }

private Q_SLOTS:
    void showsEntriesNewestFirst()
    {
        QTemporaryDir dir;
        auto log = keyedLog(dir.filePath(QStringLiteral("a.sqlite")), mixed());
        QVERIFY(log);
        AuditTab tab;
        tab.setAuditLog(log);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        QCOMPARE(tab.model()->rowCount(), 6);
        QCOMPARE(tab.model()->entry(0).id, 6);
        QCOMPARE(tab.findChild<QLabel *>(QStringLiteral("auditCount"))->text(),
                 QStringLiteral("6 of 6 entries"));
        auto *actions = tab.findChild<QComboBox *>(QStringLiteral("auditActionFilter"));
        QCOMPARE(actions->count(), 3); // any, kek.update, record.reveal
        actions->setCurrentIndex(actions->findData(QStringLiteral("kek.update")));
        QCOMPARE(tab.model()->rowCount(), 3);
        QCOMPARE(tab.findChild<QLabel *>(QStringLiteral("auditCount"))->text(),
                 QStringLiteral("3 of 3 entries (filtered)"));
        QTest::mouseClick(button(tab, "auditClearFilter"), Qt::LeftButton);
        QCOMPARE(tab.model()->rowCount(), 6);
    }

    void verifyFindsTheForgedEntryAndSelectsIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v.sqlite"));
        auto log = keyedLog(path, mixed());
        QVERIFY(log);
        AuditTab tab;
        tab.setAuditLog(log);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        QSignalSpy verified(&tab, &AuditTab::verified);
        QTest::mouseClick(button(tab, "auditVerify"), Qt::LeftButton);
        QVERIFY(tab.isVerifying());
        QVERIFY(!button(tab, "auditVerify")->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(verified.count(), 1, 10000);
        QVERIFY(!tab.isVerifying());
        QVERIFY2(resultText(tab).startsWith(QStringLiteral("Verified: 6 entries, keyed")),
                 qPrintable(resultText(tab)));
        QVERIFY(!log->problem());

        const QString failure = testing::forge(path, Forgery::EditRow, 3);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QTest::mouseClick(button(tab, "auditVerify"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(verified.count(), 2, 10000);
        QVERIFY2(resultText(tab).startsWith(QStringLiteral("BROKEN at entry #3: ")),
                 qPrintable(resultText(tab)));
        QVERIFY(log->problem()); // the banner reads it
        const QModelIndexList selected = tab.view()->selectionModel()->selectedRows();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.first().data(AuditLogModel::IdRole).toLongLong(), 3);
        QCOMPARE(tab.model()->entry(selected.first().row()).actor, QStringLiteral("mallory"));
    }

    void verifyCanBeCancelled()
    {
        QTemporaryDir dir;
        auto log = keyedLog(dir.filePath(QStringLiteral("c.sqlite")), mixed());
        QVERIFY(log);
        AuditTab tab;
        tab.setAuditLog(log);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        // The walk starts only after the keychain's head is read, on a later turn of the event
        // loop: cancelled before it, it stops at its first report.
        QTest::mouseClick(button(tab, "auditVerify"), Qt::LeftButton);
        QVERIFY(button(tab, "auditCancel")->isVisibleTo(&tab));
        QTest::mouseClick(button(tab, "auditCancel"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!tab.isVerifying(), 10000);
        QCOMPARE(resultText(tab), QStringLiteral("Verification cancelled."));
        QVERIFY(button(tab, "auditVerify")->isEnabled());
        QVERIFY(!button(tab, "auditCancel")->isVisibleTo(&tab));
    }

    void exportWritesTheFilteredEntries_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("name");
        QTest::newRow("csv") << int(ExportFormat::Csv) << QStringLiteral("out.csv");
        QTest::newRow("jsonl") << int(ExportFormat::JsonLines) << QStringLiteral("out.jsonl");
    }

    void exportWritesTheFilteredEntries()
    {
        QFETCH(int, format);
        QFETCH(QString, name);
        QTemporaryDir dir;
        auto log = keyedLog(dir.filePath(QStringLiteral("e.sqlite")), mixed());
        QVERIFY(log);
        AuditTab tab;
        tab.setAuditLog(log);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto *actions = tab.findChild<QComboBox *>(QStringLiteral("auditActionFilter"));
        actions->setCurrentIndex(actions->findData(QStringLiteral("kek.update")));
        QCOMPARE(tab.filter().action, QStringLiteral("kek.update"));
        std::optional<Result<qint64>> written;
        connect(&tab, &AuditTab::exportFinished, this,
                [&written](const Result<qint64> &result) { written = result; });
        const QString out = dir.filePath(name);
        tab.exportTo(out, ExportFormat(format));
        QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), 10000);
        QVERIFY2(*written, qPrintable(*written ? QString() : written->error().message));
        QCOMPARE(**written, 3);
        QVERIFY2(resultText(tab).startsWith(QStringLiteral("Wrote 3 audit entries to")),
                 qPrintable(resultText(tab)));

        QCOMPARE(QFileInfo(out).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser |
                                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner),
                 QFileDevice::Permissions());
        QVERIFY(QFileInfo(out).permissions() & QFileDevice::ReadOwner);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QList<QByteArray> lines = file.readAll().split('\n');
        if (lines.last().isEmpty())
            lines.removeLast();
        if (ExportFormat(format) == ExportFormat::Csv) {
            QCOMPARE(lines.size(), 4); // header + 3
            QVERIFY(lines.first().startsWith("id,time,actor,action"));
            lines.removeFirst();
        }
        QCOMPARE(lines.size(), 3);
        QList<qint64> ids;
        for (const QByteArray &line : std::as_const(lines)) {
            QVERIFY2(line.contains("kek.update") && !line.contains("record.reveal"),
                     line.constData());
            if (ExportFormat(format) == ExportFormat::JsonLines)
                ids.append(
                    QJsonDocument::fromJson(line).object().value(QStringLiteral("id")).toInteger());
            else
                ids.append(line.left(line.indexOf(',')).toLongLong());
        }
        QCOMPARE(ids, (QList<qint64>{2, 4, 6})); // oldest first
    }

    void withoutALogItSaysSo()
    {
        AuditTab tab;
        auto *empty = tab.findChild<EmptyStateWidget *>(QStringLiteral("auditEmptyState"));
        QVERIFY(empty);
        QVERIFY(empty->isVisibleTo(&tab));
        QCOMPARE(empty->title(), QStringLiteral("No audit log is open"));
        QVERIFY(!button(tab, "auditVerify")->isEnabled());

        // A log that was never written: VerifyOnly creates nothing.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("none.sqlite"));
        AuditLog::Options options;
        options.path = path;
        options.mode = AuditLog::Mode::VerifyOnly;
        auto log = await(AuditLog::open(options, std::make_shared<MemoryAuditVault>()));
        QVERIFY(log);
        tab.setAuditLog(*log);
        QVERIFY(empty->isVisibleTo(&tab));
        QCOMPARE(empty->title(), QStringLiteral("No audit log yet"));
        QVERIFY2(empty->text().contains(path), qPrintable(empty->text()));
        QVERIFY(!QFileInfo::exists(path));

        auto filled = keyedLog(dir.filePath(QStringLiteral("some.sqlite")), {reveal(1)});
        QVERIFY(filled);
        tab.setAuditLog(filled);
        QVERIFY(!empty->isVisibleTo(&tab));
        QCOMPARE(tab.model()->rowCount(), 1);
    }
};

QTEST_MAIN(TestAuditTab)
#include "tst_audittab.moc"
