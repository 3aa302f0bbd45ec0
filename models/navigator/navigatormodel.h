#pragma once
// The navigator's tree: Keys (KEK -> DEK subject -> versions with their algorithm) and Schemas
// (subject -> versions), loaded lazily and asynchronously from a NavigatorSource. A node that
// is loading shows a "Loading…" child; a failed load shows its error as a child row.

#include "models/navigator/navigatorsource.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace kw {

class NavigatorModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum class Section
    {
        Keys,
        Schemas
    };
    enum class Kind
    {
        Section,
        Kek,
        DekSubject,
        DekVersion,
        SchemaSubject,
        SchemaVersion,
        Loading,
        Error,
    };
    enum Role
    {
        SectionRole = Qt::UserRole + 1,
        KindRole,      // int(Kind)
        KekNameRole,   // KEK of a KEK, DEK subject or DEK version node
        SubjectRole,   // subject of DEK and schema nodes
        VersionRole,   // version of version nodes, -1 otherwise
        AlgorithmRole, // DEK versions only
        DeletedRole,
        FilterRole, // the name the filter matches; empty for rows that never match by themselves
        KeyRevokedRole, // KEKs only: its KMS key is disabled, pending deletion or destroyed
    };

    explicit NavigatorModel(QObject *parent = nullptr);
    ~NavigatorModel() override;

    // Drops every node and every load in flight; nullptr disconnects.
    void setSource(std::shared_ptr<NavigatorSource> source);
    [[nodiscard]] bool hasSource() const { return m_source != nullptr; }
    // Both reload the whole tree (nodes load again when expanded).
    void setShowDeleted(bool show);
    [[nodiscard]] bool showDeleted() const { return m_showDeleted; }
    void reload();
    // Loads a node's children again if its last load failed. True when a retry started.
    bool retry(const QModelIndex &index);
    // KEK pages: the first is small so the first rows show fast, the rest are larger.
    void setKekPageSizes(int first, int rest);

    // What the KEK's KMS says of its key, for the KEK's row: `flag` ("KMS key disabled") is
    // shown beside the name with a warning icon, `details` in its tooltip. An empty flag
    // clears it. Kept across reloads (the row gets it back when it loads again); dropped with
    // the source.
    void setKekKeyFlag(const QString &kek, const QString &flag, const QString &details);
    [[nodiscard]] QString kekKeyFlag(const QString &kek) const;

    [[nodiscard]] bool isLoading() const { return !m_jobs.isEmpty(); }

    // A node's identity across reloads: one key per level, e.g. {"keys", kek, subject,
    // "v3/AES256_GCM"}.
    [[nodiscard]] QStringList pathOf(const QModelIndex &index) const;
    // The loaded node at `path`, or invalid.
    [[nodiscard]] QModelIndex indexOfPath(const QStringList &path) const;
    [[nodiscard]] QModelIndex sectionIndex(Section section) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void loadingChanged(bool loading);
    // A node finished loading (all pages), or failed: `error` is empty on success.
    void nodeLoaded(const QModelIndex &index, const QString &error);

private:
    struct Node;
    enum class LoadState
    {
        NotLoaded,
        Loading,
        Loaded,
        Failed
    };

    Node *nodeOf(const QModelIndex &index) const;
    QModelIndex indexOf(const Node *node) const;
    void buildSections();
    void startLoad(Node *node);
    void insertPlaceholder(Node *node);
    void requestPage(Node *node, quint64 job);
    void onLoaded(quint64 job, Result<NavigatorItems> result, bool paged, int requested);
    void appendChildren(Node *node, const NavigatorItems &items, bool beforePlaceholder);
    void removeChildren(Node *node);
    void forgetJobs(const Node *node);
    void setJobDone(quint64 job);
    static QString keyOf(const Node *node);

    std::shared_ptr<NavigatorSource> m_source;
    std::vector<std::unique_ptr<Node>> m_sections;
    QHash<quint64, Node *> m_jobs;
    quint64 m_nextJob = 1;
    bool m_showDeleted = false;
    struct KeyFlag
    {
        QString flag;
        QString details;
    };
    QHash<QString, KeyFlag> m_keyFlags; // by KEK name
    int m_firstPage = 200;
    int m_nextPages = 2000;
};

} // namespace kw
