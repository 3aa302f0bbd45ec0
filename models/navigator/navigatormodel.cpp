#include "models/navigator/navigatormodel.h"

#include "core/domain/displaytext.h"
#include "core/domain/futurewatch.h"

#include <QColor>
#include <QFont>
#include <QGuiApplication>
#include <QIcon>
#include <QPalette>

namespace kw {

struct NavigatorModel::Node
{
    Kind kind = Kind::Section;
    Section section = Section::Keys;
    Node *parent = nullptr;
    int row = 0;
    QString kek;  // KEK of DEK nodes
    QString name; // KEK name or subject
    int version = -1;
    QString algorithm;
    bool deleted = false;
    QString text; // placeholder or error message
    LoadState state = LoadState::NotLoaded;
    int fetched = 0; // KEK rows received so far: the next page's offset
    std::vector<std::unique_ptr<Node>> children;

    [[nodiscard]] bool expandable() const
    {
        return kind == Kind::Section || kind == Kind::Kek || kind == Kind::DekSubject ||
               kind == Kind::SchemaSubject;
    }
    [[nodiscard]] bool hasPlaceholder() const
    {
        return !children.empty() &&
               (children.back()->kind == Kind::Loading || children.back()->kind == Kind::Error);
    }
};

NavigatorModel::NavigatorModel(QObject *parent)
    : QAbstractItemModel(parent)
{
    buildSections();
}

NavigatorModel::~NavigatorModel() = default;

void NavigatorModel::buildSections()
{
    m_sections.clear();
    for (Section s : {Section::Keys, Section::Schemas}) {
        auto node = std::make_unique<Node>();
        node->kind = Kind::Section;
        node->section = s;
        node->row = int(m_sections.size());
        m_sections.push_back(std::move(node));
    }
}

void NavigatorModel::setSource(std::shared_ptr<NavigatorSource> source)
{
    m_source = std::move(source);
    m_keyFlags.clear(); // another registry's KEKs of the same name are other keys
    reload();
}

void NavigatorModel::setShowDeleted(bool show)
{
    if (m_showDeleted == show)
        return;
    m_showDeleted = show;
    reload();
}

void NavigatorModel::setKekPageSizes(int first, int rest)
{
    m_firstPage = qMax(1, first);
    m_nextPages = qMax(1, rest);
}

void NavigatorModel::reload()
{
    const bool wasLoading = isLoading();
    beginResetModel();
    // Loads in flight answer into nothing: their job ids are forgotten here.
    m_jobs.clear();
    buildSections();
    endResetModel();
    if (wasLoading)
        Q_EMIT loadingChanged(false);
}

bool NavigatorModel::retry(const QModelIndex &index)
{
    Node *node = nodeOf(index);
    if (node && (node->kind == Kind::Error || node->kind == Kind::Loading))
        node = node->parent;
    if (!node || node->state != LoadState::Failed)
        return false;
    removeChildren(node);
    node->state = LoadState::NotLoaded;
    node->fetched = 0;
    startLoad(node);
    return true;
}

NavigatorModel::Node *NavigatorModel::nodeOf(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    return static_cast<Node *>(index.internalPointer());
}

QModelIndex NavigatorModel::indexOf(const Node *node) const
{
    if (!node)
        return {};
    return createIndex(node->row, 0, const_cast<Node *>(node));
}

QModelIndex NavigatorModel::sectionIndex(Section section) const
{
    return indexOf(m_sections.at(size_t(section)).get());
}

QModelIndex NavigatorModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column != 0 || row < 0)
        return {};
    if (!parent.isValid())
        return row < int(m_sections.size()) ? indexOf(m_sections.at(size_t(row)).get())
                                            : QModelIndex();
    const Node *p = nodeOf(parent);
    if (!p || parent.column() != 0 || row >= int(p->children.size()))
        return {};
    return indexOf(p->children.at(size_t(row)).get());
}

QModelIndex NavigatorModel::parent(const QModelIndex &child) const
{
    const Node *node = nodeOf(child);
    return node ? indexOf(node->parent) : QModelIndex();
}

int NavigatorModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_sections.size());
    if (parent.column() != 0)
        return 0;
    const Node *node = nodeOf(parent);
    return node ? int(node->children.size()) : 0;
}

int NavigatorModel::columnCount(const QModelIndex &) const
{
    return 1;
}

bool NavigatorModel::hasChildren(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return true;
    const Node *node = nodeOf(parent);
    if (!node || parent.column() != 0 || !node->expandable())
        return false;
    if (!node->children.empty())
        return true;
    return m_source && node->state != LoadState::Loaded;
}

