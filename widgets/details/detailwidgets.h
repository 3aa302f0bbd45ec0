#pragma once
// Building blocks shared by the detail panes: the inline message bar, the in-pane busy
// indicator, selectable value labels, read-only tables and timestamp formatting.

#include "core/domain/displaytext.h"

#include <QFrame>
#include <QString>
#include <QStringList>

class QFormLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableWidget;
class QVBoxLayout;

namespace kw::details {

// What failed and what to do next, shown inside the pane instead of a modal box. "Retry"
// re-runs the pane's last load.
class PaneMessageBar final : public QFrame
{
    Q_OBJECT

public:
    // Child object names are `prefix` + "Text" / "Retry"; the bar itself is named `prefix`.
    explicit PaneMessageBar(const QString &prefix, QWidget *parent = nullptr);

    // Shown as plain text, control characters escaped: messages quote server-provided names.
    void showError(const QString &text);
    void dismiss();
    [[nodiscard]] QString text() const;

Q_SIGNALS:
    void retryRequested();

private:
    QLabel *m_text;
    QPushButton *m_retry;
};

// What a detail pane is loading: each showX() starts a load made of a few answers (a ticket);
// answers of an older load are stale and dropped, the busy bar shows until the current load's
// last answer, and its errors are collected in the message bar.
class LoadTracker
{
public:
    // Both must outlive the tracker (they are the pane's children).
    LoadTracker(QProgressBar *busy, PaneMessageBar *message);

    // No load: answers on their way are stale, errors and the busy bar cleared.
    void reset();
    // Starts a load of `parts` answers; returns its ticket.
    [[nodiscard]] quint64 begin(int parts);
    [[nodiscard]] bool isCurrent(quint64 ticket) const { return ticket == m_ticket; }
    // One answer of `ticket`'s load arrived; the busy bar goes after the last one.
    void settle(quint64 ticket);
    // Shows or hides the busy bar for `ticket`'s load (for loads of unknown length).
    void setBusy(quint64 ticket, bool busy);
    // Adds a line to the message bar.
    void addError(const QString &text);
    [[nodiscard]] const QStringList &errors() const { return m_errors; }

private:
    QProgressBar *m_busy;
    PaneMessageBar *m_message;
    quint64 m_ticket = 0;
    int m_pending = 0;
    QStringList m_errors;
};

// The frame every detail pane shares: its busy bar and message bar above a stack that shows
// the placeholder (page 0) or the scrolling content (page 1). Returns the content widget and
// its column layout, for the pane to fill.
struct PaneFrame
{
    QWidget *content = nullptr;
    QVBoxLayout *column = nullptr;
};
PaneFrame buildPaneFrame(QWidget *pane, const QString &prefix, QProgressBar *busy,
                         PaneMessageBar *message, QStackedWidget *stack, QLabel *placeholder);

// An indeterminate progress bar that stays hidden while nothing loads.
QProgressBar *makeBusyBar(const QString &objectName, QWidget *parent);

// A plain-text value label whose text can be selected with mouse and keyboard (and so is a tab
// stop).
QLabel *makeValueLabel(const QString &objectName, QWidget *parent);

// Adds "caption: value" to a form and returns the value label.
QLabel *addFormRow(QFormLayout *form, const QString &caption, const QString &objectName);

// A read-only, row-selecting table with the given column titles.
QTableWidget *makeTable(const QString &objectName, const QStringList &headers, QWidget *parent);
// The role of a cell's text as the registry sent it. The cell shows it with control
// characters escaped (kw::displaySafe); code that acts on the value (opening a subject) reads
// this role instead of text().
inline constexpr int RawTextRole = Qt::UserRole + 1;
// Sets a read-only cell showing `text` display-safe; `data` goes to Qt::UserRole when valid.
void setCell(QTableWidget *table, int row, int column, const QString &text,
             const QVariant &data = {});
// `text` display-safe, as a tooltip that shows it as written: tooltips render anything that
// looks like markup, so such text is HTML-escaped.
QString plainToolTip(const QString &text);
// Sets a value label's text as plain text with control characters escaped: for text that came
// from a server or a record. Line breaks stay only in LineBreaks::Keep (a doc text).
void setValueText(QLabel *label, const QString &text, LineBreaks lineBreaks = LineBreaks::Escape);

// A section heading inside a pane.
QLabel *makeHeading(const QString &text, QWidget *parent);

// Local date-time for display, ISO 8601 UTC for the tooltip; "unknown" for 0.
QString localDateTime(qint64 msSinceEpoch);
QString isoUtc(qint64 msSinceEpoch);
void setTimestamp(QLabel *label, qint64 msSinceEpoch);

QString yesNo(bool value);
// "1 day", "12 days": English plurals without depending on a loaded translation.
QString dayCount(int days);

} // namespace kw::details
