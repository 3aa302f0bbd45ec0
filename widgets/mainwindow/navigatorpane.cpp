#include "widgets/mainwindow/navigatorpane.h"

#include "models/navigator/navigatorfilterproxy.h"
#include "models/navigator/navigatormodel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QProgressBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace kw {

namespace {

const QChar kPathSeparator(0x1f);

// Expanding this many partial matches is plenty to show what the filter found; more would make
// typing in a 10,000-KEK estate sluggish.
constexpr int kMaxFilterExpansions = 200;

} // namespace

NavigatorPane::NavigatorPane(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("navigatorPane"));
    m_model = new NavigatorModel(this);
    m_proxy = new NavigatorFilterProxy(this);
    m_proxy->setSourceModel(m_model);

    m_showDeleted = new QCheckBox(tr("Show deleted"), this);
    m_showDeleted->setObjectName(QStringLiteral("showDeletedCheck"));
    m_showDeleted->setToolTip(tr("Also list soft-deleted KEKs, DEKs and schema versions "
                                 "(Ctrl+Shift+D)"));
    connect(m_showDeleted, &QCheckBox::toggled, this, [this](bool on) {
        if (on != m_model->showDeleted())
            setShowDeleted(on);
    });

    m_busy = new QProgressBar(this);
    m_busy->setObjectName(QStringLiteral("navigatorBusy"));
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setMaximumHeight(6);
    m_busy->setToolTip(tr("Loading from the registry…"));
    m_busy->hide();

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("navigatorFilter"));
    m_filter->setPlaceholderText(tr("Filter keys and subjects (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, &NavigatorPane::onFilterChanged);

    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("navigatorView"));
    m_view->setModel(m_proxy);
    m_view->setHeaderHidden(true);
    // Uniform heights let the view skip measuring 10,000 rows.
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                Q_EMIT currentChanged(m_proxy->mapToSource(current));
            });
    connect(m_view, &QTreeView::expanded, this, &NavigatorPane::onExpanded);

    connect(m_model, &QAbstractItemModel::rowsInserted, this, &NavigatorPane::restoreInto);
    connect(m_model, &QAbstractItemModel::modelReset, this,
            [this] { restoreInto({}, 0, m_model->rowCount() - 1); });
    connect(m_model, &NavigatorModel::loadingChanged, this, [this](bool loading) {
        updateBusy();
        if (loading)
            return;
        // Everything that was going to come back has: forget what no longer exists.
        m_pendingExpand.clear();
        if (!m_pendingSelect.isEmpty()) {
            m_pendingSelect.clear();
            Q_EMIT currentChanged(currentSourceIndex());
        }
    });

    auto *header = new QHBoxLayout;
    header->setContentsMargins(0, 0, 0, 0);
    header->addWidget(m_showDeleted);
    header->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(header);
    layout->addWidget(m_filter);
    layout->addWidget(m_busy);
    layout->addWidget(m_view, 1);
    setTabOrder(m_showDeleted, m_filter);
    setTabOrder(m_filter, m_view);
}

NavigatorPane::~NavigatorPane() = default;

void NavigatorPane::setSource(std::shared_ptr<NavigatorSource> source)
{
    m_pendingExpand = {QStringLiteral("keys"), QStringLiteral("schemas")};
    m_pendingSelect.clear();
    m_model->setSource(std::move(source));
    updateBusy();
}

void NavigatorPane::refresh()
{
    rememberState();
    m_model->reload();
    updateBusy();
}

void NavigatorPane::setShowDeleted(bool show)
{
    if (show == m_model->showDeleted())
        return;
    rememberState();
    m_model->setShowDeleted(show);
    {
        const QSignalBlocker blocker(m_showDeleted);
        m_showDeleted->setChecked(show);
    }
    updateBusy();
    Q_EMIT showDeletedToggled(show);
}

bool NavigatorPane::showDeleted() const
{
    return m_model->showDeleted();
}

