// File › Export compliance report… against the embedded sandbox's demo estate: the command
// sits in the File menu and follows the connection; the dialog writes a report in each format
// that verifies under the installation's report key, private to its owner, and audited with
// its SHA-256; Cancel while it runs writes nothing; a failure says why and writes nothing.

#include "core/audit/auditlog.h"
#include "core/audit/auditstore.h"
#include "core/audit/auditvault.h"
#include "core/crypto/signing.h"
#include "core/kms/kms.h"
#include "core/report/seal.h"
#include "core/sandbox/sandboxhost.h"
#include "core/services/connectionprofile.h"
#include "core/services/reportkey.h"
#include "core/services/secretstore.h"
#include "widgets/commands/command.h"
#include "widgets/mainwindow/mainwindow.h"
#include "widgets/report/reportdialog.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

using namespace kw;

class TestReportDialog : public QObject
{
    Q_OBJECT

    sandbox::SandboxHost *m_host = nullptr;
    QTemporaryDir m_dir;
    std::shared_ptr<audit::AuditLog> m_audit;
    std::shared_ptr<profiles::MemorySecretStore> m_keys =
        std::make_shared<profiles::MemorySecretStore>();

    profiles::ConnectionProfile profile() const
    {
        profiles::ConnectionProfile p;
        p.name = QStringLiteral("report test");
        p.sandbox = true;
        p.registry.baseUrl = QUrl(m_host->endpoints().registryUrl);
        p.bootstrapServers = m_host->endpoints().bootstrapServers;
        p.kms.insert(QStringLiteral("local-kms"),
                     kms::KmsConfig{{QStringLiteral("secret"), m_host->endpoints().localSecret}});
        return p;
    }

    std::unique_ptr<MainWindow> window(bool connect = true)
    {
        auto w = std::make_unique<MainWindow>(MainWindow::Options{});
        services::WorkflowOptions o;
        o.journalPath = m_dir.filePath(QStringLiteral("workflows.sqlite"));
        o.censusFolder = m_dir.filePath(QStringLiteral("census"));
        w->setWorkflowOptions(o);
        w->setAuditLog(m_audit);
        w->setReportKeyStore(m_keys);
        if (connect)
            w->openConnection(profile());
        w->show();
        if (!QTest::qWaitForWindowExposed(w.get()))
            return nullptr;
        return w;
    }

    static QAction *exportAction(MainWindow &w)
    {
        return w.commands()->command(QStringLiteral("actionExportReport"))->action();
    }

    QByteArray publicKey() const
    {
        auto seed = report::ReportKey::loadOrCreate(m_keys);
        seed.waitForFinished();
        if (!seed.result())
            return {};
        auto key = crypto::ed25519PublicKey(*seed.result());
        return key ? *key : QByteArray();
    }

    QList<audit::AuditEntry> reportEntries() const
    {
        audit::AuditFilter f;
        f.action = QStringLiteral("report.generate");
        auto entries = m_audit->store()->entries(f);
        return entries ? *entries : QList<audit::AuditEntry>{};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("KeywardenTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_reportdialog"));
        QSettings().clear();
        m_host = new sandbox::SandboxHost(this);
        sandbox::SandboxOptions o;
        o.seed = QStringLiteral("demo");
        m_host->start(o);
        QTRY_VERIFY_WITH_TIMEOUT(m_host->isReady(), 240000); // minutes under ASan with -j2

