#pragma once
// The detail pane for one schema version: identity, the highlighted schema text, its rules,
// the tagged fields with the KEK that protects each, references and metadata.

#include "core/serde/fieldvisit.h"
#include "widgets/details/detailwidgets.h"

#include <QWidget>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QStackedWidget;
class QTableView;
class QTableWidget;

namespace kw {

class RuleTableModel;

namespace registry {
class DekRegistryClient;
class SchemaRegistryClient;
struct Schema;
} // namespace registry

namespace details {
class PaneMessageBar;
}

class SchemaDetailPane final : public QWidget
{
    Q_OBJECT

public:
    explicit SchemaDetailPane(QWidget *parent = nullptr);
    ~SchemaDetailPane() override;

    void setClients(std::shared_ptr<registry::DekRegistryClient> keys,
                    std::shared_ptr<registry::SchemaRegistryClient> schemas);
    // version -1: the latest version. Starts loading; an answer for an earlier selection that
    // arrives later is dropped.
    void showSchema(const QString &subject, int version, bool includeDeleted);
    void clear();

Q_SIGNALS:
    // The user opened the KEK that protects a tagged field.
    void kekActivated(const QString &kekName);

private:
    void resetFields();
    void showLoadedSchema(quint64 job, const registry::Schema &schema);
    void fetchReferencesThenAnalyse(quint64 job, const registry::Schema &schema);
    void analyse(quint64 job, const registry::Schema &schema,
                 const QList<serde::NamedSchema> &references);

    std::shared_ptr<registry::DekRegistryClient> m_keys;
    std::shared_ptr<registry::SchemaRegistryClient> m_schemas;
    QString m_subject;
    int m_requestedVersion = -1;
    bool m_includeDeleted = false;

    QProgressBar *m_busy;
    details::PaneMessageBar *m_message;
    details::LoadTracker m_load;
    QStackedWidget *m_stack;
    QLabel *m_placeholder;
    QLabel *m_subjectLabel;
    QLabel *m_version;
    QLabel *m_id;
    QLabel *m_guid;
    QLabel *m_type;
    QLabel *m_deleted;
    QLabel *m_created;
    QPlainTextEdit *m_text;
    RuleTableModel *m_rulesModel;
    QTableView *m_rules;
    QLabel *m_fieldsSummary;
    QTableWidget *m_fields;
    QTableWidget *m_references;
    QTableWidget *m_properties;
    QTableWidget *m_metadataTags;
    QLabel *m_sensitive;
};

} // namespace kw
