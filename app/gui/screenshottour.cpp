#include "screenshottour.h"

#include "models/audit/auditlogmodel.h"
#include "models/navigator/navigatormodel.h"
#include "models/records/recordsmodel.h"
#include "models/rotation/schedulemodel.h"
#include "widgets/audit/audittab.h"
#include "widgets/commands/command.h"
#include "widgets/details/kekdetailpane.h"
#include "widgets/mainwindow/detailarea.h"
#include "widgets/mainwindow/kekkeyflags.h"
#include "widgets/mainwindow/mainwindow.h"
#include "widgets/mainwindow/navigatorpane.h"
#include "widgets/records/recordsview.h"
#include "widgets/report/reportdialog.h"
#include "widgets/rotation/rotationtab.h"
#include "widgets/rotation/rotationview.h"
#include "widgets/workflows/workflowdialog.h"

#include <QAbstractProxyModel>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QTreeWidget>

#include <cstdio>
#include <memory>

namespace kw {

namespace {

constexpr int PollMs = 100;
constexpr int StepTimeoutMs = 60000;

QModelIndex viewIndex(MainWindow *w, const QStringList &path)
{
    NavigatorPane *pane = w->navigatorPane();
    auto *proxy = qobject_cast<QAbstractProxyModel *>(pane->view()->model());
    const QModelIndex source = pane->model()->indexOfPath(path);
    return proxy ? proxy->mapFromSource(source) : source;
}

// Expands `path` in the tree; true once its node exists (children then load lazily).
bool expand(MainWindow *w, const QStringList &path)
{
    const QModelIndex index = viewIndex(w, path);
    if (!index.isValid())
        return false;
    w->navigatorPane()->view()->expand(index);
    return true;
}

// The KEK pane shows `kek` with its KMS key's state and rotation answered, and the
// navigator has its flags for every KEK asked so far.
bool kekKeyStateShown(MainWindow *w, const QString &kek)
{
    auto *pane = w->detailArea()->kekPane();
    auto *name = pane->findChild<QLabel *>(QStringLiteral("kekName"));
    auto *state = pane->findChild<QLabel *>(QStringLiteral("kekKeyState"));
    return pane->isVisible() && name && state && name->text() == kek &&
           !state->text().contains(QStringLiteral("asking")) && w->kekKeyFlags()->pending() == 0;
}

} // namespace

ScreenshotTour::ScreenshotTour(MainWindow *window, QString directory, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_directory(std::move(directory))
{
    MainWindow *w = m_window;
    auto select = [w](const QStringList &path) {
        return w->navigatorPane()->selectPath(path);
    };
    const QStringList kek{QStringLiteral("keys"), QStringLiteral("retail-pii")};
    const QStringList dekSubject = kek + QStringList{QStringLiteral("customers-value")};
    const QStringList schema{QStringLiteral("schemas"), QStringLiteral("customers-value")};
    auto reveals = std::make_shared<int>(0);
    auto reveal = [w](int row) {
        auto *table = w->recordsView()->findChild<QTableView *>(QStringLiteral("recordsTable"));
        table->selectRow(row);
        w->recordsView()->commands()->trigger(QStringLiteral("actionRevealRecord"));
    };
    m_steps = {
        {QStringLiteral("the demo estate is connected"), [w] { return w->isConnected(); }, {}, {}},
        {QStringLiteral("KEKs listed"),
         [w, kek] { return expand(w, {QStringLiteral("keys")}) && viewIndex(w, kek).isValid(); },
         [w, kek, select] {
             expand(w, kek);
             select(kek);
         },
         {}},
        {QStringLiteral("KEK detail"),
         [w, dekSubject] { return expand(w, dekSubject); },
         {},
         QStringLiteral("keywarden-kek.png")},
        // A cloud KEK whose key rotates by itself, then one whose key is scheduled for
        // destruction: the KMS key state rows filled from the sandbox's doubles.
        {QStringLiteral("AWS KEK listed"),
         [w] {
             return viewIndex(w, {QStringLiteral("keys"), QStringLiteral("treasury-aws")})
                 .isValid();
         },
         [select] {
             select({QStringLiteral("keys"), QStringLiteral("treasury-aws")});
         },
         {}},
        {QStringLiteral("AWS key state shown"),
         [w] { return kekKeyStateShown(w, QStringLiteral("treasury-aws")); },
         {},
         QStringLiteral("keywarden-kek-aws.png")},
        {QStringLiteral("GCP archive KEK listed"),
         [w] {
             return viewIndex(w, {QStringLiteral("keys"), QStringLiteral("analytics-gcp-archive")})
                 .isValid();
         },
         [select] {
             select({QStringLiteral("keys"), QStringLiteral("analytics-gcp-archive")});
         },
         {}},
        {QStringLiteral("GCP key state shown"),
         [w] { return kekKeyStateShown(w, QStringLiteral("analytics-gcp-archive")); },
         {},
         QStringLiteral("keywarden-kek-gcp.png")},
        {QStringLiteral("DEK versions listed"),
         [w, dekSubject] {
             return w->navigatorPane()->model()->rowCount(
                        w->navigatorPane()->model()->indexOfPath(dekSubject)) >= 6;
         },
         [w, dekSubject, select] {
             select(dekSubject + QStringList{QStringLiteral("6/AES256_GCM")});
         },
         QStringLiteral("keywarden-dek.png")},
        {QStringLiteral("schema subject listed"),
         [w, schema] {
             return expand(w, {QStringLiteral("schemas")}) && viewIndex(w, schema).isValid();
         },
         [select, schema] { select(schema); }, QStringLiteral("keywarden-schema.png")},
        {QStringLiteral("records view ready"),
         [w] {
             auto *view = w->recordsView();
             if (!view)
                 return false;
             auto *topic = view->findChild<QComboBox *>(QStringLiteral("recordsTopicCombo"));
             return topic && topic->findText(QStringLiteral("customers"), Qt::MatchStartsWith) >= 0;
         },
         [w] {
             w->tabs()->setCurrentIndex(1);
             auto *topic =
                 w->recordsView()->findChild<QComboBox *>(QStringLiteral("recordsTopicCombo"));
             topic->setCurrentIndex(
                 topic->findText(QStringLiteral("customers"), Qt::MatchStartsWith));
         },
         {}},
        {QStringLiteral("fetch enabled"),
         [w] {
             auto *fetch =
                 w->recordsView()->findChild<QPushButton *>(QStringLiteral("recordsFetchButton"));
             return fetch && fetch->isEnabled();
         },
         [w] { w->recordsView()->fetch(); },
         {}},
        {QStringLiteral("records fetched"),
         [w] {
             return !w->recordsView()->isFetching() && w->recordsView()->model()->rowCount() > 0;
         },
         [w] {
             auto *table =
                 w->recordsView()->findChild<QTableView *>(QStringLiteral("recordsTable"));
             if (table)
                 table->selectRow(0);
         },
         QStringLiteral("keywarden-records.png")},
        // A Protobuf topic: the same preview, decoded with the registry's .proto.
        {QStringLiteral("protobuf topic listed"),
         [w] {
             auto *topic =
                 w->recordsView()->findChild<QComboBox *>(QStringLiteral("recordsTopicCombo"));
             return topic &&
                    topic->findText(QStringLiteral("atm-withdrawals"), Qt::MatchStartsWith) >= 0;
         },
         [w] {
             auto *topic =
                 w->recordsView()->findChild<QComboBox *>(QStringLiteral("recordsTopicCombo"));
             topic->setCurrentIndex(
                 topic->findText(QStringLiteral("atm-withdrawals"), Qt::MatchStartsWith));
             w->recordsView()->fetch();
         },
         {}},
        {QStringLiteral("protobuf records fetched"),
         [w] {
             return !w->recordsView()->isFetching() && w->recordsView()->model()->rowCount() > 0;
         },
         [w] {
             auto *table =
                 w->recordsView()->findChild<QTableView *>(QStringLiteral("recordsTable"));
             if (table)
                 table->selectRow(0);
         },
         QStringLiteral("keywarden-records-protobuf.png")},
        {QStringLiteral("rotation schedule loaded"),
         [w] {
             auto *view = w->rotationTab()->view();
             return view && !view->isBusy() && view->outcome().has_value();
         },
         [w] {
             w->tabs()->setCurrentIndex(2);
             w->rotationTab()->view()->runCensus();
         },
         {}},
        {QStringLiteral("census counted"),
         [w] {
             auto *view = w->rotationTab()->view();
             return !view->isBusy() && view->outcome() && !view->outcome()->tally.isEmpty();
         },
         [w] {
             // The DEK with the most versions shows the per-version chart best.
             auto *view = w->rotationTab()->view();
             int best = 0;
             for (int r = 0; r < view->table()->model()->rowCount(); ++r) {
                 const auto *row = view->model()->rowAt(r);
                 if (row && row->versions.size() > view->model()->rowAt(best)->versions.size())
                     best = r;
             }
             view->table()->selectRow(best);
         },
         QStringLiteral("keywarden-rotation.png")},
        // A rewrap of one subject's DEKs, planned with the census just taken: the steps and
        // the blast radius with the topic's counts.
        {QStringLiteral("back on the DEK subject"),
         [w, dekSubject] { return viewIndex(w, dekSubject).isValid(); },
         [w, dekSubject, select] {
             w->tabs()->setCurrentIndex(0);
             select(dekSubject);
             w->commands()->trigger(QStringLiteral("actionRewrapDeks"));
         },
         {}},
        {QStringLiteral("workflow planned"),
         [w] {
             auto *dialog = w->findChild<WorkflowDialog *>();
             return dialog && dialog->mode() == WorkflowDialog::Mode::Plan;
         },
         [w] {
             auto *dialog = w->findChild<WorkflowDialog *>();
             dialog->resize(1100, 700);
             if (dialog->stepsTree()->topLevelItemCount() > 0)
                 dialog->stepsTree()->expandItem(dialog->stepsTree()->topLevelItem(0));
         },
         QStringLiteral("keywarden-workflow.png"),
         [w]() -> QWidget * {
             return w->findChild<WorkflowDialog *>();
         }},
        // Three reveals (each audited before it shows), then the Audit tab with the chain
        // verified.
        {QStringLiteral("workflow dialog closed"),
         [w] { return w->recordsView() != nullptr; },
         [w, reveals, reveal] {
             if (auto *dialog = w->findChild<WorkflowDialog *>())
                 dialog->reject();
             w->tabs()->setCurrentIndex(1);
             QObject::connect(w->recordsView(), &records::RecordsView::revealed, w->recordsView(),
                              [reveals] { ++*reveals; });
             reveal(0);
         },
         {}},
        {QStringLiteral("first reveal audited"),
         [reveals] { return *reveals >= 1; },
         [reveal] { reveal(2); },
         {}},
        {QStringLiteral("second reveal audited"),
         [reveals] { return *reveals >= 2; },
         [reveal] { reveal(5); },
         {}},
        {QStringLiteral("third reveal audited"),
         [reveals] { return *reveals >= 3; },
         [w] {
             w->tabs()->setCurrentIndex(w->tabs()->indexOf(w->auditTab()));
             w->auditTab()->verifyChain();
         },
         {}},
        {QStringLiteral("audit chain verified"),
         [w] { return !w->auditTab()->isVerifying() && w->auditTab()->model()->rowCount() >= 3; },
         {},
         QStringLiteral("keywarden-audit.png")},
        // File > Export compliance report…, before it runs.
        {QStringLiteral("report dialog"), [] { return true; },
         [w] {
             if (auto *dialog = w->exportReport())
                 dialog->setOpenWhenDone(false);
         },
         QStringLiteral("keywarden-report-dialog.png"),
         [w]() -> QWidget * {
             return w->findChild<reportui::ReportDialog *>();
         }},
    };
}

void ScreenshotTour::start()
{
    QDir().mkpath(m_directory);
    next();
}

void ScreenshotTour::next()
{
    ++m_current;
    m_waitedMs = 0;
    if (m_current >= m_steps.size()) {
        Q_EMIT finished(true);
        return;
    }
    poll();
}

void ScreenshotTour::poll()
{
    const Step &step = m_steps[m_current];
    if (!step.ready()) {
        m_waitedMs += PollMs;
        if (m_waitedMs > StepTimeoutMs) {
            std::fprintf(stderr, "keywarden: screenshot tour stopped: %s did not happen\n",
                         qPrintable(step.what));
            Q_EMIT finished(false);
            return;
        }
        QTimer::singleShot(PollMs, this, &ScreenshotTour::poll);
        return;
    }
    if (step.action)
        step.action();
    if (step.file.isEmpty()) {
        QTimer::singleShot(0, this, &ScreenshotTour::next);
        return;
    }
    // Let loads started by the action land and the panes paint before the picture.
    QTimer::singleShot(1500, this, [this, file = step.file, target = step.target] {
        const QString path = QDir(m_directory).filePath(file);
        QWidget *shown = target ? target() : nullptr;
        if (!(shown ? shown->grab() : m_window->grab()).save(path)) {
            std::fprintf(stderr, "keywarden: could not write %s\n", qPrintable(path));
            Q_EMIT finished(false);
            return;
        }
        std::printf("%s\n", qPrintable(path));
        std::fflush(stdout);
        next();
    });
}

} // namespace kw
