#include "core/audit/auditexport.h"

#include "core/domain/textout.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTimeZone>

namespace kw::audit {

namespace {

constexpr int PageSize = 1000;

Error cancelledExport()
{
    return makeError(QString(ErrorCancelled), QStringLiteral("The audit export was cancelled."));
}

} // namespace

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject entryJson(const AuditEntry &e)
{
    return {{QStringLiteral("id"), e.id},
            {QStringLiteral("time"), isoTime(e.timeMs)},
            {QStringLiteral("timeMs"), e.timeMs},
            {QStringLiteral("actor"), e.actor},
            {QStringLiteral("action"), e.action},
            {QStringLiteral("profile"), e.profile},
            {QStringLiteral("registryUrl"), e.registryUrl},
            {QStringLiteral("topic"), e.topic},
            {QStringLiteral("partition"), e.partition},
            {QStringLiteral("offset"), e.offset},
            {QStringLiteral("object"), e.object},
            {QStringLiteral("details"), e.details},
            {QStringLiteral("version"), e.version},
            {QStringLiteral("previousHash"), e.previousHash},
            {QStringLiteral("hash"), e.hash}};
}

QByteArray csvHeader()
{
    QByteArray out;
    kw::appendCsvRow(
        out, {QStringLiteral("id"), QStringLiteral("time"), QStringLiteral("actor"),
              QStringLiteral("action"), QStringLiteral("profile"), QStringLiteral("registryUrl"),
              QStringLiteral("topic"), QStringLiteral("partition"), QStringLiteral("offset"),
              QStringLiteral("object"), QStringLiteral("details"), QStringLiteral("version"),
              QStringLiteral("previousHash"), QStringLiteral("hash")});
    return out;
}

void appendCsvRow(QByteArray &out, const AuditEntry &e)
{
    const auto number = [](qint64 n) {
        return n < 0 ? QString() : QString::number(n);
    };
    kw::appendCsvRow(out, {QString::number(e.id), isoTime(e.timeMs), e.actor, e.action, e.profile,
                           e.registryUrl, e.topic, number(e.partition), number(e.offset), e.object,
                           e.details.isEmpty() ? QString()
                                               : QString::fromUtf8(QJsonDocument(e.details).toJson(
                                                     QJsonDocument::Compact)),
                           QString::number(e.version), e.previousHash, e.hash});
}

void appendJsonLine(QByteArray &out, const AuditEntry &entry)
{
    out += QJsonDocument(entryJson(entry)).toJson(QJsonDocument::Compact);
    out += '\n';
}

Result<qint64> exportEntries(const AuditStore &store, const AuditFilter &filter, QIODevice *device,
                             ExportFormat format, const ExportProgress &progress)
{
    const QString what = QStringLiteral("The audit export");
    const QString code = QString(ErrorExportWrite);
    auto total = store.count(filter);
    if (!total)
        return total.error();
    if (progress && !progress(0, *total))
        return cancelledExport();
    if (format == ExportFormat::Csv) {
        if (auto written = writeAll(device, csvHeader(), code, what); !written)
            return written.error();
    }
    qint64 written = 0;
    for (;;) {
        // Pages from the oldest: entries appended meanwhile come after, not in between.
        auto page = store.page(filter, written, PageSize, AuditOrder::OldestFirst);
        if (!page)
            return page.error();
        QByteArray bytes;
        for (const AuditEntry &entry : std::as_const(*page)) {
            if (format == ExportFormat::Csv)
                appendCsvRow(bytes, entry);
            else
                appendJsonLine(bytes, entry);
        }
        if (auto ok = writeAll(device, bytes, code, what); !ok)
            return ok.error();
        written += page->size();
        if (progress && !progress(written, std::max(*total, written)))
            return cancelledExport();
        if (page->size() < PageSize)
            return written;
    }
}

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString objectText(const AuditEntry &entry)
{
    if (!entry.object.isEmpty() || entry.topic.isEmpty())
        return entry.object;
    return QStringLiteral("%1/%2@%3").arg(entry.topic).arg(entry.partition).arg(entry.offset);
}

} // namespace kw::audit
