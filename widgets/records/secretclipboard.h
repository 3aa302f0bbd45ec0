#pragma once
// Puts revealed values on the clipboard marked as secrets (clipboard managers that honour
// "x-kde-passwordManagerHint" keep them out of their history) and clears them after a while,
// unless the user has copied something else since.

#include <QMimeData>
#include <QObject>
#include <QString>
#include <QTimer>

namespace kw::records {

class SecretClipboard final : public QObject
{
    Q_OBJECT

public:
    static constexpr int DefaultClearMs = 30000;

    explicit SecretClipboard(QObject *parent = nullptr);

    // Copies `text` as a secret and arms the clear timer.
    void copy(const QString &text);
    // The MIME data copy() uses; for widgets that build their own (QPlainTextEdit's copy()).
    static QMimeData *secretMimeData(const QString &text);
    // Arms the clear timer for `text`, already on the clipboard.
    void armClear(const QString &text);

    void setClearIntervalMs(int ms) { m_timer.setInterval(ms); }
    [[nodiscard]] int clearIntervalMs() const { return m_timer.interval(); }

Q_SIGNALS:
    void cleared();

private:
    void clearIfOurs();

    QTimer m_timer;
    QString m_copied;
};

} // namespace kw::records