bool NavigatorModel::canFetchMore(const QModelIndex &parent) const
{
    const Node *node = nodeOf(parent);
    return m_source && node && node->expandable() && node->state == LoadState::NotLoaded;
}

void NavigatorModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        startLoad(nodeOf(parent));
}

void NavigatorModel::startLoad(Node *node)
{
    node->state = LoadState::Loading;
    const bool wasLoading = isLoading();
    const quint64 job = m_nextJob++;
    m_jobs.insert(job, node);
    if (!wasLoading)
        Q_EMIT loadingChanged(true);
    // Rows change on the next turn of the event loop, not inside fetchMore(): views and
    // proxies call fetchMore() while they handle other model signals (a reset, an insert).
    QMetaObject::invokeMethod(
        this,
        [this, job] {
            Node *node = m_jobs.value(job);
            if (!node)
                return; // reloaded or removed meanwhile
            insertPlaceholder(node);
            requestPage(node, job);
        },
        Qt::QueuedConnection);
}

void NavigatorModel::insertPlaceholder(Node *node)
{
    auto placeholder = std::make_unique<Node>();
    placeholder->kind = Kind::Loading;
    placeholder->parent = node;
    placeholder->text = tr("Loading…");
    placeholder->row = int(node->children.size());
    beginInsertRows(indexOf(node), placeholder->row, placeholder->row);
    node->children.push_back(std::move(placeholder));
    endInsertRows();
}

void NavigatorModel::requestPage(Node *node, quint64 job)
{
    QFuture<Result<NavigatorItems>> future;
    bool paged = false;
    int limit = 0;
    switch (node->kind) {
    case Kind::Section:
        if (node->section == Section::Keys) {
            paged = true;
            limit = node->fetched == 0 ? m_firstPage : m_nextPages;
            future = m_source->keks(node->fetched, limit, m_showDeleted);
        } else {
            future = m_source->schemaSubjects(m_showDeleted);
        }
        break;
    case Kind::Kek:
        future = m_source->dekSubjects(node->name, m_showDeleted);
        break;
    case Kind::DekSubject:
        future = m_source->dekVersions(node->kek, node->name, m_showDeleted);
        break;
    case Kind::SchemaSubject:
        future = m_source->schemaVersions(node->name, m_showDeleted);
        break;
    default:
        return;
    }
    kw::whenFinished(future, this, [this, job, paged, limit](Result<NavigatorItems> result) {
        onLoaded(job, std::move(result), paged, limit);
    });
}

void NavigatorModel::onLoaded(quint64 job, Result<NavigatorItems> result, bool paged, int requested)
{
    Node *node = m_jobs.value(job);
    if (!node)
        return; // dropped by a reload or a new connection
    if (!result) {
        Node *placeholder = node->children.back().get();
        placeholder->kind = Kind::Error;
        placeholder->text =
            result.error().message.isEmpty() ? result.error().code : result.error().message;
        node->state = LoadState::Failed;
        const QModelIndex at = indexOf(placeholder);
        Q_EMIT dataChanged(at, at);
        setJobDone(job);
        Q_EMIT nodeLoaded(indexOf(node), placeholder->text);
        return;
    }
    const NavigatorItems &items = *result;
    appendChildren(node, items, true);
    if (paged) {
        node->fetched += int(items.size());
        if (items.size() >= requested) {
            requestPage(node, job); // rows so far stay visible while the next page comes
            return;
        }
    }
    const int last = int(node->children.size()) - 1;
    beginRemoveRows(indexOf(node), last, last);
    node->children.pop_back();
    endRemoveRows();
    node->state = LoadState::Loaded;
    setJobDone(job);
    Q_EMIT nodeLoaded(indexOf(node), QString());
}

void NavigatorModel::appendChildren(Node *node, const NavigatorItems &items, bool beforePlaceholder)
{
    if (items.isEmpty())
        return;
    const bool shift = beforePlaceholder && node->hasPlaceholder();
    const int first = int(node->children.size()) - (shift ? 1 : 0);
    const int count = int(items.size());
    std::vector<std::unique_ptr<Node>> added;
    added.reserve(size_t(count));
    for (int i = 0; i < count; ++i) {
        const NavigatorItem &item = items.at(i);
        auto child = std::make_unique<Node>();
        child->parent = node;
        child->row = first + i;
        child->deleted = item.deleted;
        switch (node->kind) {
        case Kind::Section:
            child->kind = node->section == Section::Keys ? Kind::Kek : Kind::SchemaSubject;
            child->section = node->section;
            child->name = item.name;
            child->kek = child->kind == Kind::Kek ? item.name : QString();
            break;
        case Kind::Kek:
            child->kind = Kind::DekSubject;
            child->kek = node->name;
            child->name = item.name;
            break;
        case Kind::DekSubject:
            child->kind = Kind::DekVersion;
            child->kek = node->kek;
            child->name = node->name;
            child->version = item.version;
            child->algorithm = item.algorithm;
            break;
        case Kind::SchemaSubject:
            child->kind = Kind::SchemaVersion;
            child->section = Section::Schemas;
            child->name = node->name;
            child->version = item.version;
            break;
        default:
            return;
        }
        added.push_back(std::move(child));
    }
    // One insert per page: views and proxies handle a block far faster than single rows.
    beginInsertRows(indexOf(node), first, first + count - 1);
    node->children.insert(node->children.begin() + first, std::make_move_iterator(added.begin()),
                          std::make_move_iterator(added.end()));
    if (shift)
        node->children.back()->row = int(node->children.size()) - 1;
    endInsertRows();
}

