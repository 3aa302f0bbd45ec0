// The Records view against the embedded demo estate: fetch a topic, reveal a record (audited
// before the values show), copy a revealed value as a secret that is cleared later, damaged
// records failing on their own while the rest decrypt, and Cancel stopping a fetch.

#include "core/audit/auditlog.h"
#include "core/audit/auditthread.h"
#include "core/sandbox/sandboxhost.h"
#include "core/services/connection.h"
#include "core/services/connectionprofile.h"
#include "models/records/recordpresentation.h"
#include "models/records/recordsmodel.h"
#include "support/auditforgery.h"
#include "support/recordingvault.h"
#include "widgets/commands/command.h"
#include "widgets/dialogs/confirmationdialog.h"
#include "widgets/records/recorddetailpane.h"
#include "widgets/records/recordsview.h"
#include "widgets/records/secretclipboard.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace kw;
using namespace kw::records;

class TestRecordsView : public QObject
{
    Q_OBJECT

private:
    sandbox::SandboxHost *m_host = nullptr;
    QTemporaryDir m_dir;
    profiles::ConnectionProfile m_profile;
    std::shared_ptr<audit::AuditLog> m_audit;
    std::shared_ptr<audit::MemoryAuditVault> m_vault = std::make_shared<audit::MemoryAuditVault>();

    template<typename T>
    static T *child(QWidget &view, const char *name)
    {
        auto *found = view.findChild<T *>(QString::fromLatin1(name));
        if (!found)
            qWarning("no child %s", name);
        return found;
    }

    // Picks `topic` once the topic list has arrived.
    static bool pickTopic(RecordsView &view, const QString &topic)
    {
        auto *combo = child<QComboBox>(view, "recordsTopicCombo");
        const int index = combo->findData(topic);
        if (index < 0)
            return false;
        combo->setCurrentIndex(index);
        return true;
    }

    static void fetch(RecordsView &view, int count)
    {
        auto *spin = child<QSpinBox>(view, "recordsCountSpin");
        spin->setValue(count);
        QTest::mouseClick(child<QPushButton>(view, "recordsFetchButton"), Qt::LeftButton);
    }