        audit::AuditLog::Options logOptions;
        logOptions.path = m_dir.filePath(QStringLiteral("audit.sqlite"));
        logOptions.actor = QStringLiteral("tester");
        auto future =
            audit::AuditLog::open(logOptions, std::make_shared<audit::MemoryAuditVault>());
        QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 20000);
        QVERIFY2(future.result(), qPrintable(future.result().error().message));
        m_audit = *future.result();
        // Something to summarise: one audited action before any report.
        audit::AuditEntry reveal;
        reveal.action = QStringLiteral("record.reveal");
        reveal.topic = QStringLiteral("customers");
        reveal.partition = 0;
        reveal.offset = 1;
        auto appended = m_audit->append(reveal);
        QTRY_VERIFY_WITH_TIMEOUT(appended.isFinished(), 20000);
        QVERIFY(appended.result());
    }

    void cleanupTestCase() { m_audit.reset(); }

    void commandFollowsTheConnection()
    {
        auto w = window(false);
        QVERIFY(w);
        QAction *action = exportAction(*w);
        QMenu *file = w->menuBar()->findChild<QMenu *>(QStringLiteral("menuFile"));
        QVERIFY(file);
        QVERIFY(file->actions().contains(action));
        QVERIFY(!action->isEnabled());
        w->openConnection(profile());
        QTRY_VERIFY(action->isEnabled());
    }

    void writesEachFormatSealedAndAudited_data()
    {
        QTest::addColumn<int>("index");
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<QByteArray>("start");
        QTest::newRow("pdf") << 0 << QStringLiteral("pdf") << QByteArray("%PDF-");
        QTest::newRow("html") << 1 << QStringLiteral("html") << QByteArray("<!DOCTYPE html>");
        QTest::newRow("csv") << 2 << QStringLiteral("csv") << QByteArray("kek,kms_type,");
        QTest::newRow("json") << 3 << QStringLiteral("json") << QByteArray("{");
    }

    void writesEachFormatSealedAndAudited()
    {
        QFETCH(int, index);
        QFETCH(QString, suffix);
        QFETCH(QByteArray, start);
        auto w = window();
        QVERIFY(w);
        const qsizetype entriesBefore = reportEntries().size();
        exportAction(*w)->trigger();
        auto *dialog = w->findChild<reportui::ReportDialog *>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        dialog->setOpenWhenDone(false);
        auto *format = dialog->findChild<QComboBox *>(QStringLiteral("reportFormat"));
        format->setCurrentIndex(index);
        const QString path = m_dir.filePath(QStringLiteral("estate.") + suffix);
        dialog->setPath(m_dir.filePath(QStringLiteral("estate.txt")));
        format->setCurrentIndex((index + 1) % 4);
        format->setCurrentIndex(index); // the suffix follows the format
        QCOMPARE(dialog->path(), path);
        QSignalSpy finished(dialog, &reportui::ReportDialog::finished);
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("reportGenerate")),
                          Qt::LeftButton);
        QVERIFY(dialog->isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
        QCOMPARE(finished.first().at(0).toString(), path);
        QVERIFY2(dialog->outcome().startsWith(QStringLiteral("Wrote ")),
                 qPrintable(dialog->outcome()));

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
        const QByteArray bytes = file.readAll();
        QVERIFY2(bytes.startsWith(start), bytes.left(40).constData());
        QByteArray sealFile;
        const auto sealFormat = report::sealFormatOf(path);
        if (*sealFormat == report::SealFormat::Csv) {
            QFile seal(report::sealFileFor(path));
            QVERIFY(seal.open(QIODevice::ReadOnly));
            sealFile = seal.readAll();
        }
        auto verified = report::verifySeal(*sealFormat, bytes, sealFile, publicKey());
        QVERIFY2(verified, qPrintable(verified.error().message));
        // The audit head the seal names is the one before this report's own entry.
        const QList<audit::AuditEntry> entries = reportEntries();
        QCOMPARE(entries.size(), entriesBefore + 1);
        const audit::AuditEntry &entry = entries.last();
        QCOMPARE(entry.details.value(QStringLiteral("sha256")).toString(), verified->sha256);
        QCOMPARE(entry.details.value(QStringLiteral("format")).toString(), suffix);
        QVERIFY(entry.object.endsWith(QStringLiteral("estate.") + suffix));
        QCOMPARE(verified->auditEntries, qint64(entry.id - 1));
        if (suffix == QLatin1String("json")) {
            const QJsonObject json = QJsonDocument::fromJson(bytes).object();
            QCOMPARE(json.value(QStringLiteral("cover"))
                         .toObject()
                         .value(QStringLiteral("estate"))
                         .toString(),
                     QStringLiteral("report test"));
            QVERIFY(json.value(QStringLiteral("audit"))
                        .toObject()
                        .value(QStringLiteral("actions"))
                        .toObject()
                        .contains(QStringLiteral("record.reveal")));
            QVERIFY(json.value(QStringLiteral("unavailable"))
                        .toObject()
                        .contains(QStringLiteral("counts"))); // no census taken here
        }
    }

    void cancelWritesNothing()
    {
        auto w = window();
        QVERIFY(w);
        reportui::ReportDialog *dialog = w->exportReport();
        QVERIFY(dialog);
        dialog->setOpenWhenDone(false);
        const QString path = m_dir.filePath(QStringLiteral("cancelled.pdf"));
        dialog->setPath(path);
        const qsizetype entriesBefore = reportEntries().size();
        QSignalSpy finished(dialog, &reportui::ReportDialog::finished);
        // Export, then Cancel before the event loop turns: the job is dropped, whatever the
        // worker still does.
        dialog->generate();
        QVERIFY(dialog->isBusy());
        auto *buttons = dialog->findChild<QDialogButtonBox *>();
        QTest::mouseClick(buttons->button(QDialogButtonBox::Cancel), Qt::LeftButton);
        QVERIFY(!dialog->isBusy());
        QVERIFY(dialog->isVisible()); // the first Cancel stops the report, not the dialog
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
        QCOMPARE(finished.size(), 0);
        QVERIFY(!QFile::exists(path));
        QCOMPARE(reportEntries().size(), entriesBefore);
    }

    void aFileThatCannotBeWrittenSaysWhy()
    {
        auto w = window();
        QVERIFY(w);
        reportui::ReportDialog *dialog = w->exportReport();
        QVERIFY(dialog);
        dialog->setOpenWhenDone(false);
        dialog->findChild<QComboBox *>(QStringLiteral("reportFormat"))->setCurrentIndex(3);
        const QString path = m_dir.filePath(QStringLiteral("no-such-folder/report.json"));
        dialog->setPath(path);
        const qsizetype entriesBefore = reportEntries().size();
        QSignalSpy finished(dialog, &reportui::ReportDialog::finished);
        dialog->generate();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
        QVERIFY(finished.first().at(0).toString().isEmpty());
        QVERIFY2(dialog->outcome().contains(QStringLiteral("could not be written")),
                 qPrintable(dialog->outcome()));
        QVERIFY(!QFile::exists(path));
        QCOMPARE(reportEntries().size(), entriesBefore);
    }
};

QTEST_MAIN(TestReportDialog)
#include "tst_reportdialog.moc"
