#include "core/audit/auditanchor.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>

#include <algorithm>

namespace kw::audit {

namespace {

constexpr int AnchorVersion = 1;
// Entries read at a time: the walk never holds the whole log.
constexpr int PageSize = 2000;
const QByteArray HtmlMarker = QByteArrayLiteral("id=\"keywarden-audit-anchor\"");

Error unreadable(const QString &source, const QString &why)
{
    return makeError(QString(ErrorAnchorUnreadable),
                     QStringLiteral("%1 holds no audit anchor: %2. Give an anchor file "
                                    "(keywarden-cli audit anchor) or a JSON or HTML compliance "
                                    "report.")
                         .arg(source, why));
}

Error mismatch(const AuditAnchor &anchor, const QString &what)
{
    return makeError(
        QString(ErrorAnchorMismatch),
        QStringLiteral("The audit log no longer holds what the anchor of %1 covered (%2 entries, "
                       "up to entry #%3): %4 Keep the log and the anchor as evidence.")
            .arg(QDateTime::fromMSecsSinceEpoch(anchor.createdMs).toUTC().toString(Qt::ISODate))
            .arg(anchor.entries)
            .arg(anchor.lastId)
            .arg(what));
}

bool isHex(const QString &text, qsizetype size)
{
    if (text.size() != size)
        return false;
    for (const QChar c : text) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
              (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

} // namespace

QJsonObject AuditAnchor::toJson() const
{
    return {{QStringLiteral("format"), QString(Format)},
            {QStringLiteral("version"), AnchorVersion},
            {QStringLiteral("entries"), entries},
            {QStringLiteral("lastId"), lastId},
            {QStringLiteral("lastMac"), lastMac},
            {QStringLiteral("digest"), digest},
            {QStringLiteral("createdAt"),
             QDateTime::fromMSecsSinceEpoch(createdMs).toUTC().toString(Qt::ISODateWithMs)},
            {QStringLiteral("log"), logPath}};
}

Result<AuditAnchor> AuditAnchor::fromJson(const QJsonObject &object)
{
    return fromJson(object, QStringLiteral("The anchor"));
}

Result<AuditAnchor> AuditAnchor::fromJson(const QJsonObject &object, const QString &source)
{
    if (object.value(QStringLiteral("format")).toString() != Format)
        return unreadable(source, QStringLiteral("its \"format\" is not \"%1\"").arg(Format));
    if (object.value(QStringLiteral("version")).toInt() != AnchorVersion)
        return unreadable(source, QStringLiteral("its version %1 is not one this Keywarden reads")
                                      .arg(object.value(QStringLiteral("version")).toInt()));
    AuditAnchor anchor;
    anchor.entries = object.value(QStringLiteral("entries")).toInteger(-1);
    anchor.lastId = object.value(QStringLiteral("lastId")).toInteger(-1);
    anchor.lastMac = object.value(QStringLiteral("lastMac")).toString();
    anchor.digest = object.value(QStringLiteral("digest")).toString();
    anchor.createdMs = QDateTime::fromString(object.value(QStringLiteral("createdAt")).toString(),
                                             Qt::ISODateWithMs)
                           .toMSecsSinceEpoch();
    anchor.logPath = object.value(QStringLiteral("log")).toString();
    if (anchor.entries < 0 || anchor.lastId < 0 || (anchor.entries == 0) != (anchor.lastId == 0))
        return unreadable(source, QStringLiteral("its entry count or last id is not valid"));
    if (!isHex(anchor.digest, 64) || (anchor.entries > 0 && !isHex(anchor.lastMac, 64)))
        return unreadable(source, QStringLiteral("its digest or last MAC is not 64 hex digits"));
    return anchor;
}

Result<AuditAnchor> AuditAnchor::fromBytes(const QByteArray &bytes, const QString &source)
{
    QByteArray json = bytes;
    if (const qsizetype marker = bytes.indexOf(HtmlMarker); marker >= 0) {
        const qsizetype open = bytes.indexOf('>', marker);
        const qsizetype close = bytes.indexOf("</script>", open);
        if (open < 0 || close < 0)
            return unreadable(source, QStringLiteral("its anchor element is not closed"));
        json = bytes.mid(open + 1, close - open - 1);
    }
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (document.isNull() || !document.isObject())
        return unreadable(source,
                          QStringLiteral("it is not a JSON object (%1)").arg(error.errorString()));
    QJsonObject object = document.object();
    if (object.contains(QStringLiteral("auditAnchor")))
        object = object.value(QStringLiteral("auditAnchor")).toObject();
    return fromJson(object, source); // its errors name the source once
}

Result<AuditAnchor> AuditAnchor::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(
            QString(ErrorAnchorUnreadable),
            QStringLiteral("Could not read the anchor %1: %2.").arg(path, file.errorString()));
    return fromBytes(file.readAll(), path);
}

Result<AuditAnchor> anchorOf(const AuditStore &store, qint64 nowMs)
{
    AuditAnchor anchor;
    anchor.createdMs = nowMs;
    anchor.logPath = store.path();
    QByteArray digest(32, '\0');
    for (qint64 offset = 0;; offset += PageSize) {
        auto page = store.page({}, offset, PageSize, AuditOrder::OldestFirst);
        if (!page)
            return page.error();
        for (const AuditEntry &entry : std::as_const(*page)) {
            digest = nextEntryDigest(digest, entry);
            ++anchor.entries;
            anchor.lastId = entry.id;
            anchor.lastMac = entry.hash;
        }
        if (page->size() < PageSize)
            break;
    }
    anchor.digest = QString::fromLatin1(digest.toHex());
    return anchor;
}

Result<void> checkAnchor(const AuditStore &store, const AuditAnchor &anchor)
{
    QByteArray digest(32, '\0');
    qint64 seen = 0;
    QString previous = AuditStore::genesisHash();
    qint64 firstSuspect = 0; // the first covered entry whose link or MAC fails
    AuditEntry last;
    while (seen < anchor.entries) {
        const int want = int(std::min<qint64>(PageSize, anchor.entries - seen));
        auto page = store.page({}, seen, want, AuditOrder::OldestFirst);
        if (!page)
            return page.error();
        for (const AuditEntry &entry : std::as_const(*page)) {
            // An acknowledged break links to what it accepted, not to the entry before it;
            // the digest, not the link, decides for those.
            const bool linked =
                entry.previousHash == previous || entry.action == ActionAuditAcknowledge;
            const bool checkable = entry.version == 1 || store.isKeyed();
            if (firstSuspect == 0 && (!linked || (checkable && !store.authenticates(entry))))
                firstSuspect = entry.id;
            digest = nextEntryDigest(digest, entry);
            previous = entry.hash;
            last = entry;
        }
        seen += page->size();
        if (page->size() < want)
            break;
    }
    if (seen < anchor.entries)
        return mismatch(anchor, QStringLiteral("it has only %1 entries, up to #%2: the newest %3 "
                                               "of those the anchor covered were deleted.")
                                    .arg(seen)
                                    .arg(last.id)
                                    .arg(anchor.entries - seen));
    const QString hex = QString::fromLatin1(digest.toHex());
    if (hex == anchor.digest && last.id == anchor.lastId && last.hash == anchor.lastMac)
        return {};
    if (firstSuspect > 0)
        return mismatch(anchor, QStringLiteral("entry #%1 was changed, or an entry before it was "
                                               "removed or inserted (its link or MAC does not "
                                               "hold).")
                                    .arg(firstSuspect));
    if (last.id != anchor.lastId)
        return mismatch(anchor, QStringLiteral("the anchor's last entry was #%1, but entry #%2 "
                                               "now stands in its place: entries were removed or "
                                               "inserted, and the chain rewritten.")
                                    .arg(anchor.lastId)
                                    .arg(last.id));
    if (last.hash != anchor.lastMac)
        return mismatch(anchor, QStringLiteral("entry #%1 is not the one the anchor recorded (its "
                                               "MAC differs): it or an entry before it was "
                                               "rewritten, and the chain recomputed.")
                                    .arg(last.id));
    return mismatch(anchor, QStringLiteral("an entry among them was changed (their digest "
                                           "differs)."));
}

} // namespace kw::audit
