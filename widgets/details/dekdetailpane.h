#pragma once
// The detail pane for one DEK version: its fields, age, a fingerprint of the wrapped key
// material (never key bytes) and the rotation due date from the rules that use it.

#include "core/census/schedule.h"
#include "widgets/details/detailwidgets.h"

#include <QWidget>

#include <memory>

class QLabel;
class QProgressBar;
class QStackedWidget;

namespace kw {

class Clock;

namespace registry {
class DekRegistryClient;
class SchemaRegistryClient;
} // namespace registry

namespace details {
class PaneMessageBar;
}

class DekDetailPane final : public QWidget
{
    Q_OBJECT

public:
    explicit DekDetailPane(QWidget *parent = nullptr);
    ~DekDetailPane() override;

    void setClients(std::shared_ptr<registry::DekRegistryClient> keys,
                    std::shared_ptr<registry::SchemaRegistryClient> schemas);
    // Ages and due dates are computed against this clock (the system clock by default); it
    // must outlive the pane. Takes effect with the next showDek().
    void setClock(const Clock *clock);
    // version -1: the latest version. Starts loading; an answer for an earlier selection that
    // arrives later is dropped.
    void showDek(const QString &kekName, const QString &subject, int version,
                 const QString &algorithm, bool includeDeleted);
    void clear();
    // What the census counted (null: no census yet), shown for the DEK on display.
    void setCensus(std::shared_ptr<const census::Tally> tally, const census::Policy &policy);

private:
    struct Request
    {
        QString kekName;
        QString subject;
        int version = -1;
        QString algorithm;
        bool includeDeleted = false;
    };

    void resetFields();
    // Fills the due date once both the DEK and the schemas have answered.
    void updateRotation();
    void updateCensus();

    std::shared_ptr<registry::DekRegistryClient> m_keys;
    std::shared_ptr<registry::SchemaRegistryClient> m_schemas;
    const Clock *m_clock;
    Request m_request;
    qint64 m_dekTs = -1;   // -1 until the DEK has answered
    int m_expiryDays = -1; // -1 until the schemas have answered
    QString m_expirySource;

    QProgressBar *m_busy;
    details::PaneMessageBar *m_message;
    details::LoadTracker m_load;
    QStackedWidget *m_stack;
    QLabel *m_placeholder;
    QLabel *m_kek;
    QLabel *m_subject;
    QLabel *m_version;
    QLabel *m_algorithm;
    QLabel *m_created;
    QLabel *m_age;
    QLabel *m_deleted;
    QLabel *m_fingerprint;
    QLabel *m_expiry;
    QLabel *m_due;
    QLabel *m_encryptions;
    std::shared_ptr<const census::Tally> m_census;
    census::Policy m_policy;
    int m_shownVersion = -1;
    QString m_shownAlgorithm;
};

} // namespace kw
