// Key workflows through the main window and the workflow dialog against the embedded
// sandbox's demo estate: the commands follow the navigator's selection; a rotate, a rewrap and
// a permanent delete (its grace period overridden, its typed confirmation answered through the
// ConfirmationDialog seam) change exactly what they say in the sandbox's store; Cancel — in
// the confirmation or in the dialog — changes nothing; a refusal shows its message with
// nothing to confirm; an interrupted run is offered for resume when the window connects.

#include "core/audit/auditlog.h"
#include "core/audit/auditstore.h"
#include "core/audit/auditvault.h"
#include "core/kms/kms.h"
#include "core/net/resttransport.h"
#include "core/registry/dekregistryclient.h"
#include "core/sandbox/sandboxhost.h"
#include "core/services/connectionprofile.h"
#include "core/workflows/journal.h"
#include "models/navigator/navigatormodel.h"
#include "widgets/commands/command.h"
#include "widgets/dialogs/confirmationdialog.h"
#include "widgets/mainwindow/mainwindow.h"
#include "widgets/mainwindow/navigatorpane.h"
#include "widgets/workflows/unfinishedrunsbanner.h"
#include "widgets/workflows/workflowcommands.h"
#include "widgets/workflows/workflowdialog.h"

#include <QAction>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QTreeWidget>

using namespace kw;
using workflows::RunState;

namespace {

const QStringList Algorithms{QStringLiteral("AES128_GCM"), QStringLiteral("AES256_GCM"),
                             QStringLiteral("AES256_SIV")};

// One DEK row as the store has it.
struct Row
{
    QByteArray blob;
    bool deleted = false;
    qint64 ts = 0;
    bool operator==(const Row &) const = default;
};
using Rows = QMap<QString, Row>; // "subject/ALG/vN" -> row

} // namespace

class TestWorkflowDialog : public QObject
{
    Q_OBJECT

    sandbox::SandboxHost *m_host = nullptr;
    // The test's own view of the registry, to compare rows before and after.
    std::unique_ptr<registry::RestTransport> m_transport;
    std::unique_ptr<registry::DekRegistryClient> m_keys;
    QTemporaryDir m_dir;
    std::shared_ptr<audit::AuditLog> m_audit;
    int m_windows = 0;

    profiles::ConnectionProfile profile() const
    {
        profiles::ConnectionProfile p;
        p.name = QStringLiteral("workflow test");
        p.sandbox = true;
        p.registry.baseUrl = QUrl(m_host->endpoints().registryUrl);
        p.bootstrapServers = m_host->endpoints().bootstrapServers;
        p.kms.insert(QStringLiteral("local-kms"),
                     kms::KmsConfig{{QStringLiteral("secret"), m_host->endpoints().localSecret}});
        return p;
    }

    services::WorkflowOptions options() const
    {
        services::WorkflowOptions o;
        o.journalPath = m_dir.filePath(QStringLiteral("workflows.sqlite"));
        o.censusFolder = m_dir.filePath(QStringLiteral("census"));
        return o;
    }

    // A connected window with the test's journal and audit log.
    std::unique_ptr<MainWindow> window(bool withAudit = true)
    {
        auto w = std::make_unique<MainWindow>(MainWindow::Options{});
        w->setWorkflowOptions(options());
        // Without: no log at all (not even the one the window would open from the keychain).
        w->setAuditLog(withAudit ? m_audit : nullptr);
        w->openConnection(profile());
        w->show();
        if (!QTest::qWaitForWindowExposed(w.get()))
            return nullptr;
        return w;
    }

    // Selects navigator node `path`, loading its ancestors; true once it is current.
    static bool select(MainWindow &w, const QStringList &path)
    {
        w.navigatorPane()->revealPath(path);
        return QTest::qWaitFor(
            [&] {
                const QModelIndex current = w.navigatorPane()->currentSourceIndex();
                return current.isValid() && w.navigatorPane()->model()->pathOf(current) == path;
            },
            30000);
    }

