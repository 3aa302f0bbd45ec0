#include "widgets/mainwindow/auditbanner.h"

#include "core/audit/auditlog.h"
#include "core/domain/futurewatch.h"
#include "widgets/dialogs/confirmationdialog.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace kw {

AuditBanner::AuditBanner(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("auditWarning"));
    setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(this);
    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("auditWarningText"));
    m_text->setTextFormat(Qt::PlainText); // it quotes paths and error texts
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_acknowledge = new QPushButton(tr("&Acknowledge"), this);
    m_acknowledge->setObjectName(QStringLiteral("auditAcknowledgeButton"));
    m_acknowledge->setToolTip(tr("Record in the audit log that you saw this problem, and "
                                 "allow reveals again"));
    connect(m_acknowledge, &QPushButton::clicked, this, &AuditBanner::acknowledge);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_acknowledge, 0, Qt::AlignTop);
    hide();
}

void AuditBanner::setAuditLog(std::shared_ptr<audit::AuditLog> log)
{
    m_audit = std::move(log);
    updateState();
}

void AuditBanner::updateState()
{
    if (!m_audit) {
        hide();
        return;
    }
    if (const auto &problem = m_audit->problem()) {
        m_text->setText(
            tr("The audit log does not verify, so values cannot be revealed (%1). %2 "
               "Acknowledging records this in the log and starts a new segment linked to the "
               "old one.")
                .arg(m_audit->keyingDescription(), problem->message));
        setProperty("severity", QStringLiteral("error"));
        setStyleSheet(QStringLiteral("background: #fde7e9; color: #8a0015;"));
        m_acknowledge->show();
        m_acknowledge->setEnabled(true);
        show();
    } else if (!m_audit->isKeyed()) {
        m_text->setText(
            tr("The audit log is %1. Reveals are recorded, but edits to the file cannot be "
               "told from genuine entries.")
                .arg(m_audit->keyingDescription()));
        setProperty("severity", QStringLiteral("warning"));
        setStyleSheet(QStringLiteral("background: #fff4ce; color: #5c4300;"));
        m_acknowledge->hide();
        show();
    } else {
        hide();
    }
}

void AuditBanner::acknowledge()
{
    if (!m_audit || !m_audit->problem())
        return;
    // Accepting a log that failed verification is the admin's decision on evidence: asked for
    // explicitly, with what it means, and recorded.
    ConfirmationRequest request;
    request.title = tr("Acknowledge the audit log problem");
    request.question = tr("The audit log does not verify: %1").arg(m_audit->problem()->message);
    request.verb = tr("Acknowledge");
    request.affectedHeading = tr("Acknowledging:");
    request.affected = {
        tr("records, under your account, that you saw this problem"),
        tr("starts a new segment of the log, linked to the old one, and allows reveals again"),
        tr("does not repair or hide the entries that failed: keep %1 as evidence")
            .arg(m_audit->path())};
    ConfirmationDialog::ask(this, request, this, [this](bool confirmed) {
        if (confirmed)
            recordAcknowledgement();
    });
}

void AuditBanner::recordAcknowledgement()
{
    if (!m_audit)
        return;
    m_acknowledge->setEnabled(false);
    whenFinished(
        m_audit->acknowledge(), this, [this](const Result<audit::AuditEntry> &acknowledged) {
            if (!acknowledged) {
                m_acknowledge->setEnabled(true);
                Q_EMIT message(tr("The acknowledgement was not recorded: %1")
                                   .arg(acknowledged.error().message));
                return;
            }
            Q_EMIT message(tr("Acknowledged in the audit log as entry #%1; reveals work again.")
                               .arg(acknowledged->id));
            updateState();
        });
}

} // namespace kw