    static int findRow(const RecordsModel &model, RecordStatus status)
    {
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.index(row, 0).data(RecordsModel::StatusRole).toInt() == int(status))
                return row;
        }
        return -1;
    }

    static bool isDamaged(const kafka::PreviewRecord &record)
    {
        for (const serde::RecordHeader &header : record.record.headers) {
            if (header.key == "demo-note")
                return true;
        }
        return false;
    }

    static std::shared_ptr<audit::AuditLog> openLog(const QString &path,
                                                    std::shared_ptr<audit::AuditVault> vault,
                                                    const Clock *clock = nullptr)
    {
        audit::AuditLog::Options options;
        options.path = path;
        options.clock = clock;
        options.actor = QStringLiteral("tester");
        auto future = audit::AuditLog::open(options, std::move(vault));
        if (!QTest::qWaitFor([&future] { return future.isFinished(); }, 10000))
            return {};
        auto log = future.result();
        if (!log) {
            qWarning() << log.error().message;
            return {};
        }
        return *log;
    }

    // Fetches `count` customers records into `view`.
    static bool fetchCustomers(RecordsView &view, int count)
    {
        if (!QTest::qWaitFor([&view] { return pickTopic(view, QStringLiteral("customers")); },
                             20000))
            return false;
        QSignalSpy finished(&view, &RecordsView::fetchFinished);
        fetch(view, count);
        return QTest::qWaitFor([&finished] { return finished.size() == 1; }, 60000) &&
               view.model()->rowCount() == count;
    }

    static QList<int> decryptedRows(const RecordsModel &model)
    {
        QList<int> rows;
        for (int row = 0; row < model.rowCount(); ++row)
            if (model.index(row, 0).data(RecordsModel::StatusRole).toInt() ==
                int(RecordStatus::Decrypted))
                rows.append(row);
        return rows;
    }

    static QString ssnOf(const RecordsModel &model, int row)
    {
        return model.record(row).value.value.toObject().value(QStringLiteral("ssn")).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_host = new sandbox::SandboxHost(this);
        sandbox::SandboxOptions options;
        options.seed = QStringLiteral("demo");
        m_host->start(options);
        QTRY_VERIFY_WITH_TIMEOUT(m_host->isReady(), 240000); // minutes under ASan with -j2
        const sandbox::SandboxEndpoints &endpoints = m_host->endpoints();
        m_profile.name = QStringLiteral("demo");
        m_profile.sandbox = true;
        m_profile.registry.baseUrl = QUrl(endpoints.registryUrl);
        m_profile.bootstrapServers = endpoints.bootstrapServers;
        m_profile.kms.insert(QStringLiteral("local-kms"),
                             {{QStringLiteral("secret"), endpoints.localSecret}});
        m_audit = openLog(m_dir.filePath(QStringLiteral("audit.sqlite")), m_vault);
        QVERIFY(m_audit);
    }

    void topicPickerShowsPartitions()
    {
        RecordsView view(std::make_shared<services::Connection>(m_profile), m_audit);
        view.show();
        auto *combo = child<QComboBox>(view, "recordsTopicCombo");
        QTRY_VERIFY_WITH_TIMEOUT(combo->findData(QStringLiteral("customers")) >= 0, 20000);
        QVERIFY(pickTopic(view, QStringLiteral("customers")));
        QCOMPARE(combo->currentText(), QStringLiteral("customers (6 partitions)"));
        auto *partitions = child<QComboBox>(view, "recordsPartitionCombo");
        QTRY_COMPARE_WITH_TIMEOUT(partitions->count(), 7, 20000);
        QTRY_COMPARE(partitions->itemText(0), QStringLiteral("All partitions (9000 records)"));
        QCOMPARE(partitions->itemData(3).toInt(), 2);
    }

    void fetchAndReveal()
    {
        RecordsView view(std::make_shared<services::Connection>(m_profile), m_audit);
        view.resize(1200, 800);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(pickTopic(view, QStringLiteral("customers")), 20000);
        QSignalSpy finished(&view, &RecordsView::fetchFinished);
        fetch(view, 100);
        QVERIFY(child<QProgressBar>(view, "recordsBusyIndicator")->isVisible());
        QVERIFY(child<QPushButton>(view, "recordsCancelButton")->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QVERIFY(!child<QProgressBar>(view, "recordsBusyIndicator")->isVisible());
        RecordsModel *model = view.model();
        QCOMPARE(model->rowCount(), 100);
        const QString status = child<QLabel>(view, "recordsStatusLabel")->text();
        QVERIFY2(status.startsWith(QStringLiteral("100 records, ")), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral(" KMS unwrap")), qPrintable(status));
        QVERIFY(!status.contains(QStringLiteral(", 0 KMS unwraps")));

        const int row = findRow(*model, RecordStatus::Decrypted);
        QVERIFY(row >= 0);
        const kafka::PreviewRecord record = model->record(row);
        const QString ssn = record.value.value.toObject().value(QStringLiteral("ssn")).toString();
        QVERIFY(!ssn.isEmpty());
        // The schema id is named once the registry answered the by-id lookup.
        QTRY_VERIFY(model->index(row, RecordsModel::SchemaColumn)
                        .data()
                        .toString()
                        .contains(QStringLiteral(" → customers-value v")));

        auto *table = child<QTableView>(view, "recordsTable");
        table->setCurrentIndex(model->index(row, 0));
        auto *decrypted = child<QPlainTextEdit>(view, "recordDecryptedText");
        QTRY_VERIFY(decrypted->toPlainText().contains(MaskText.toString()));
        QVERIFY(!decrypted->toPlainText().contains(ssn));
        QVERIFY(child<QPlainTextEdit>(view, "recordStoredText")
                    ->toPlainText()
                    .contains(QStringLiteral("\"ssn\"")));
        QVERIFY(!child<QPlainTextEdit>(view, "recordStoredText")->toPlainText().contains(ssn));
        QVERIFY(child<QPlainTextEdit>(view, "recordRawText")
                    ->toPlainText()
                    .contains(QStringLiteral("00000000  00")));
        QVERIFY(child<QTableWidget>(view, "recordHeadersTable")->rowCount() >= 1);

        const auto before = m_audit->store()->entries();
        QVERIFY(before);
        QSignalSpy revealed(&view, &RecordsView::revealed);
        auto *reveal = child<QPushButton>(view, "recordRevealButton");
        QVERIFY(reveal->isEnabled());
        QTest::mouseClick(reveal, Qt::LeftButton);
        QTRY_COMPARE(revealed.size(), 1);
        QVERIFY(decrypted->toPlainText().contains(ssn));
        QVERIFY(!decrypted->toPlainText().contains(MaskText.toString()));

        // The audit log has the reveal: who, where, which fields; never the values.
        auto after = m_audit->store()->entries();
        QVERIFY(after);
        QCOMPARE(after->size(), before->size() + 1);
        const audit::AuditEntry &entry = after->last();
        QCOMPARE(entry.action, QString(audit::ActionRecordReveal));
        QCOMPARE(entry.actor, QStringLiteral("tester"));
        QCOMPARE(entry.profile, QStringLiteral("demo"));
        QCOMPARE(entry.topic, QStringLiteral("customers"));
        QCOMPARE(entry.partition, record.record.partition);
        QCOMPARE(entry.offset, record.record.offset);
        const QJsonArray fields = entry.details.value(QStringLiteral("fields")).toArray();
        QVERIFY(fields.contains(QStringLiteral("ssn")));
        QVERIFY(fields.contains(QStringLiteral("fullName")));
        // The one reveal layout (core/services/recordview.h), as the CLI writes it too.
        QCOMPARE(entry.details.value(QStringLiteral("client")).toString(),
                 QStringLiteral("keywarden"));
        QCOMPARE(entry.details.value(QStringLiteral("scope")).toString(), QStringLiteral("record"));
        QCOMPARE(entry.details.value(QStringLiteral("schemaId")).toInt(), record.value.schemaId);
        QCOMPARE(entry.details.value(QStringLiteral("dekSubject")).toString(),
                 record.value.dekSubject);
        QCOMPARE(entry.details.keys(),
                 (QStringList{QStringLiteral("client"), QStringLiteral("dekSubject"),
                              QStringLiteral("fields"), QStringLiteral("schemaId"),
                              QStringLiteral("scope")}));
        QVERIFY(m_audit->store()->verifyChain());
        QCOMPARE(entry.version, 2); // keyed
        QByteArray file;
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile f(m_audit->path() + suffix);
            if (f.open(QIODevice::ReadOnly))
                file += f.readAll();
        }
        QVERIFY(!file.contains(ssn.toUtf8()));

        // Another record starts masked again.
        const int other = row + 1 < model->rowCount() ? row + 1 : row - 1;
        table->setCurrentIndex(model->index(other, 0));
        QVERIFY(!view.detailPane()->isRevealed());
    }

    void commandsFollowTheViewsState()
    {
        RecordsView view(std::make_shared<services::Connection>(m_profile), m_audit);
        view.show();
        CommandController *commands = view.commands();
        auto enabled = [commands](const char *name) {
            return commands->command(QLatin1String(name))->action()->isEnabled();
        };
        // No topic yet: nothing to fetch, reveal or export.
        QVERIFY(!enabled("actionCancelFetch"));
        QVERIFY(!enabled("actionRevealRecord"));
        QVERIFY(!enabled("recordsExportAction"));
        QTRY_VERIFY_WITH_TIMEOUT(pickTopic(view, QStringLiteral("customers")), 20000);
        QVERIFY(enabled("actionFetchRecords"));
        QCOMPARE(child<QPushButton>(view, "recordsFetchButton")->isEnabled(), true);

        child<QSpinBox>(view, "recordsCountSpin")->setValue(20);
        QSignalSpy finished(&view, &RecordsView::fetchFinished);
        QVERIFY(commands->trigger(QStringLiteral("actionFetchRecords")));
        // While it runs: Cancel, not Fetch or Export; the buttons follow the commands.
        QVERIFY(enabled("actionCancelFetch"));
        QVERIFY(!enabled("actionFetchRecords"));
        QVERIFY(!enabled("recordsExportPlaintextAction"));
        QVERIFY(!child<QPushButton>(view, "recordsFetchButton")->isEnabled());
        QVERIFY(child<QPushButton>(view, "recordsCancelButton")->isEnabled());
        QVERIFY(!commands->trigger(QStringLiteral("actionFetchRecords")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QCOMPARE(view.model()->rowCount(), 20);
        QVERIFY(enabled("actionFetchRecords"));
        QVERIFY(!enabled("actionCancelFetch"));
        QVERIFY(enabled("recordsExportAction"));

        // Reveal follows the current record: one with decrypted values, not yet revealed.
        QVERIFY(!enabled("actionRevealRecord"));
        const int row = findRow(*view.model(), RecordStatus::Decrypted);
        QVERIFY(row >= 0);
        child<QTableView>(view, "recordsTable")->setCurrentIndex(view.model()->index(row, 0));
        QVERIFY(enabled("actionRevealRecord"));
        auto *menu = child<QMenu>(view, "recordsContextMenu");
        QVERIFY(menu->actions().contains(
            commands->command(QStringLiteral("actionRevealRecord"))->action()));
        QSignalSpy revealed(&view, &RecordsView::revealed);
        QVERIFY(commands->trigger(QStringLiteral("actionRevealRecord")));
        QTRY_COMPARE(revealed.size(), 1);
        QVERIFY(view.detailPane()->isRevealed());
        QVERIFY(!enabled("actionRevealRecord"));
        QVERIFY(!commands->trigger(QStringLiteral("actionRevealRecord")));
    }

    void copiedSecretsAreMarkedAndCleared()
    {
        RecordsView view(std::make_shared<services::Connection>(m_profile), m_audit);
        view.setClipboardClearIntervalMs(300);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(pickTopic(view, QStringLiteral("customers")), 20000);
        QSignalSpy finished(&view, &RecordsView::fetchFinished);
        fetch(view, 20);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        const int row = findRow(*view.model(), RecordStatus::Decrypted);
        QVERIFY(row >= 0);
        const QString ssn = view.model()
                                ->record(row)
                                .value.value.toObject()
                                .value(QStringLiteral("ssn"))
                                .toString();
        child<QTableView>(view, "recordsTable")->setCurrentIndex(view.model()->index(row, 0));

        auto *fields = child<QTableWidget>(view, "recordFieldsTable");
        auto *copy = child<QAction>(view, "recordCopyValueAction");
        int ssnRow = -1;
        for (int r = 0; r < fields->rowCount(); ++r) {
            if (fields->item(r, 0)->text() == QStringLiteral("ssn"))
                ssnRow = r;
        }
        QVERIFY(ssnRow >= 0);
        QCOMPARE(fields->item(ssnRow, 5)->text(), MaskText.toString());
        fields->selectRow(ssnRow);
        QVERIFY(!copy->isEnabled()); // nothing to copy before Reveal

        QTest::mouseClick(child<QPushButton>(view, "recordRevealButton"), Qt::LeftButton);
        QTRY_COMPARE(fields->item(ssnRow, 5)->text(), ssn);
        fields->selectRow(ssnRow);
        QVERIFY(copy->isEnabled());
        copy->trigger();
        QClipboard *clipboard = QGuiApplication::clipboard();
        QCOMPARE(clipboard->text(), ssn);
        QCOMPARE(clipboard->mimeData()->data(QStringLiteral("x-kde-passwordManagerHint")),
                 QByteArrayLiteral("secret"));
        QTRY_VERIFY(clipboard->text().isEmpty());

        // Ctrl+C in the Decrypted text: marked secret too, and cleared.
        auto *text = child<QPlainTextEdit>(view, "recordDecryptedText");
        text->selectAll();
        text->copy();
        QVERIFY(clipboard->text().contains(ssn));
        QCOMPARE(clipboard->mimeData()->data(QStringLiteral("x-kde-passwordManagerHint")),
                 QByteArrayLiteral("secret"));
        QTRY_VERIFY(clipboard->text().isEmpty());

        // Something the user copied since is left alone.
        copy->trigger();
        clipboard->setText(QStringLiteral("mine"));
        QTest::qWait(500);
        QCOMPARE(clipboard->text(), QStringLiteral("mine"));
    }

    void damagedRecordsFailAlone()
    {
        RecordsView view(std::make_shared<services::Connection>(m_profile), m_audit);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(pickTopic(view, QStringLiteral("customers")), 20000);
        QSignalSpy finished(&view, &RecordsView::fetchFinished);
        fetch(view, 9000);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 90000);
        RecordsModel *model = view.model();
        QCOMPARE(model->rowCount(), 9000);
        int damaged = 0, damagedFailed = 0, decrypted = 0, failedRow = -1;
        for (int row = 0; row < model->rowCount(); ++row) {
            const auto status =
                RecordStatus(model->index(row, 0).data(RecordsModel::StatusRole).toInt());
            const bool failed =
                status == RecordStatus::Failed || status == RecordStatus::PartiallyFailed;
            if (isDamaged(model->record(row))) {
                ++damaged;
                if (failed) {
                    ++damagedFailed;
                    failedRow = row;
                }
            } else if (status == RecordStatus::Decrypted) {
                ++decrypted;
            }
        }
        qInfo("customers: %d damaged (%d failed), %d of %d intact records decrypted, %d failed in "
              "all",
              damaged, damagedFailed, decrypted, model->rowCount() - damaged, model->failedCount());
        QVERIFY(damaged > 0);
        QVERIFY(damagedFailed > 0);
        QVERIFY(decrypted > (model->rowCount() - damaged) * 9 / 10);
        const QString status = child<QLabel>(view, "recordsStatusLabel")->text();
        QVERIFY2(
            status.startsWith(QStringLiteral("9000 records, %1 failed").arg(model->failedCount())),
            qPrintable(status));

        // The failure shows in the status column's tooltip and in the detail pane.
        const QString reason =
            model->index(failedRow, 0).data(RecordsModel::FailureRole).toString();
        QVERIFY(!reason.isEmpty());
        QCOMPARE(
            model->index(failedRow, RecordsModel::StatusColumn).data(Qt::ToolTipRole).toString(),
            reason);
        child<QTableView>(view, "recordsTable")->setCurrentIndex(model->index(failedRow, 0));
        auto *failure = child<QLabel>(view, "recordFailureLabel");
        QVERIFY(failure->isVisibleTo(&view));
        QCOMPARE(failure->text(), reason);
        QVERIFY(!child<QWidget>(view, "recordsMessageBar")->isVisible());
    }

    void cancelStopsAFetch()
    {
        RecordsView view(std::make_shared<services::Connection>(m_profile), m_audit);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(pickTopic(view, QStringLiteral("card-payments")), 20000);
        QSignalSpy finished(&view, &RecordsView::fetchFinished);
        fetch(view, 10000);
        QVERIFY(view.isFetching());
        QTest::mouseClick(child<QPushButton>(view, "recordsCancelButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QVERIFY(!view.isFetching());
        QVERIFY(view.model()->rowCount() < 10000);
        QVERIFY(child<QLabel>(view, "recordsStatusLabel")
                    ->text()
                    .startsWith(QStringLiteral("Cancelled: ")));
        QVERIFY(child<QWidget>(view, "recordsMessageBar")->isVisible());
        QVERIFY(child<QPushButton>(view, "recordsFetchButton")->isEnabled());
        QVERIFY(!child<QPushButton>(view, "recordsCancelButton")->isEnabled());

        // The view stays usable: a new fetch after a cancelled one works.
        fetch(view, 10);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 30000);
        QCOMPARE(view.model()->rowCount(), 10);
    }

    void startPositionAndPartition()
    {
        RecordsView view(std::make_shared<services::Connection>(m_profile), m_audit);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(pickTopic(view, QStringLiteral("accounts")), 20000);
        auto *partitions = child<QComboBox>(view, "recordsPartitionCombo");
        QTRY_VERIFY_WITH_TIMEOUT(partitions->findData(1) >= 0, 20000);
        QSignalSpy finished(&view, &RecordsView::fetchFinished);
        auto *start = child<QComboBox>(view, "recordsStartCombo");
        auto *value = child<QLineEdit>(view, "recordsStartValueEdit");

        // One partition, from an offset.
        partitions->setCurrentIndex(partitions->findData(1));
        start->setCurrentIndex(start->findText(QStringLiteral("Offset")));
        QVERIFY(value->isVisibleTo(&view));
        value->setText(QStringLiteral("40"));
        fetch(view, 25);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(view.model()->rowCount(), 25);
        for (int row = 0; row < view.model()->rowCount(); ++row) {
            QCOMPARE(view.model()->record(row).record.partition, 1);
            QCOMPARE(view.model()->record(row).record.offset, 40 + row);
        }

        // The newest 7 records of the topic.
        partitions->setCurrentIndex(0);
        start->setCurrentIndex(start->findText(QStringLiteral("Latest − N")));
        value->setText(QStringLiteral("7"));
        fetch(view, 100);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 30000);
        QCOMPARE(view.model()->rowCount(), 7);

        // From a timestamp after the last record: nothing, and no error.
        start->setCurrentIndex(start->findText(QStringLiteral("Timestamp")));
        QVERIFY(!value->isVisibleTo(&view));
        child<QDateTimeEdit>(view, "recordsStartTimestampEdit")
            ->setDateTime(QDateTime::currentDateTimeUtc().addDays(2));
        fetch(view, 100);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 30000);
        QCOMPARE(view.model()->rowCount(), 0);
        QVERIFY(!child<QWidget>(view, "recordsMessageBar")->isVisible());
    }

    void noAuditNoReveal()
    {
        RecordsView view(std::make_shared<services::Connection>(m_profile), nullptr);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(pickTopic(view, QStringLiteral("customers")), 20000);
        QSignalSpy finished(&view, &RecordsView::fetchFinished);
        fetch(view, 5);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        const int row = findRow(*view.model(), RecordStatus::Decrypted);
        QVERIFY(row >= 0);
        const QString ssn = view.model()
                                ->record(row)
                                .value.value.toObject()
                                .value(QStringLiteral("ssn"))
                                .toString();
        child<QTableView>(view, "recordsTable")->setCurrentIndex(view.model()->index(row, 0));
        QTest::mouseClick(child<QPushButton>(view, "recordRevealButton"), Qt::LeftButton);
        QVERIFY(!view.detailPane()->isRevealed());
        QVERIFY(!child<QPlainTextEdit>(view, "recordDecryptedText")->toPlainText().contains(ssn));
        QVERIFY(child<QWidget>(view, "recordsMessageBar")->isVisible());
        QVERIFY(child<QLabel>(view, "recordsMessageText")
                    ->text()
                    .contains(QStringLiteral("audit log")));
    }

    void brokenLogRefusesReveals()
    {
        // A keyed log someone edited (and rehashed) behind the store's back.
        const QString path = m_dir.filePath(QStringLiteral("forged.sqlite"));
        auto vault = std::make_shared<audit::MemoryAuditVault>();
        {
            auto log = openLog(path, vault);
            QVERIFY(log);
            for (int i = 0; i < 3; ++i) {
                audit::AuditEntry entry;
                entry.action = audit::ActionRecordReveal;
                auto future = log->append(entry);
                QTRY_VERIFY(future.isFinished());
                QVERIFY(future.result());
            }
        }
        const QString failure = audit::testing::forge(path, audit::testing::Forgery::EditRow, 2);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        auto broken = openLog(path, vault);
        QVERIFY(broken && broken->problem());

        RecordsView view(std::make_shared<services::Connection>(m_profile), broken);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(pickTopic(view, QStringLiteral("customers")), 20000);
        QSignalSpy finished(&view, &RecordsView::fetchFinished);
        fetch(view, 5);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        const int row = findRow(*view.model(), RecordStatus::Decrypted);
        QVERIFY(row >= 0);
        child<QTableView>(view, "recordsTable")->setCurrentIndex(view.model()->index(row, 0));
        QTest::mouseClick(child<QPushButton>(view, "recordRevealButton"), Qt::LeftButton);
        auto *message = child<QLabel>(view, "recordsMessageText");
        QTRY_VERIFY(message->text().contains(QLatin1String("does not verify")));
        QVERIFY2(message->text().contains(QLatin1String("#2")), qPrintable(message->text()));
        QVERIFY(!view.detailPane()->isRevealed());
        QCOMPARE(broken->store()->entries()->size(), 3); // nothing written
    }

    void unreachableClusterShowsInline()
    {
        profiles::ConnectionProfile broken = m_profile;
        broken.bootstrapServers = QStringLiteral("127.0.0.1:1");
        RecordsView view(std::make_shared<services::Connection>(broken), m_audit);
        view.show();
        auto *bar = child<QWidget>(view, "recordsMessageBar");
        QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible(), 30000);
        QVERIFY(child<QLabel>(view, "recordsMessageText")
                    ->text()
                    .startsWith(QStringLiteral("The topic list could not be loaded")));
    }

    // A record is whatever its producer wrote: header keys, field paths, error messages and
    // values show control characters and bidi overrides as escapes, and markup as text.
    void detailPaneShowsRecordTextEscaped()
    {
        kafka::PreviewRecord record;
        record.record.topic = QStringLiteral("t");
        record.record.key = QByteArrayLiteral("k");
        record.record.value = QByteArrayLiteral("v");
        record.record.headers.append({QByteArrayLiteral("h\x1b[31m"), QByteArrayLiteral("x")});
        record.decrypted = true;
        record.value.value = QJsonObject{{QStringLiteral("name"), QStringLiteral("exe.\u202etxt")}};
        record.value.stored = record.value.value;
        engine::FieldOutcome field;
        field.path = QStringLiteral("a\x1b"
                                    "b");
        field.status = engine::FieldOutcome::Status::Failed;
        field.error = makeError(QStringLiteral("kms.failed"),
                                QStringLiteral("<b>boom</b>\x1b[2J\x1b]0;t\x07"));
        record.value.fields.append(field);

        SecretClipboard clipboard;
        RecordDetailPane pane(&clipboard);
        pane.setRecord(record);
        const auto *failure = pane.findChild<QLabel *>(QStringLiteral("recordFailureLabel"));
        QCOMPARE(failure->textFormat(), Qt::PlainText);
        QVERIFY2(failure->text().contains(QStringLiteral("a\\x1bb: <b>boom</b>\\x1b[2J")),
                 qPrintable(failure->text()));
        const auto *fields = pane.findChild<QTableWidget *>(QStringLiteral("recordFieldsTable"));
        QCOMPARE(fields->item(0, 0)->text(), QStringLiteral("a\\x1bb"));
        QVERIFY(fields->item(0, 5)->text().contains(QStringLiteral("\\x1b]0;t\\x07")));
        const auto *headers = pane.findChild<QTableWidget *>(QStringLiteral("recordHeadersTable"));
        QCOMPARE(headers->item(0, 0)->text(), QStringLiteral("h\\x1b[31m"));
        const auto *decrypted =
            pane.findChild<QPlainTextEdit *>(QStringLiteral("recordDecryptedText"));
        QVERIFY2(decrypted->toPlainText().contains(QStringLiteral("exe.\\u202etxt")),
                 qPrintable(decrypted->toPlainText()));
        QVERIFY(!decrypted->toPlainText().contains(QChar(0x202e)));
    }

    void revealAuditIsWrittenOffTheGuiThread()
    {
        auto vault = std::make_shared<audit::RecordingAuditVault>();
        audit::RecordingClock clock;
        auto log = openLog(m_dir.filePath(QStringLiteral("threads.sqlite")), vault, &clock);
        QVERIFY(log);
        RecordsView view(std::make_shared<services::Connection>(m_profile), log);
        view.show();
        QVERIFY(fetchCustomers(view, 10));
        const QList<int> rows = decryptedRows(*view.model());
        QVERIFY(!rows.isEmpty());
        child<QTableView>(view, "recordsTable")->setCurrentIndex(view.model()->index(rows[0], 0));
        clock.resetThreads();
        vault->resetThreads();
        QSignalSpy revealed(&view, &RecordsView::revealed);
        QTest::mouseClick(child<QPushButton>(view, "recordRevealButton"), Qt::LeftButton);
        QTRY_COMPARE(revealed.size(), 1);
        // The entry was stamped inside its SQLite write on the audit thread, not this one; the
        // keychain (head) calls stay on this thread, where keychain jobs must run.
        const QList<QThread *> stamped = clock.threads();
        QVERIFY(!stamped.isEmpty());
        for (QThread *thread : stamped) {
            QCOMPARE(thread, view.auditThread()->thread());
            QVERIFY(thread != QThread::currentThread());
        }
        for (QThread *thread : vault->threads())
            QCOMPARE(thread, QThread::currentThread());
        QCOMPARE(log->store()->entries()->size(), 1);
    }

    void revealShowsOnlyAfterTheEntryIsWritten()
    {
        auto vault = std::make_shared<audit::RecordingAuditVault>();
        auto log = openLog(m_dir.filePath(QStringLiteral("held.sqlite")), vault);
        QVERIFY(log);
        RecordsView view(std::make_shared<services::Connection>(m_profile), log);
        view.show();
        QVERIFY(fetchCustomers(view, 10));
        const QList<int> rows = decryptedRows(*view.model());
        QVERIFY(rows.size() >= 2);
        auto *table = child<QTableView>(view, "recordsTable");
        auto *decrypted = child<QPlainTextEdit>(view, "recordDecryptedText");
        const QString ssnA = ssnOf(*view.model(), rows[0]);
        QSignalSpy revealed(&view, &RecordsView::revealed);

        // The entry is held half-written: nothing shows meanwhile.
        vault->setHolding(true);
        table->setCurrentIndex(view.model()->index(rows[0], 0));
        QTest::mouseClick(child<QPushButton>(view, "recordRevealButton"), Qt::LeftButton);
        QTRY_COMPARE(vault->heldWrites(), 1);
        QVERIFY(!view.detailPane()->isRevealed());
        QVERIFY(!decrypted->toPlainText().contains(ssnA));

        // The user moves on and back: the late answer is for a click nobody waits for any more
        // (even though the same record is selected again), so it shows nothing.
        QSignalSpy discarded(&view, &RecordsView::revealDiscarded);
        table->setCurrentIndex(view.model()->index(rows[1], 0));
        table->setCurrentIndex(view.model()->index(rows[0], 0));
        vault->setHolding(false);
        vault->release();
        QTRY_COMPARE(discarded.size(), 1);
        QCOMPARE(discarded.at(0).at(2).toLongLong(), view.model()->record(rows[0]).record.offset);
        QVERIFY(!view.detailPane()->isRevealed());
        QVERIFY(!decrypted->toPlainText().contains(ssnA));
        QCOMPARE(revealed.size(), 0);
        // A second reveal is answered after the first (the log writes in order): once it is
        // shown, the first answer has been handled and dropped.
        table->setCurrentIndex(view.model()->index(rows[1], 0));
        QTest::mouseClick(child<QPushButton>(view, "recordRevealButton"), Qt::LeftButton);
        QTRY_COMPARE(revealed.size(), 1);
        QCOMPARE(revealed.at(0).at(2).toLongLong(), view.model()->record(rows[1]).record.offset);
        QVERIFY(decrypted->toPlainText().contains(ssnOf(*view.model(), rows[1])));
        QCOMPARE(log->store()->entries()->size(), 2); // both were audited
    }

    void aRevealWhoseAuditFailsShowsNothingAndSaysWhy()
    {
        auto vault = std::make_shared<audit::RecordingAuditVault>();
        auto log = openLog(m_dir.filePath(QStringLiteral("refusing.sqlite")), vault);
        QVERIFY(log);
        RecordsView view(std::make_shared<services::Connection>(m_profile), log);
        view.show();
        QVERIFY(fetchCustomers(view, 5));
        const QList<int> rows = decryptedRows(*view.model());
        QVERIFY(!rows.isEmpty());
        child<QTableView>(view, "recordsTable")->setCurrentIndex(view.model()->index(rows[0], 0));
        vault->setRefusing(true);
        QTest::mouseClick(child<QPushButton>(view, "recordRevealButton"), Qt::LeftButton);
        auto *message = child<QLabel>(view, "recordsMessageText");
        QTRY_VERIFY(message->text().contains(QLatin1String("The keychain refused (test).")));
        QVERIFY(message->text().contains(QLatin1String("not revealed")));
        QVERIFY(!view.detailPane()->isRevealed());
        QVERIFY(!child<QPlainTextEdit>(view, "recordDecryptedText")
                     ->toPlainText()
                     .contains(ssnOf(*view.model(), rows[0])));
        QCOMPARE(log->store()->entries()->size(), 0);
    }

    void exportRecordsMaskedAndWithPlaintext()
    {
        auto vault = std::make_shared<audit::RecordingAuditVault>();
        auto log = openLog(m_dir.filePath(QStringLiteral("export.sqlite")), vault);
        QVERIFY(log);
        RecordsView view(std::make_shared<services::Connection>(m_profile), log);
        view.show();
        auto *exportMasked = view.findChild<QAction *>(QStringLiteral("recordsExportAction"));
        auto *exportPlain =
            view.findChild<QAction *>(QStringLiteral("recordsExportPlaintextAction"));
        QVERIFY(exportMasked && exportPlain);
        QVERIFY(!exportMasked->isEnabled()); // nothing fetched yet
        QVERIFY(fetchCustomers(view, 20));
        QVERIFY(exportMasked->isEnabled() && exportPlain->isEnabled());
        QStringList ssns;
        for (int row : decryptedRows(*view.model()))
            ssns << ssnOf(*view.model(), row);
        QVERIFY(!ssns.isEmpty());
        QTemporaryDir out;
        QVERIFY(out.isValid());
        QSignalSpy exported(&view, &RecordsView::exportFinished);
        const auto contents = [](const QString &path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QFileDevice::Permissions notOwner = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                  QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                  QFileDevice::WriteOther | QFileDevice::ExeOther;

        // Masked CSV: no question, no audit entry, no plaintext, owner-only.
        const QString csv = out.filePath(QStringLiteral("records.csv"));
        view.setNextExportPath(csv);
        exportMasked->trigger();
        QTRY_COMPARE(exported.size(), 1);
        QCOMPARE(exported.at(0).at(0).toString(), csv);
        const QByteArray csvBytes = contents(csv);
        QVERIFY(csvBytes.startsWith("topic,partition,offset,timestamp,key,keyBase64,schemaId,"));
        QCOMPARE(csvBytes.count("\r\n"), 21); // header + 20 records
        QVERIFY(csvBytes.contains(MaskText.toString().toUtf8()));
        for (const QString &ssn : ssns)
            QVERIFY2(!csvBytes.contains(ssn.toUtf8()), qPrintable(ssn));
        QCOMPARE(QFile::permissions(csv) & notOwner, QFileDevice::Permissions());
        QCOMPARE(log->store()->entries()->size(), 0);
        QVERIFY(!ConfirmationDialog::lastRequest());

        // Plaintext, cancelled: nothing written, nothing audited.
        const QString jsonl = out.filePath(QStringLiteral("records.jsonl"));
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Cancelled);
        view.setNextExportPath(jsonl);
        exportPlain->trigger();
        QTRY_COMPARE(exported.size(), 2);
        QVERIFY(exported.at(1).at(0).toString().isEmpty());
        QVERIFY(!QFile::exists(jsonl));
        QCOMPARE(log->store()->entries()->size(), 0);
        const auto asked = ConfirmationDialog::lastRequest();
        QVERIFY(asked);
        QVERIFY(asked->affected.contains(QStringLiteral("ssn")));
        QVERIFY(!asked->secondWarning.isEmpty());

        // Plaintext, but the audit log refuses: still nothing written.
        vault->setRefusing(true);
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        view.setNextExportPath(jsonl);
        exportPlain->trigger();
        QTRY_COMPARE(exported.size(), 3);
        QVERIFY(!QFile::exists(jsonl));
        QVERIFY(child<QLabel>(view, "recordsMessageText")
                    ->text()
                    .contains(QLatin1String("Nothing was exported")));
        vault->setRefusing(false);

        // Plaintext, confirmed: audited, then written with the values.
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        view.setNextExportPath(jsonl);
        exportPlain->trigger();
        QTRY_COMPARE(exported.size(), 4);
        QCOMPARE(exported.at(3).at(0).toString(), jsonl);
        const QByteArray lines = contents(jsonl);
        QCOMPARE(lines.count('\n'), 20);
        for (const QString &ssn : ssns)
            QVERIFY2(lines.contains(ssn.toUtf8()), qPrintable(ssn));
        QCOMPARE(QFile::permissions(jsonl) & notOwner, QFileDevice::Permissions());
        const auto entries = log->store()->entries();
        QVERIFY(entries);
        QCOMPARE(entries->size(), 1);
        const audit::AuditEntry &entry = entries->last();
        QCOMPARE(entry.action, QString(audit::ActionRecordReveal));
        QCOMPARE(entry.topic, QStringLiteral("customers"));
        QCOMPARE(entry.details.value(QStringLiteral("client")).toString(),
                 QStringLiteral("keywarden"));
        QCOMPARE(entry.details.value(QStringLiteral("scope")).toString(), QStringLiteral("export"));
        QCOMPARE(entry.details.value(QStringLiteral("records")).toInt(), 20);
        QCOMPARE(entry.details.value(QStringLiteral("format")).toString(), QStringLiteral("jsonl"));
        QVERIFY(entry.details.value(QStringLiteral("fields"))
                    .toArray()
                    .contains(QStringLiteral("ssn")));
        // No temporary files left beside the exports.
        QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden).size(), 2);
        ConfirmationDialog::resetTestSeam();
    }

    void cleanupTestCase()
    {
        m_audit.reset();
        delete m_host;
        m_host = nullptr;
    }
};

QTEST_MAIN(TestRecordsView)
#include "tst_recordsview.moc"
