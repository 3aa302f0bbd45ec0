#pragma once
// The detail pane for one KEK: its fields, its KMS key's state as the KMS reports it, KMS
// properties, how many DEK subjects it wraps and which schema versions name it in their
// encryption rules. Loads asynchronously.

#include "core/census/censustally.h"
#include "core/domain/registrytypes.h"
#include "core/kms/kms.h"
#include "widgets/details/detailwidgets.h"

#include <QFuture>
#include <QWidget>

#include <functional>
#include <memory>

class QLabel;
class QProgressBar;
class QStackedWidget;
class QTableWidget;

namespace kw {

namespace registry {
class DekRegistryClient;
class SchemaRegistryClient;
} // namespace registry

namespace details {
class PaneMessageBar;
}

class KekDetailPane final : public QWidget
{
    Q_OBJECT

public:
    explicit KekDetailPane(QWidget *parent = nullptr);
    ~KekDetailPane() override;

    void setClients(std::shared_ptr<registry::DekRegistryClient> keys,
                    std::shared_ptr<registry::SchemaRegistryClient> schemas);
    // Asks the KEK's KMS for its key's state (services::Connection::kmsKeyState); empty: the
    // state rows say there is no connection to ask with.
    using KeyStateSource =
        std::function<QFuture<Result<kms::KmsKeyState>>(const registry::Kek &kek)>;
    void setKeyStateSource(KeyStateSource source);
    // Starts loading; an answer for an earlier selection that arrives later is dropped.
    void showKek(const QString &kekName, bool includeDeleted);
    void clear();
    // What the census counted (null: no census yet), summed for the KEK on display.
    void setCensus(std::shared_ptr<const census::Tally> tally);

Q_SIGNALS:
    // The user opened one of the schema versions listed as naming this KEK.
    void schemaActivated(const QString &subject, int version);

private:
    void resetFields();
    void showKeyState(const Result<kms::KmsKeyState> &state);
    void updateCensus();

    std::shared_ptr<registry::DekRegistryClient> m_keys;
    std::shared_ptr<registry::SchemaRegistryClient> m_schemas;
    QString m_kekName;
    bool m_includeDeleted = false;

    QProgressBar *m_busy;
    details::PaneMessageBar *m_message;
    details::LoadTracker m_load;
    QStackedWidget *m_stack;
    QLabel *m_placeholder;
    QLabel *m_name;
    QLabel *m_kmsType;
    QLabel *m_kmsKeyId;
    QLabel *m_keyState;
    QLabel *m_keyRotation;
    KeyStateSource m_keyStateSource;
    QLabel *m_doc;
    QLabel *m_shared;
    QLabel *m_deleted;
    QLabel *m_created;
    QLabel *m_dekSubjects;
    QLabel *m_encryptions;
    std::shared_ptr<const census::Tally> m_census;
    QTableWidget *m_kmsProps;
    QLabel *m_usageSummary;
    QTableWidget *m_usage;
};

} // namespace kw