void NavigatorModel::removeChildren(Node *node)
{
    if (node->children.empty())
        return;
    forgetJobs(node);
    beginRemoveRows(indexOf(node), 0, int(node->children.size()) - 1);
    node->children.clear();
    endRemoveRows();
}

void NavigatorModel::forgetJobs(const Node *node)
{
    const bool wasLoading = isLoading();
    for (auto it = m_jobs.begin(); it != m_jobs.end();) {
        const Node *n = it.value();
        while (n && n != node)
            n = n->parent;
        it = n ? m_jobs.erase(it) : std::next(it);
    }
    if (wasLoading && !isLoading())
        Q_EMIT loadingChanged(false);
}

void NavigatorModel::setJobDone(quint64 job)
{
    if (m_jobs.remove(job) && m_jobs.isEmpty())
        Q_EMIT loadingChanged(false);
}

QString NavigatorModel::keyOf(const Node *node)
{
    switch (node->kind) {
    case Kind::Section:
        return node->section == Section::Keys ? QStringLiteral("keys") : QStringLiteral("schemas");
    case Kind::Kek:
    case Kind::DekSubject:
    case Kind::SchemaSubject:
        return node->name;
    case Kind::DekVersion:
        return QString::number(node->version) + QLatin1Char('/') + node->algorithm;
    case Kind::SchemaVersion:
        return QString::number(node->version);
    case Kind::Loading:
        return QStringLiteral("#loading");
    case Kind::Error:
        return QStringLiteral("#error");
    }
    return {};
}

QStringList NavigatorModel::pathOf(const QModelIndex &index) const
{
    QStringList path;
    for (const Node *node = nodeOf(index); node; node = node->parent)
        path.prepend(keyOf(node));
    return path;
}

QModelIndex NavigatorModel::indexOfPath(const QStringList &path) const
{
    const Node *node = nullptr;
    for (const QString &key : path) {
        const auto &level = node ? node->children : m_sections;
        const auto it = std::find_if(level.cbegin(), level.cend(),
                                     [&](const auto &child) { return keyOf(child.get()) == key; });
        if (it == level.cend())
            return {};
        node = it->get();
    }
    return indexOf(node);
}

