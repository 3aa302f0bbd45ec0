#pragma once
// The main window's permanent status bar widgets: a busy indicator (the demo sandbox
// starting), the KMS and DEK cache figures of the last fetch, the open connection, and when
// the navigator was last refreshed. The window tells it what happened; it words it.

#include <QObject>

class QLabel;
class QProgressBar;
class QStatusBar;

namespace kw {

namespace services {
class Connection;
}

class ConnectionStatus final : public QObject
{
    Q_OBJECT

public:
    // Adds its widgets to `bar` (objectNames statusBusy, statusKmsUnwraps, statusConnection,
    // statusRefresh). `demo`: the window was started to show the embedded sandbox.
    ConnectionStatus(QStatusBar *bar, bool demo);

    // Connected (the connection's summary, its details as the tooltip, "Loading…" until the
    // first refresh) or not (null).
    void setConnection(const services::Connection *connection);
    // The navigator finished loading (while connected).
    void setRefreshed();
    // The Records tab's figures after a fetch; empty clears them.
    void setRecordsFigures(const QString &text);

    void showDemoStarting();
    void showDemoReady();
    void showDemoFailed();

private:
    QProgressBar *m_busy = nullptr;
    QLabel *m_records = nullptr;
    QLabel *m_connection = nullptr;
    QLabel *m_refresh = nullptr;
};

} // namespace kw
