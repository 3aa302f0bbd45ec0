#pragma once
// Flags revoked keys in the navigator: as KEK rows load, asks each KEK's KMS for its key's
// state (services::Connection::kmsKeyState, a few KEKs at a time) and marks the KEKs whose key
// is disabled, pending deletion or destroyed, so an admin sees at a glance which KEKs no
// client can unwrap with. KEKs whose KMS cannot be asked (no settings, unreachable, a type
// without key states) are left unmarked: the KEK pane says why.

#include <QObject>
#include <QSet>
#include <QStringList>

#include <memory>

namespace kw::services {
class Connection;
}

namespace kw {

class NavigatorModel;

class KekKeyFlags final : public QObject
{
    Q_OBJECT

public:
    explicit KekKeyFlags(NavigatorModel *model, QObject *parent = nullptr);
    ~KekKeyFlags() override;

    // The connection to ask through; nullptr stops asking. Answers for an earlier connection
    // are dropped.
    void setConnection(std::shared_ptr<services::Connection> connection);

    // KEKs asked at once.
    static constexpr int MaxInFlight = 4;

    // KEKs waiting or being asked (tests wait for 0).
    [[nodiscard]] int pending() const { return int(m_queue.size()) + m_inFlight; }

Q_SIGNALS:
    void idle(); // every KEK listed so far has been asked

private:
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void pump();
    void ask(const QString &kek);
    void answered(quint64 generation, const QString &kek);

    NavigatorModel *m_model;
    std::shared_ptr<services::Connection> m_connection;
    quint64 m_generation = 0;
    QStringList m_queue;
    QSet<QString> m_waiting; // in m_queue or in flight
    int m_inFlight = 0;
};

} // namespace kw