QVariant NavigatorModel::data(const QModelIndex &index, int role) const
{
    const Node *node = nodeOf(index);
    if (!node)
        return {};
    const QString deletedSuffix = node->deleted ? tr(" (deleted)") : QString();
    switch (role) {
    case Qt::DisplayRole:
        switch (node->kind) {
        case Kind::Section:
            return node->section == Section::Keys ? tr("Keys") : tr("Schemas");
        case Kind::Kek:
            if (const auto flag = m_keyFlags.constFind(node->name); flag != m_keyFlags.cend())
                return QString(displaySafe(node->name) + deletedSuffix + QStringLiteral(" — ") +
                               flag->flag);
            [[fallthrough]];
        case Kind::DekSubject:
        case Kind::SchemaSubject:
            // Names are the registry's: shown with their control characters escaped.
            return QString(displaySafe(node->name) + deletedSuffix);
        case Kind::DekVersion:
            return QString(tr("v%1 · %2").arg(node->version).arg(displaySafe(node->algorithm)) +
                           deletedSuffix);
        case Kind::SchemaVersion:
            return QString(tr("v%1").arg(node->version) + deletedSuffix);
        case Kind::Loading:
        case Kind::Error:
            return displaySafe(node->text);
        }
        return {};
    case Qt::ToolTipRole:
        switch (node->kind) {
        case Kind::Section:
            return node->section == Section::Keys
                       ? tr("Key encryption keys (KEKs) and the data encryption keys (DEKs) "
                            "they wrap")
                       : tr("Schema Registry subjects and the encryption rules of their "
                            "versions");
        case Kind::Error:
            return tr("%1\nPress F5, or collapse and expand the parent, to try again.")
                .arg(displaySafe(node->text));
        case Kind::Kek:
            if (const auto flag = m_keyFlags.constFind(node->name); flag != m_keyFlags.cend())
                return tr("%1: %2\nIts DEKs cannot be unwrapped while the key stays so; "
                          "records encrypted under it are lost once the key is deleted.")
                    .arg(flag->flag, flag->details);
            return node->deleted ? tr("Soft-deleted: shown because Show Deleted is on")
                                 : QVariant();
        case Kind::DekVersion:
            return tr("DEK version %1 of %2 under KEK %3, %4%5")
                .arg(node->version)
                .arg(displaySafe(node->name), displaySafe(node->kek), displaySafe(node->algorithm),
                     deletedSuffix);
        default:
            return node->deleted ? tr("Soft-deleted: shown because Show Deleted is on")
                                 : QVariant();
        }
    case Qt::DecorationRole:
        switch (node->kind) {
        case Kind::Section:
            return QIcon(node->section == Section::Keys ? QStringLiteral(":/icons/key.svg")
                                                        : QStringLiteral(":/icons/schema.svg"));
        case Kind::Kek:
            return QIcon(m_keyFlags.contains(node->name) ? QStringLiteral(":/icons/error.svg")
                                                         : QStringLiteral(":/icons/kek.svg"));
        case Kind::DekSubject:
            return QIcon(QStringLiteral(":/icons/dek.svg"));
        case Kind::DekVersion:
        case Kind::SchemaVersion:
            return QIcon(QStringLiteral(":/icons/version.svg"));
        case Kind::SchemaSubject:
            return QIcon(QStringLiteral(":/icons/schema.svg"));
        case Kind::Loading:
            return QIcon(QStringLiteral(":/icons/loading.svg"));
        case Kind::Error:
            return QIcon(QStringLiteral(":/icons/error.svg"));
        }
        return {};
    case Qt::FontRole:
        if (node->deleted || node->kind == Kind::Loading) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (node->deleted || node->kind == Kind::Loading)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        if (node->kind == Kind::Error ||
            (node->kind == Kind::Kek && m_keyFlags.contains(node->name)))
            return QColor(0xc0, 0x39, 0x2b);
        return {};
    case Qt::AccessibleDescriptionRole:
        if (node->kind == Kind::Kek && m_keyFlags.contains(node->name))
            return m_keyFlags.value(node->name).flag;
        return node->deleted ? tr("deleted") : QVariant();
    case KeyRevokedRole:
        return node->kind == Kind::Kek && m_keyFlags.contains(node->name);
    case SectionRole:
        return int(node->section);
    case KindRole:
        return int(node->kind);
    case KekNameRole:
        return node->kek;
    case SubjectRole:
        return node->kind == Kind::DekSubject || node->kind == Kind::DekVersion ||
                       node->kind == Kind::SchemaSubject || node->kind == Kind::SchemaVersion
                   ? node->name
                   : QString();
    case VersionRole:
        return node->version;
    case AlgorithmRole:
        return node->algorithm;
    case DeletedRole:
        return node->deleted;
    case FilterRole:
        return node->kind == Kind::Kek || node->kind == Kind::DekSubject ||
                       node->kind == Kind::SchemaSubject
                   ? node->name
                   : QString();
    default:
        return {};
    }
}

void NavigatorModel::setKekKeyFlag(const QString &kek, const QString &flag, const QString &details)
{
    const bool had = m_keyFlags.contains(kek);
    if (flag.isEmpty()) {
        if (!had)
            return;
        m_keyFlags.remove(kek);
    } else {
        // Texts come from a KMS: shown with their control characters escaped.
        m_keyFlags.insert(kek, KeyFlag{displaySafe(flag), displaySafe(details)});
    }
    if (m_sections.empty())
        return;
    const Node *keys = m_sections.front().get();
    for (const auto &child : keys->children) {
        if (child->kind == Kind::Kek && child->name == kek) {
            const QModelIndex index = indexOf(child.get());
            Q_EMIT dataChanged(index, index);
        }
    }
}

QString NavigatorModel::kekKeyFlag(const QString &kek) const
{
    return m_keyFlags.value(kek).flag;
}

QVariant NavigatorModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && section == 0 && role == Qt::DisplayRole)
        return tr("Name");
    return {};
}

QHash<int, QByteArray> NavigatorModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(KindRole, "kind");
    names.insert(KekNameRole, "kekName");
    names.insert(SubjectRole, "subject");
    names.insert(VersionRole, "version");
    names.insert(AlgorithmRole, "algorithm");
    names.insert(DeletedRole, "deleted");
    return names;
}

} // namespace kw