    static bool enabled(MainWindow &w, const char *name)
    {
        return w.commands()->command(QLatin1String(name))->action()->isEnabled();
    }

    template<typename T>
    static std::optional<T> await(QFuture<Result<T>> future)
    {
        if (!QTest::qWaitFor([&] { return future.isFinished(); }, 30000))
            return std::nullopt;
        Result<T> r = future.result();
        if (!r)
            return std::nullopt;
        return r.value();
    }

    // Every DEK row of `kek`, deleted ones included, as the registry serves them.
    Rows rows(const QString &kek) const
    {
        Rows out;
        registry::DekListOptions all;
        all.deleted = true;
        auto subjects = await(m_keys->listDekSubjects(kek, all));
        if (!subjects)
            return out;
        for (const QString &s : *subjects)
            for (const QString &alg : Algorithms) {
                auto versions = await(m_keys->listDekVersions(kek, s, alg, all));
                if (!versions)
                    continue;
                for (int v : *versions) {
                    auto d = await(m_keys->getDekVersion(kek, s, v, alg, true));
                    if (d)
                        out.insert(QStringLiteral("%1/%2/v%3").arg(s, alg).arg(v),
                                   Row{d->encryptedKeyMaterial, d->deleted, d->ts});
                }
            }
        return out;
    }

    std::optional<registry::Dek> dek(const QString &kek, const QString &subject, int version,
                                     const QString &algorithm, bool deleted) const
    {
        return await(m_keys->getDekVersion(kek, subject, version, algorithm, deleted));
    }

    QByteArray unwrap(const QByteArray &blob) const
    {
        auto aead = kms::KmsRegistry::withBuiltInDrivers().aeadFor(
            {QStringLiteral("k"), QStringLiteral("local-kms"), QStringLiteral("id"), {}, false},
            {{QStringLiteral("local-kms"),
              {{QStringLiteral("secret"), m_host->endpoints().localSecret}}}});
        if (!aead)
            return {};
        auto f = (*aead)->unwrap(blob);
        f.waitForFinished();
        return f.result() ? *f.result() : QByteArray();
    }

    // The workflow dialog `w` opened, once it shows `mode`.
    static WorkflowDialog *dialogIn(MainWindow &w, WorkflowDialog::Mode mode)
    {
        WorkflowDialog *dialog = nullptr;
        (void)QTest::qWaitFor(
            [&] {
                dialog = w.findChild<WorkflowDialog *>();
                return dialog && dialog->mode() == mode;
            },
            60000);
        return dialog && dialog->mode() == mode ? dialog : nullptr;
    }

    static QStringList radiusGroups(const WorkflowDialog &dialog)
    {
        QStringList names;
        for (int i = 0; i < dialog.radiusTree()->topLevelItemCount(); ++i)
            names << dialog.radiusTree()->topLevelItem(i)->data(0, Qt::UserRole).toString();
        return names;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("KeywardenTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_workflowdialog"));
        QSettings().clear();
        m_host = new sandbox::SandboxHost(this);
        sandbox::SandboxOptions o;
        o.seed = QStringLiteral("demo");
        m_host->start(o);
        QTRY_VERIFY_WITH_TIMEOUT(m_host->isReady(), 240000); // minutes under ASan with -j2
        registry::ConnectionSettings settings;
        settings.baseUrl = QUrl(m_host->endpoints().registryUrl);
        m_transport = std::make_unique<registry::RestTransport>(settings);
        m_keys = std::make_unique<registry::DekRegistryClient>(m_transport.get());