QModelIndex NavigatorPane::currentSourceIndex() const
{
    return m_proxy->mapToSource(m_view->currentIndex());
}

bool NavigatorPane::selectPath(const QStringList &path)
{
    const QModelIndex index = m_proxy->mapFromSource(m_model->indexOfPath(path));
    if (!index.isValid())
        return false;
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index);
    return true;
}

void NavigatorPane::revealPath(const QStringList &path)
{
    if (selectPath(path))
        return;
    // Ancestors already loaded are expanded (and load their children) now; the others when
    // they arrive (restoreInto); the node itself is selected when it arrives.
    for (qsizetype n = 1; n < path.size(); ++n) {
        const QStringList prefix = path.first(n);
        const QModelIndex source = m_model->indexOfPath(prefix);
        if (!source.isValid()) {
            m_pendingExpand.insert(prefix.join(kPathSeparator));
            continue;
        }
        const QModelIndex index = m_proxy->mapFromSource(source);
        if (index.isValid())
            m_view->expand(index);
        if (m_model->canFetchMore(source))
            m_model->fetchMore(source);
    }
    m_pendingSelect = path.join(kPathSeparator);
}

void NavigatorPane::rememberState()
{
    m_pendingExpand.clear();
    const std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        for (int r = 0, n = m_proxy->rowCount(parent); r < n; ++r) {
            const QModelIndex index = m_proxy->index(r, 0, parent);
            if (!m_view->isExpanded(index))
                continue;
            m_pendingExpand.insert(
                m_model->pathOf(m_proxy->mapToSource(index)).join(kPathSeparator));
            walk(index);
        }
    };
    walk({});
    m_pendingSelect = m_model->pathOf(currentSourceIndex()).join(kPathSeparator);
}

void NavigatorPane::restoreInto(const QModelIndex &sourceParent, int first, int last)
{
    if (m_pendingExpand.isEmpty() && m_pendingSelect.isEmpty())
        return;
    for (int r = first; r <= last; ++r) {
        const QModelIndex source = m_model->index(r, 0, sourceParent);
        const QString key = m_model->pathOf(source).join(kPathSeparator);
        if (m_pendingExpand.remove(key)) {
            const QModelIndex index = m_proxy->mapFromSource(source);
            if (index.isValid())
                m_view->expand(index);
            m_model->fetchMore(source); // also when the filter hides it for now
        }
        if (!m_pendingSelect.isEmpty() && key == m_pendingSelect) {
            m_pendingSelect.clear();
            const QModelIndex index = m_proxy->mapFromSource(source);
            if (index.isValid()) {
                m_view->setCurrentIndex(index);
                m_view->scrollTo(index);
            }
        }
    }
}

void NavigatorPane::onExpanded(const QModelIndex &proxyIndex)
{
    const QModelIndex source = m_proxy->mapToSource(proxyIndex);
    if (m_model->canFetchMore(source))
        m_model->fetchMore(source);
    else
        m_model->retry(source); // a failed load is tried again when its node is re-expanded
}

void NavigatorPane::onFilterChanged(const QString &text)
{
    m_proxy->setFilterText(text);
    if (text.trimmed().isEmpty())
        return;
    // Open the nodes that are only shown because something below them matches.
    int expanded = 0;
    for (int s = 0; s < m_proxy->rowCount(); ++s) {
        const QModelIndex section = m_proxy->index(s, 0);
        m_view->expand(section);
        for (int r = 0, n = m_proxy->rowCount(section); r < n && expanded < kMaxFilterExpansions;
             ++r) {
            const QModelIndex child = m_proxy->index(r, 0, section);
            const QString name = child.data(NavigatorModel::FilterRole).toString();
            if (!name.contains(text.trimmed(), Qt::CaseInsensitive) &&
                m_proxy->rowCount(child) > 0) {
                m_view->expand(child);
                ++expanded;
            }
        }
    }
}

void NavigatorPane::updateBusy()
{
    m_busy->setVisible(m_model->isLoading());
}

} // namespace kw
