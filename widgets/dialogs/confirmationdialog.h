#pragma once
// The one way a destructive action asks the admin: the verb on the button, Cancel as the
// default, everything else that goes with it listed, optionally the object's name typed back
// and a second warning when the damage cannot be undone. Asked without a nested event loop.

#include <QDialog>
#include <QStringList>

#include <functional>
#include <optional>

class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace kw {

struct ConfirmationRequest
{
    QString title;    // window title, e.g. "Delete profile"
    QString question; // what will happen, e.g. "Delete the connection profile 'dev'?"
    QString verb;     // the confirming button's text, e.g. "Delete profile"; never "OK"
    // Everything else the action touches, one line each; shown as a list when not empty.
    QStringList affected;
    QString affectedHeading; // above the list; default "This also affects:"
    // When set, the confirming button stays disabled until exactly this is typed.
    QString typedName;
    // When set, the first click shows this warning on a page of its own and asks again.
    QString secondWarning;
};

class ConfirmationDialog final : public QDialog
{
    Q_OBJECT

public:
    enum class Answer
    {
        Confirmed,
        Cancelled
    };

    explicit ConfirmationDialog(ConfirmationRequest request, QWidget *parent = nullptr);
    ~ConfirmationDialog() override;

    // Opens a window-modal dialog over `parent` and returns at once; `onAnswer` runs once, in
    // the GUI thread, with true only when the admin went through every step. Nothing runs when
    // `context` is destroyed first. The dialog deletes itself.
    static void ask(QWidget *parent, const ConfirmationRequest &request, QObject *context,
                    std::function<void(bool confirmed)> onAnswer);

    // Test seam: the next ask() shows nothing and answers `answer` once control returns to the
    // event loop. Answers queue up in order; lastRequest() is what the last ask() asked.
    static void setNextAnswer(Answer answer);
    static std::optional<ConfirmationRequest> lastRequest();
    static void resetTestSeam();

    [[nodiscard]] const ConfirmationRequest &request() const { return m_request; }
    [[nodiscard]] bool showsSecondWarning() const;

Q_SIGNALS:
    // Emitted once, when the dialog closes.
    void answered(bool confirmed);

private:
    void buildUi();
    void confirmClicked();
    void updateConfirmEnabled();

    ConfirmationRequest m_request;
    QStackedWidget *m_pages = nullptr;
    QLineEdit *m_typed = nullptr;
    QPushButton *m_confirm = nullptr;
    QPushButton *m_cancel = nullptr;
};

} // namespace kw
