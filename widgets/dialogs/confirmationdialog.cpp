#include "widgets/dialogs/confirmationdialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QStackedWidget>
#include <QStyle>
#include <QVBoxLayout>

#include <deque>

namespace kw {

namespace {

// The test seam's state; only ever touched from the GUI thread.
std::deque<ConfirmationDialog::Answer> &queuedAnswers()
{
    static std::deque<ConfirmationDialog::Answer> answers;
    return answers;
}

std::optional<ConfirmationRequest> &lastAsked()
{
    static std::optional<ConfirmationRequest> request;
    return request;
}

// Registry names and ids reach these labels: never let them turn into rich text.
QLabel *plainLabel(const QString &text, const QString &objectName)
{
    auto *label = new QLabel(text);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QWidget *withIcon(QStyle::StandardPixmap icon, QWidget *content, QWidget *parent)
{
    auto *row = new QWidget(parent);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *iconLabel = new QLabel(row);
    const int size = row->style()->pixelMetric(QStyle::PM_MessageBoxIconSize);
    iconLabel->setPixmap(row->style()->standardIcon(icon).pixmap(size, size));
    iconLabel->setAlignment(Qt::AlignTop);
    layout->addWidget(iconLabel);
    layout->addWidget(content, 1);
    return row;
}

} // namespace

ConfirmationDialog::ConfirmationDialog(ConfirmationRequest request, QWidget *parent)
    : QDialog(parent)
    , m_request(std::move(request))
{
    setObjectName(QStringLiteral("confirmationDialog"));
    setWindowTitle(m_request.title);
    buildUi();
    connect(this, &QDialog::finished, this,
            [this](int result) { Q_EMIT answered(result == QDialog::Accepted); });
}

ConfirmationDialog::~ConfirmationDialog() = default;

void ConfirmationDialog::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    m_pages = new QStackedWidget(this);
    m_pages->setObjectName(QStringLiteral("confirmationPages"));

    auto *firstLayout = new QVBoxLayout;
    firstLayout->setContentsMargins(0, 0, 0, 0);
    firstLayout->addWidget(plainLabel(m_request.question, QStringLiteral("confirmQuestion")));
    if (!m_request.affected.isEmpty()) {
        firstLayout->addWidget(plainLabel(m_request.affectedHeading.isEmpty()
                                              ? tr("This also affects:")
                                              : m_request.affectedHeading,
                                          QStringLiteral("confirmAffectedHeading")));
        auto *list = new QListWidget;
        list->setObjectName(QStringLiteral("confirmAffected"));
        list->addItems(m_request.affected);
        list->setSelectionMode(QAbstractItemView::NoSelection);
        list->setFocusPolicy(Qt::NoFocus);
        firstLayout->addWidget(list);
    }
    if (!m_request.typedName.isEmpty()) {
        firstLayout->addWidget(plainLabel(tr("Type %1 to confirm:").arg(m_request.typedName),
                                          QStringLiteral("confirmTypedPrompt")));
        m_typed = new QLineEdit;
        m_typed->setObjectName(QStringLiteral("confirmTypedName"));
        connect(m_typed, &QLineEdit::textChanged, this, &ConfirmationDialog::updateConfirmEnabled);
        firstLayout->addWidget(m_typed);
    }
    auto *firstContent = new QWidget;
    firstContent->setLayout(firstLayout);
    auto *firstPage = withIcon(QStyle::SP_MessageBoxWarning, firstContent, m_pages);
    m_pages->addWidget(firstPage);

    if (!m_request.secondWarning.isEmpty()) {
        auto *warning = plainLabel(m_request.secondWarning, QStringLiteral("confirmSecondWarning"));
        m_pages->addWidget(withIcon(QStyle::SP_MessageBoxCritical, warning, m_pages));
    }
    layout->addWidget(m_pages);

    auto *buttons = new QDialogButtonBox(this);
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("confirmCancel"));
    m_confirm = buttons->addButton(m_request.verb, QDialogButtonBox::AcceptRole);
    m_confirm->setObjectName(QStringLiteral("confirmButton"));
    // Enter must never confirm: Cancel is the default and the verb button never becomes one.
    m_confirm->setAutoDefault(false);
    m_cancel->setDefault(true);
    connect(m_cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_confirm, &QPushButton::clicked, this, &ConfirmationDialog::confirmClicked);
    layout->addWidget(buttons);
    m_cancel->setFocus();
    updateConfirmEnabled();
}

bool ConfirmationDialog::showsSecondWarning() const
{
    return m_pages->currentIndex() == 1;
}

void ConfirmationDialog::updateConfirmEnabled()
{
    m_confirm->setEnabled(!m_typed || m_typed->text() == m_request.typedName);
}

void ConfirmationDialog::confirmClicked()
{
    if (!m_confirm->isEnabled())
        return;
    if (m_pages->count() > 1 && m_pages->currentIndex() == 0) {
        m_pages->setCurrentIndex(1);
        m_confirm->setText(tr("%1 anyway").arg(m_request.verb));
        m_cancel->setDefault(true);
        m_cancel->setFocus();
        return;
    }
    accept();
}

void ConfirmationDialog::ask(QWidget *parent, const ConfirmationRequest &request, QObject *context,
                             std::function<void(bool confirmed)> onAnswer)
{
    lastAsked() = request;
    if (!queuedAnswers().empty()) {
        const bool confirmed = queuedAnswers().front() == Answer::Confirmed;
        queuedAnswers().pop_front();
        QMetaObject::invokeMethod(
            context, [onAnswer = std::move(onAnswer), confirmed] { onAnswer(confirmed); },
            Qt::QueuedConnection);
        return;
    }
    auto *dialog = new ConfirmationDialog(request, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(parent ? Qt::WindowModal : Qt::ApplicationModal);
    connect(dialog, &ConfirmationDialog::answered, context,
            [onAnswer = std::move(onAnswer)](bool confirmed) { onAnswer(confirmed); });
    dialog->open();
}

void ConfirmationDialog::setNextAnswer(Answer answer)
{
    queuedAnswers().push_back(answer);
}

std::optional<ConfirmationRequest> ConfirmationDialog::lastRequest()
{
    return lastAsked();
}

void ConfirmationDialog::resetTestSeam()
{
    queuedAnswers().clear();
    lastAsked().reset();
}

} // namespace kw
