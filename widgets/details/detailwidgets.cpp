#include "widgets/details/detailwidgets.h"

#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTextDocument>
#include <QVBoxLayout>

namespace kw::details {

PaneMessageBar::PaneMessageBar(const QString &prefix, QWidget *parent)
    : QFrame(parent)
    , m_text(new QLabel(this))
    , m_retry(new QPushButton(tr("Retry"), this))
{
    setObjectName(prefix);
    setFrameShape(QFrame::StyledPanel);
    // A tinted panel from the palette's own colours keeps the bar readable in dark themes.
    setAutoFillBackground(true);
    QPalette pal = palette();
    const QColor base = pal.color(QPalette::Window);
    const QColor warn(220, 60, 40);
    pal.setColor(QPalette::Window,
                 QColor((base.red() * 3 + warn.red()) / 4, (base.green() * 3 + warn.green()) / 4,
                        (base.blue() * 3 + warn.blue()) / 4));
    setPalette(pal);

    m_text->setObjectName(prefix + QStringLiteral("Text"));
    m_text->setTextFormat(Qt::PlainText);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_retry->setObjectName(prefix + QStringLiteral("Retry"));
    connect(m_retry, &QPushButton::clicked, this, &PaneMessageBar::retryRequested);

    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_retry, 0, Qt::AlignTop);
    hide();
}

void PaneMessageBar::showError(const QString &text)
{
    m_text->setText(displaySafe(text, LineBreaks::Keep));
    show();
}

void PaneMessageBar::dismiss()
{
    m_text->clear();
    hide();
}

QString PaneMessageBar::text() const
{
    return m_text->text();
}

QProgressBar *makeBusyBar(const QString &objectName, QWidget *parent)
{
    auto *bar = new QProgressBar(parent);
    bar->setObjectName(objectName);
    bar->setRange(0, 0);
    bar->setTextVisible(false);
    bar->setMaximumHeight(6);
    bar->hide();
    return bar;
}

QLabel *makeValueLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return label;
}

QLabel *addFormRow(QFormLayout *form, const QString &caption, const QString &objectName)
{
    QLabel *value = makeValueLabel(objectName, form->parentWidget());
    auto *captionLabel = new QLabel(caption, form->parentWidget());
    captionLabel->setBuddy(value);
    form->addRow(captionLabel, value);
    return value;
}

QTableWidget *makeTable(const QString &objectName, const QStringList &headers, QWidget *parent)
{
    auto *table = new QTableWidget(0, int(headers.size()), parent);
    table->setObjectName(objectName);
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setTabKeyNavigation(false); // Tab leaves the table, arrows move inside it
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setWordWrap(false);
    table->setMinimumHeight(90);
    return table;
}

void setCell(QTableWidget *table, int row, int column, const QString &text, const QVariant &data)
{
    const QString shown = displaySafe(text);
    auto *item = new QTableWidgetItem(shown);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setToolTip(plainToolTip(text));
    item->setData(RawTextRole, text);
    if (data.isValid())
        item->setData(Qt::UserRole, data);
    table->setItem(row, column, item);
}

QString plainToolTip(const QString &text)
{
    const QString shown = displaySafe(text, LineBreaks::Keep);
    return Qt::mightBeRichText(shown) ? Qt::convertFromPlainText(shown) : shown;
}

void setValueText(QLabel *label, const QString &text, LineBreaks lineBreaks)
{
    label->setTextFormat(Qt::PlainText);
    label->setText(displaySafe(text, lineBreaks));
}

QLabel *makeHeading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

QString localDateTime(qint64 msSinceEpoch)
{
    if (msSinceEpoch <= 0)
        return QObject::tr("unknown");
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toLocalTime(),
                              QLocale::ShortFormat);
}

QString isoUtc(qint64 msSinceEpoch)
{
    if (msSinceEpoch <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toUTC().toString(Qt::ISODateWithMs);
}

void setTimestamp(QLabel *label, qint64 msSinceEpoch)
{
    label->setText(localDateTime(msSinceEpoch));
    label->setToolTip(isoUtc(msSinceEpoch));
}

QString yesNo(bool value)
{
    return value ? QObject::tr("yes") : QObject::tr("no");
}

QString dayCount(int days)
{
    return days == 1 ? QObject::tr("1 day") : QObject::tr("%1 days").arg(days);
}

PaneFrame buildPaneFrame(QWidget *pane, const QString &prefix, QProgressBar *busy,
                         PaneMessageBar *message, QStackedWidget *stack, QLabel *placeholder)
{
    pane->setObjectName(prefix + QStringLiteral("Pane"));
    placeholder->setObjectName(prefix + QStringLiteral("Placeholder"));
    placeholder->setAlignment(Qt::AlignCenter);
    auto *scroll = new QScrollArea(stack);
    scroll->setObjectName(prefix + QStringLiteral("Scroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    PaneFrame frame;
    frame.content = new QWidget(scroll);
    frame.column = new QVBoxLayout(frame.content);
    scroll->setWidget(frame.content);
    stack->addWidget(placeholder);
    stack->addWidget(scroll);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(busy);
    layout->addWidget(message);
    layout->addWidget(stack, 1);
    return frame;
}

LoadTracker::LoadTracker(QProgressBar *busy, PaneMessageBar *message)
    : m_busy(busy)
    , m_message(message)
{}

void LoadTracker::reset()
{
    ++m_ticket;
    m_pending = 0;
    m_errors.clear();
    m_busy->hide();
    m_message->dismiss();
}

quint64 LoadTracker::begin(int parts)
{
    reset();
    m_pending = parts;
    m_busy->show();
    return m_ticket;
}

void LoadTracker::settle(quint64 ticket)
{
    if (isCurrent(ticket) && --m_pending <= 0)
        m_busy->hide();
}

void LoadTracker::setBusy(quint64 ticket, bool busy)
{
    if (isCurrent(ticket))
        m_busy->setVisible(busy);
}

void LoadTracker::addError(const QString &text)
{
    m_errors.append(text);
    m_message->showError(m_errors.join(QLatin1Char('\n')));
}

} // namespace kw::details
