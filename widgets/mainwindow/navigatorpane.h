#pragma once
// The navigator pane: filter box, Show-deleted toggle, busy bar and the lazy Keys/Schemas
// tree. Reloads (F5, Show deleted, reconnect-free refresh) keep the expanded nodes and the
// selection wherever they still exist once their parents have loaded again.

#include <QModelIndex>
#include <QSet>
#include <QStringList>
#include <QWidget>

#include <memory>

class QCheckBox;
class QLineEdit;
class QProgressBar;
class QTreeView;

namespace kw {

class NavigatorFilterProxy;
class NavigatorModel;
class NavigatorSource;

class NavigatorPane final : public QWidget
{
    Q_OBJECT

public:
    explicit NavigatorPane(QWidget *parent = nullptr);
    ~NavigatorPane() override;

    // A new connection (nullptr: none). Both sections are expanded, so KEKs and subjects
    // start loading at once.
    void setSource(std::shared_ptr<NavigatorSource> source);
    // Reload everything, keeping expansion and selection.
    void refresh();
    void setShowDeleted(bool show);
    [[nodiscard]] bool showDeleted() const;

    [[nodiscard]] NavigatorModel *model() const { return m_model; }
    [[nodiscard]] QTreeView *view() const { return m_view; }
    [[nodiscard]] QLineEdit *filterEdit() const { return m_filter; }
    [[nodiscard]] QCheckBox *showDeletedBox() const { return m_showDeleted; }
    // The current node as a NavigatorModel index (invalid when nothing is selected).
    [[nodiscard]] QModelIndex currentSourceIndex() const;
    // Selects (and scrolls to) a loaded node.
    bool selectPath(const QStringList &path);
    // Selects the node at `path`, expanding and loading its ancestors as they arrive (a DEK
    // version picked elsewhere, e.g. in the Rotation view).
    void revealPath(const QStringList &path);

Q_SIGNALS:
    void currentChanged(const QModelIndex &sourceIndex);
    void showDeletedToggled(bool show);

private:
    void rememberState();
    void restoreInto(const QModelIndex &sourceParent, int first, int last);
    void onExpanded(const QModelIndex &proxyIndex);
    void onFilterChanged(const QString &text);
    void updateBusy();

    NavigatorModel *m_model = nullptr;
    NavigatorFilterProxy *m_proxy = nullptr;
    QLineEdit *m_filter = nullptr;
    QCheckBox *m_showDeleted = nullptr;
    QProgressBar *m_busy = nullptr;
    QTreeView *m_view = nullptr;
    // Paths (joined keys) waiting to be expanded / selected when their rows arrive again.
    QSet<QString> m_pendingExpand;
    QString m_pendingSelect;
};

} // namespace kw
