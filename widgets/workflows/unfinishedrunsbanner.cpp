#include "widgets/workflows/unfinishedrunsbanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace kw {

UnfinishedRunsBanner::UnfinishedRunsBanner(QWidget *parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("unfinishedRunsBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, QColor(0xfd, 0xf3, 0xd8));
    p.setColor(QPalette::WindowText, QColor(0x5a, 0x42, 0x00));
    setPalette(p);

    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("unfinishedRunsText"));
    m_text->setWordWrap(true);
    m_resume = new QPushButton(tr("Resume"), this);
    m_resume->setObjectName(QStringLiteral("unfinishedRunsResume"));
    m_show = new QPushButton(tr("Show"), this);
    m_show->setObjectName(QStringLiteral("unfinishedRunsShow"));
    connect(m_resume, &QPushButton::clicked, this, [this] {
        if (!m_runs.isEmpty())
            Q_EMIT resumeRequested(m_runs.constFirst());
    });
    connect(m_show, &QPushButton::clicked, this, [this] {
        if (!m_runs.isEmpty())
            Q_EMIT showRequested(m_runs.constFirst());
    });

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_resume);
    layout->addWidget(m_show);
    setVisible(false);
}

void UnfinishedRunsBanner::setRuns(const QList<workflows::RunRecord> &runs)
{
    m_runs = runs;
    if (runs.isEmpty()) {
        m_text->clear();
        setVisible(false);
        return;
    }
    const workflows::RunRecord &newest = runs.constFirst();
    const QString where =
        tr("%1 at step %2 of %3")
            .arg(newest.state == workflows::RunState::Failed ? tr("failed") : tr("stopped"))
            .arg(newest.stepsDone + 1)
            .arg(newest.plan.steps.size());
    m_text->setText(runs.size() == 1
                        ? tr("1 unfinished workflow: %1 — %2.").arg(newest.plan.title, where)
                        : tr("%1 unfinished workflows; the newest: %2 — %3.")
                              .arg(runs.size())
                              .arg(newest.plan.title, where));
    setVisible(true);
}

QString UnfinishedRunsBanner::text() const
{
    return m_text->text();
}

} // namespace kw