        audit::AuditLog::Options logOptions;
        logOptions.path = m_dir.filePath(QStringLiteral("audit.sqlite"));
        logOptions.actor = QStringLiteral("tester");
        auto future =
            audit::AuditLog::open(logOptions, std::make_shared<audit::MemoryAuditVault>());
        QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 20000);
        QVERIFY2(future.result(), qPrintable(future.result().error().message));
        m_audit = *future.result();
    }

    void init() { ConfirmationDialog::resetTestSeam(); }

    void cleanupTestCase()
    {
        m_audit.reset();
        m_keys.reset();
        m_transport.reset();
    }

    void commandsFollowTheSelection()
    {
        auto w = window();
        QVERIFY(w);
        auto *toolBar = w->findChild<QToolBar *>(QStringLiteral("mainToolBar"));
        for (const char *name : WorkflowActionNames) {
            QAction *action = w->commands()->command(QLatin1String(name))->action();
            QVERIFY2(w->navigatorContextMenu()->actions().contains(action), name);
            QVERIFY2(toolBar->actions().contains(action), name);
            QVERIFY2(!action->isEnabled(), name); // nothing selected
        }

        QVERIFY(select(*w, {QStringLiteral("keys"), QStringLiteral("retail-pii")}));
        QVERIFY(enabled(*w, "actionRewrapDeks"));
        QVERIFY(enabled(*w, "actionDeleteKey"));
        QVERIFY(!enabled(*w, "actionRotateDek"));
        QVERIFY(!enabled(*w, "actionSwitchKek"));
        QVERIFY(!enabled(*w, "actionDeleteKeyPermanently"));
        QVERIFY(!enabled(*w, "actionUndeleteKey"));

        QVERIFY(select(*w, {QStringLiteral("keys"), QStringLiteral("retail-pii"),
                            QStringLiteral("transfers-value")}));
        QVERIFY(enabled(*w, "actionRotateDek"));
        QVERIFY(enabled(*w, "actionRewrapDeks"));
        QVERIFY(enabled(*w, "actionSwitchKek"));
        QVERIFY(enabled(*w, "actionDeleteKey"));
        QVERIFY(!enabled(*w, "actionUndeleteKey"));

        // The soft-deleted version 3: delete permanently or undelete, not delete again.
        w->navigatorPane()->setShowDeleted(true);
        QVERIFY(select(*w, {QStringLiteral("keys"), QStringLiteral("retail-pii"),
                            QStringLiteral("transfers-value"), QStringLiteral("3/AES256_GCM")}));
        QVERIFY(!enabled(*w, "actionDeleteKey"));
        QVERIFY(enabled(*w, "actionDeleteKeyPermanently"));
        QVERIFY(enabled(*w, "actionUndeleteKey"));
        QVERIFY(enabled(*w, "actionRotateDek"));
        QVERIFY(!enabled(*w, "actionRewrapDeks")); // a KEK or a subject

        // Under the soft-deleted KEK legacy-crm no new version can be made.
        QVERIFY(select(*w, {QStringLiteral("keys"), QStringLiteral("legacy-crm"),
                            QStringLiteral("crm-contacts-value")}));
        QVERIFY(!enabled(*w, "actionRotateDek"));
        QVERIFY(enabled(*w, "actionUndeleteKey"));

        // Disconnected: nothing.
        w->closeConnection();
        for (const char *name : WorkflowActionNames)
            QVERIFY2(!enabled(*w, name), name);
    }

    void refusalShowsItsMessageAndNothingToConfirm()
    {
        auto w = window();
        QVERIFY(w);
        w->navigatorPane()->setShowDeleted(true);
        QVERIFY(select(*w, {QStringLiteral("keys"), QStringLiteral("legacy-crm")}));
        const Rows before = rows(QStringLiteral("legacy-crm"));
        QVERIFY(!before.isEmpty());
        QVERIFY(w->commands()->trigger(QStringLiteral("actionDeleteKeyPermanently")));
        WorkflowDialog *dialog = dialogIn(*w, WorkflowDialog::Mode::Refused);
        QVERIFY(dialog);
        // Its DEKs are only soft-deleted: the registry deletes the KEK permanently after them.
        QVERIFY2(dialog->message().contains(QLatin1String("legacy-crm")),
                 qPrintable(dialog->message()));
        QVERIFY(dialog->confirmButton()->isHidden());
        QVERIFY(dialog->overrideButton()->isHidden());
        QVERIFY(dialog->cancelButton()->isVisible());
        QVERIFY(!ConfirmationDialog::lastRequest());
        QCOMPARE(rows(QStringLiteral("legacy-crm")), before);
    }

    void rotateFromTheDialogCreatesTheNextVersion()
    {
        const QString kek = QStringLiteral("retail-pii"),
                      subject = QStringLiteral("customers-value");
        const Rows before = rows(kek);
        int highest = 0;
        QString algorithm;
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            const QStringList parts = it.key().split(QLatin1Char('/'));
            if (parts.at(0) == subject && parts.at(2).mid(1).toInt() > highest) {
                highest = parts.at(2).mid(1).toInt();
                algorithm = parts.at(1);
            }
        }
        QVERIFY2(highest > 0, "the demo estate has DEKs for customers-value");

        auto w = window();
        QVERIFY(w);
        QVERIFY(select(*w, {QStringLiteral("keys"), kek, subject}));
        QVERIFY(w->commands()->trigger(QStringLiteral("actionRotateDek")));
        WorkflowDialog *dialog = dialogIn(*w, WorkflowDialog::Mode::Plan);
        QVERIFY(dialog);
        const workflows::Plan plan = *dialog->currentPlan();
        QCOMPARE(dialog->confirmButton()->text(), plan.verb);
        QVERIFY(dialog->confirmButton()->isVisible());
        QVERIFY(dialog->cancelButton()->isDefault());
        QCOMPARE(dialog->message(), plan.question);
        QCOMPARE(dialog->stepsTree()->topLevelItemCount(), plan.steps.size());
        QCOMPARE(radiusGroups(*dialog).mid(0, 4),
                 (QStringList{QStringLiteral("deks"), QStringLiteral("schemas"),
                              QStringLiteral("topics"), QStringLiteral("groups")}));

        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        QTest::mouseClick(dialog->confirmButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->mode(), WorkflowDialog::Mode::Finished, 60000);
        QVERIFY(ConfirmationDialog::lastRequest());
        QCOMPARE(ConfirmationDialog::lastRequest()->verb, plan.verb);
        QVERIFY(dialog->record());
        QVERIFY2(dialog->record()->state == RunState::Done, qPrintable(dialog->message()));
        QCOMPARE(dialog->message(), dialog->record()->message);
        QVERIFY(dialog->resumeButton()->isHidden());

        auto created = dek(kek, subject, highest + 1, algorithm, false);
        QVERIFY(created);
        QVERIFY(!unwrap(created->encryptedKeyMaterial).isEmpty());
        QCOMPARE(rows(kek).size(), before.size() + 1);
        // Each step left an audit entry of the workflow.
        auto entries = m_audit->store()->entries({});
        QVERIFY(entries);
        bool audited = false;
        for (const audit::AuditEntry &e : *entries)
            audited |= e.action.startsWith(QLatin1String("workflow.dek."));
        QVERIFY(audited);
        // The navigator was reloaded: the new version shows.
        QTRY_VERIFY_WITH_TIMEOUT(
            select(*w, {QStringLiteral("keys"), kek, subject,
                        QStringLiteral("%1/%2").arg(highest + 1).arg(algorithm)}),
            30000);
    }

    void rewrapFromTheDialogKeepsEveryKey()
    {
        const QString kek = QStringLiteral("hr-confidential");
        const Rows before = rows(kek);
        QVERIFY(!before.isEmpty());
        auto w = window();
        QVERIFY(w);
        QVERIFY(select(*w, {QStringLiteral("keys"), kek}));

        // Cancel in the dialog itself: closed, nothing sent.
        QVERIFY(w->commands()->trigger(QStringLiteral("actionRewrapDeks")));
        WorkflowDialog *dialog = dialogIn(*w, WorkflowDialog::Mode::Plan);
        QVERIFY(dialog);
        QPointer<WorkflowDialog> first(dialog);
        QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
        QTRY_VERIFY(!first);
        QCOMPARE(rows(kek), before);

        QVERIFY(w->commands()->trigger(QStringLiteral("actionRewrapDeks")));
        dialog = dialogIn(*w, WorkflowDialog::Mode::Plan);
        QVERIFY(dialog);
        QCOMPARE(dialog->currentPlan()->steps.size(), before.size());
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        QTest::mouseClick(dialog->confirmButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->mode(), WorkflowDialog::Mode::Finished, 120000);
        QVERIFY2(dialog->record() && dialog->record()->state == RunState::Done,
                 qPrintable(dialog->message()));
        QVERIFY2(dialog->message().startsWith(QLatin1String("Rewrapped")),
                 qPrintable(dialog->message()));
        for (int i = 0; i < dialog->stepsTree()->topLevelItemCount(); ++i)
            QTRY_COMPARE(dialog->stepsTree()->topLevelItem(i)->text(1), QStringLiteral("done"));

        const Rows after = rows(kek);
        QCOMPARE(after.keys(), before.keys());
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            const Row &now = after.value(it.key());
            QVERIFY2(now.blob != it->blob, qPrintable(it.key()));
            QCOMPARE(now.deleted, it->deleted);
            const QByteArray key = unwrap(now.blob);
            QVERIFY2(!key.isEmpty(), qPrintable(it.key()));
            QCOMPARE(key, unwrap(it->blob));
        }
    }

    void softThenPermanentDeleteNeedsTheTypedNameAndCancelChangesNothing()
    {
        const QString kek = QStringLiteral("retail-pii"),
                      subject = QStringLiteral("transfers-value");
        const QString v1 = QStringLiteral("%1/AES256_GCM/v1").arg(subject);
        const QStringList node{QStringLiteral("keys"), kek, subject,
                               QStringLiteral("1/AES256_GCM")};
        const Rows before = rows(kek);
        QVERIFY(before.contains(v1));
        QVERIFY(!before.value(v1).deleted);

        auto w = window();
        QVERIFY(w);
        w->navigatorPane()->setShowDeleted(true);

        // Soft delete first (the registry deletes permanently only what was soft-deleted).
        QVERIFY(select(*w, node));
        QVERIFY(w->commands()->trigger(QStringLiteral("actionDeleteKey")));
        WorkflowDialog *soft = dialogIn(*w, WorkflowDialog::Mode::Plan);
        QVERIFY(soft);
        QVERIFY(soft->currentPlan()->typedName.isEmpty()); // a soft delete can be undone
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        QTest::mouseClick(soft->confirmButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(soft->mode(), WorkflowDialog::Mode::Finished, 60000);
        QVERIFY2(soft->record() && soft->record()->state == RunState::Done,
                 qPrintable(soft->message()));
        QPointer<WorkflowDialog> softGone(soft);
        soft->close();
        QTRY_VERIFY(!softGone);
        const Rows softDeleted = rows(kek);
        QVERIFY(softDeleted.value(v1).deleted);

        // The navigator was reloaded: v1 shows as deleted, so only the permanent delete and the
        // undelete apply to it now.
        QVERIFY(select(*w, node));
        QTRY_VERIFY(enabled(*w, "actionDeleteKeyPermanently"));
        QVERIFY(!enabled(*w, "actionDeleteKey"));
        QVERIFY(w->commands()->trigger(QStringLiteral("actionDeleteKeyPermanently")));
        // Soft-deleted just now, i.e. within the grace period: refused, with the override.
        WorkflowDialog *dialog = dialogIn(*w, WorkflowDialog::Mode::Refused);
        QVERIFY(dialog);
        QVERIFY2(dialog->message().contains(QLatin1String("grace")), qPrintable(dialog->message()));
        QVERIFY(dialog->confirmButton()->isHidden());
        QVERIFY(dialog->overrideButton()->isVisible());
        QTest::mouseClick(dialog->overrideButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->mode(), WorkflowDialog::Mode::Plan, 60000);
        const workflows::Plan plan = *dialog->currentPlan();
        QVERIFY(plan.graceOverridden);
        QVERIFY(plan.unrecoverable);

        // The admin cancels the confirmation: the plan stays, nothing changes.
        ConfirmationDialog::resetTestSeam();
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Cancelled);
        QTest::mouseClick(dialog->confirmButton(), Qt::LeftButton);
        QTRY_VERIFY(ConfirmationDialog::lastRequest());
        QCOMPARE(ConfirmationDialog::lastRequest()->typedName, subject);
        QVERIFY(!ConfirmationDialog::lastRequest()->secondWarning.isEmpty());
        QCOMPARE(ConfirmationDialog::lastRequest()->verb, plan.verb);
        QCOMPARE(dialog->mode(), WorkflowDialog::Mode::Plan);
        QCOMPARE(rows(kek), softDeleted);

        ConfirmationDialog::resetTestSeam();
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        QTest::mouseClick(dialog->confirmButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->mode(), WorkflowDialog::Mode::Finished, 60000);
        QCOMPARE(ConfirmationDialog::lastRequest()->typedName, subject);
        QCOMPARE(ConfirmationDialog::lastRequest()->secondWarning, plan.secondWarning);
        QVERIFY2(dialog->record() && dialog->record()->state == RunState::Done,
                 qPrintable(dialog->message()));

        Rows expected = softDeleted;
        expected.remove(v1);
        QCOMPARE(rows(kek), expected);
        QVERIFY(!dek(kek, subject, 1, QStringLiteral("AES256_GCM"), true));
    }

    void withoutAnAuditLogTheRunStopsAndIsOfferedForResume()
    {
        const QString kek = QStringLiteral("payments-pci");
        auto w = window(false);
        QVERIFY(w);
        QVERIFY(!w->auditLog());
        QVERIFY(select(*w, {QStringLiteral("keys"), kek}));
        const Rows before = rows(kek);
        QVERIFY(w->commands()->trigger(QStringLiteral("actionRewrapDeks")));
        WorkflowDialog *dialog = dialogIn(*w, WorkflowDialog::Mode::Plan);
        QVERIFY(dialog);
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        QTest::mouseClick(dialog->confirmButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->mode(), WorkflowDialog::Mode::Finished, 60000);
        QVERIFY(dialog->record());
        QVERIFY(dialog->record()->isUnfinished());
        QVERIFY2(dialog->message().contains(QLatin1String("audit")), qPrintable(dialog->message()));
        QVERIFY(dialog->resumeButton()->isVisible());
        const qint64 runId = dialog->record()->id;
        w.reset();

        // A new window on the same registry offers the run; Resume (with the log now open)
        // finishes it in the dialog's run mode.
        auto again = window();
        QVERIFY(again);
        UnfinishedRunsBanner *banner = again->unfinishedRunsBanner();
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 30000);
        QCOMPARE(banner->runs().constFirst().id, runId);
        QVERIFY2(banner->text().startsWith(QLatin1String("1 unfinished workflow: Rewrap")),
                 qPrintable(banner->text()));
        QTest::mouseClick(banner->findChild<QPushButton *>(QStringLiteral("unfinishedRunsResume")),
                          Qt::LeftButton);
        WorkflowDialog *resumed = dialogIn(*again, WorkflowDialog::Mode::Finished);
        QVERIFY(resumed);
        QVERIFY2(resumed->record() && resumed->record()->state == RunState::Done,
                 qPrintable(resumed->message()));
        QCOMPARE(resumed->record()->id, runId);
        QTRY_VERIFY(banner->isHidden());
        // Shared KEK: the registry rewrapped every row in place.
        const Rows after = rows(kek);
        QCOMPARE(after.keys(), before.keys());
        for (auto it = before.cbegin(); it != before.cend(); ++it)
            QCOMPARE(after.value(it.key()).deleted, it->deleted);
    }
};

QTEST_MAIN(TestWorkflowDialog)
#include "tst_workflowdialog.moc"
