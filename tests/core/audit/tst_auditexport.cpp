// Reading the audit log a page at a time (filters, counts, both orders), the chain walk's
// progress and cancel, the CSV and JSON-lines export, and anchors: an anchor taken from the log
// holds until an entry it covered is edited, removed or the newest ones are deleted, even when
// an attacker rewrote an unkeyed chain so that it verifies again.

#include "core/audit/auditanchor.h"
#include "core/audit/auditexport.h"
#include "core/audit/auditstore.h"
#include "support/auditforgery.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace kw;
using namespace kw::audit;
using kw::audit::testing::Forgery;

namespace {

constexpr qint64 Start = 1'780'000'000'000; // 2026-05-28

// A minimal RFC 4180 reader: quoted cells may hold commas, quotes ("") and line breaks.
QList<QStringList> parseCsv(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> rows;
    QStringList row;
    QString cell;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() &&
                text.at(i + 1) == QLatin1Char('"')) {
                cell += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            row << cell;
            cell.clear();
        } else if (c == QLatin1Char('\r') && i + 1 < text.size() &&
                   text.at(i + 1) == QLatin1Char('\n')) {
            row << cell;
            rows << row;
            row.clear();
            cell.clear();
            ++i;
        } else {
            cell += c;
        }
    }
    return rows;
}

// A device that takes `room` bytes and then refuses.
class FullDevice final : public QIODevice
{
public:
    explicit FullDevice(qint64 room)
        : m_room(room)
    {
        open(QIODevice::WriteOnly);
    }

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *, qint64 len) override
    {
        if (m_room <= 0) {
            setErrorString(QStringLiteral("No space left on device"));
            return -1;
        }
        const qint64 n = std::min(len, m_room);
        m_room -= n;
        return n;
    }

private:
    qint64 m_room;
};

} // namespace

class TestAuditExport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    ManualClock m_clock{Start};

    // `n` entries a minute apart: reveals by alice on "customers" and key workflow steps by
    // bob on KEKs, alternating; the key makes them format 2 when given.
    std::shared_ptr<AuditStore> filled(const QString &name, int n, const QByteArray &key = {})
    {
        m_clock.setNowMs(Start);
        auto opened = AuditStore::open(
            {.path = m_dir.filePath(name), .clock = &m_clock, .actor = {}, .key = key});
        if (!opened) {
            qWarning() << opened.error().message;
            return {};
        }
        const std::shared_ptr<AuditStore> store = *opened;
        for (int i = 1; i <= n; ++i) {
            AuditEntry entry;
            if (i % 2 == 1) {
                entry.actor = QStringLiteral("alice");
                entry.action = QString(ActionRecordReveal);
                entry.topic = QStringLiteral("customers");
                entry.partition = i % 3;
                entry.offset = i;
                entry.details = {
                    {QStringLiteral("fields"),
                     QJsonArray{QStringLiteral("ssn"), QStringLiteral("note, \"x\"")}}};
            } else {
                entry.actor = QStringLiteral("bob");
                entry.action = QStringLiteral("workflow.step");
                entry.object = QStringLiteral("kek:Orders-KEK-%1").arg(i % 4);
            }
            if (!store->append(entry))
                return {};
            m_clock.advanceMs(60'000);
        }
        return store;
    }

private Q_SLOTS:
    void pagesAndCounts()
    {
        auto store = filled(QStringLiteral("pages.sqlite"), 25);
        QVERIFY(store);
        QCOMPARE(*store->count(), 25);

        auto newest = store->page({}, 0, 10);
        QVERIFY(newest);
        QCOMPARE(newest->size(), 10);
        QCOMPARE(newest->first().id, 25);
        QCOMPARE(newest->last().id, 16);
        auto next = store->page({}, 10, 10);
        QCOMPARE(next->first().id, 15);
        auto last = store->page({}, 20, 10);
        QCOMPARE(last->size(), 5);
        QCOMPARE(last->last().id, 1);
        auto oldest = store->page({}, 3, 2, AuditOrder::OldestFirst);
        QCOMPARE(oldest->size(), 2);
        QCOMPARE(oldest->first().id, 4);
        QCOMPARE(oldest->last().id, 5);
        QVERIFY(store->page({}, 100, 10)->isEmpty());

        AuditFilter byActor;
        byActor.actor = QStringLiteral("bob");
        QCOMPARE(*store->count(byActor), 12);
        const auto bobs = store->page(byActor, 0, 100);
        QVERIFY(bobs);
        QCOMPARE(bobs->size(), 12);
        for (const AuditEntry &e : *bobs)
            QCOMPARE(e.actor, QStringLiteral("bob"));

        // Case-insensitive "contains", and no LIKE wildcards: "%" matches only itself.
        AuditFilter byObject;
        byObject.object = QStringLiteral("orders-kek-2");
        QCOMPARE(*store->count(byObject), 6); // i = 2, 6, 10, 14, 18, 22
        byObject.object = QStringLiteral("%");
        QCOMPARE(*store->count(byObject), 0);

        AuditFilter window; // entries 11..15 (minute 10..14)
        window.sinceMs = Start + 10 * 60'000;
        window.untilMs = Start + 14 * 60'000;
        QCOMPARE(*store->count(window), 5);
        window.action = QString(ActionRecordReveal); // 11, 13, 15
        auto reveals = store->page(window, 0, 10, AuditOrder::OldestFirst);
        QCOMPARE(reveals->size(), 3);
        QCOMPARE(reveals->first().id, 11);

        QCOMPARE(*store->actions(),
                 (QStringList{QString(ActionRecordReveal), QStringLiteral("workflow.step")}));
        QCOMPARE(*store->actors(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
    }

    void verifyReportsProgressAndCancels()
    {
        auto store = filled(QStringLiteral("progress.sqlite"), 4500);
        QVERIFY(store);
        QList<qint64> seen;
        auto report = store->inspect(std::nullopt, [&seen](qint64 done, qint64 total) {
            seen << done;
            return total == 4500;
        });
        QVERIFY2(report, qPrintable(report.error().message));
        QVERIFY(report->ok());
        QCOMPARE(report->entries, 4500);
        QCOMPARE(seen, (QList<qint64>{0, 2000, 4000, 4500}));

        auto stopped =
            store->inspect(std::nullopt, [](qint64 done, qint64) { return done < 2000; });
        QVERIFY(!stopped);
        QCOMPARE(stopped.error().code, QString(ErrorCancelled));
    }

    void exportsCsvAndJsonLines()
    {
        auto store = filled(QStringLiteral("export.sqlite"), 2501); // three pages
        QVERIFY(store);
        AuditFilter reveals;
        reveals.action = QString(ActionRecordReveal);

        QBuffer csv;
        csv.open(QIODevice::WriteOnly);
        QList<qint64> progress;
        auto written = exportEntries(*store, reveals, &csv, ExportFormat::Csv,
                                     [&progress](qint64 done, qint64) {
                                         progress << done;
                                         return true;
                                     });
        QVERIFY2(written, qPrintable(written.error().message));
        QCOMPARE(*written, 1251);
        QCOMPARE(progress, (QList<qint64>{0, 1000, 1251}));
        const QList<QStringList> rows = parseCsv(csv.data());
        QCOMPARE(rows.size(), 1252);
        QCOMPARE(rows.first().first(), QStringLiteral("id"));
        const qsizetype details = rows.first().indexOf(QStringLiteral("details"));
        const qsizetype hash = rows.first().indexOf(QStringLiteral("hash"));
        QVERIFY(details > 0 && hash > 0);
        for (qsizetype i = 1; i < rows.size(); ++i)
            QCOMPARE(rows.at(i).size(), rows.first().size());
        QCOMPARE(rows.at(1).first(), QStringLiteral("1"));
        QCOMPARE(rows.at(1).at(1), QStringLiteral("2026-05-28T20:26:40.000Z"));
        const QJsonObject firstDetails =
            QJsonDocument::fromJson(rows.at(1).at(details).toUtf8()).object();
        QCOMPARE(firstDetails.value(QStringLiteral("fields")).toArray().at(1).toString(),
                 QStringLiteral("note, \"x\""));
        QCOMPARE(rows.at(1).at(hash), store->page({}, 0, 1, AuditOrder::OldestFirst)->first().hash);
        QCOMPARE(rows.last().first(), QStringLiteral("2501"));

        QBuffer lines;
        lines.open(QIODevice::WriteOnly);
        QCOMPARE(*exportEntries(*store, {}, &lines, ExportFormat::JsonLines), 2501);
        const QList<QByteArray> jsonLines = lines.data().split('\n');
        QCOMPARE(jsonLines.size(), 2502); // and a last, empty piece after the final '\n'
        QVERIFY(jsonLines.last().isEmpty());
        const QJsonObject second = QJsonDocument::fromJson(jsonLines.at(1)).object();
        QCOMPARE(second.value(QStringLiteral("id")).toInteger(), 2);
        QCOMPARE(second.value(QStringLiteral("actor")).toString(), QStringLiteral("bob"));
        QCOMPARE(second.value(QStringLiteral("object")).toString(),
                 QStringLiteral("kek:Orders-KEK-2"));
    }

    void exportSaysWhyTheOutputRefused()
    {
        auto store = filled(QStringLiteral("full.sqlite"), 30);
        QVERIFY(store);
        FullDevice full(200);
        auto written = exportEntries(*store, {}, &full, ExportFormat::JsonLines);
        QVERIFY(!written);
        QCOMPARE(written.error().code, QString(ErrorExportWrite));
        QVERIFY2(written.error().message.contains(QStringLiteral("No space left on device")),
                 qPrintable(written.error().message));

        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        auto cancelled = exportEntries(*store, {}, &buffer, ExportFormat::Csv,
                                       [](qint64, qint64) { return false; });
        QCOMPARE(cancelled.error().code, QString(ErrorCancelled));
    }

    void anchorHoldsUntilCoveredEntriesChange_data()
    {
        QTest::addColumn<bool>("keyed");
        QTest::addColumn<int>("forgery");
        QTest::addColumn<qint64>("at");
        QTest::addColumn<QString>("says");
        for (const bool keyed : {false, true}) {
            const char *kind = keyed ? "keyed" : "unkeyed";
            QTest::addRow("%s, untouched", kind) << keyed << -1 << qint64(0) << QString();
            QTest::addRow("%s, entry edited", kind)
                << keyed << int(Forgery::EditRow) << qint64(7)
                << (keyed ? QStringLiteral("entry #7 was changed")
                          : QStringLiteral("entry #10 is not the one the anchor recorded"));
            QTest::addRow("%s, entry removed", kind)
                << keyed << int(Forgery::DeleteRow) << qint64(4)
                << (keyed ? QStringLiteral("entry #5 was changed")
                          : QStringLiteral("entry #11 now stands in its place"));
            QTest::addRow("%s, newest deleted", kind)
                << keyed << int(Forgery::DeleteNewest) << qint64(10)
                << QStringLiteral("the newest 1 of those the anchor covered were deleted");
        }
    }

    void anchorHoldsUntilCoveredEntriesChange()
    {
        QFETCH(bool, keyed);
        QFETCH(int, forgery);
        QFETCH(qint64, at);
        QFETCH(QString, says);
        const QString name =
            QStringLiteral("anchor-%1.sqlite").arg(QString::fromUtf8(QTest::currentDataTag()));
        const QByteArray key = keyed ? QByteArray(32, 'k') : QByteArray();
        auto store = filled(name, 10, key);
        QVERIFY(store);
        auto anchor = anchorOf(*store, m_clock.nowMs());
        QVERIFY(anchor);
        QCOMPARE(anchor->entries, 10);
        QCOMPARE(anchor->lastId, 10);
        QCOMPARE(anchor->digest.size(), 64);

        // Entries written after the anchor do not disturb it.
        AuditEntry later;
        later.action = QStringLiteral("report.generate");
        QVERIFY(store->append(later));
        QVERIFY(checkAnchor(*store, *anchor));
        if (forgery < 0)
            return;

        QCOMPARE(kw::audit::testing::forge(store->path(), Forgery(forgery), at), QString());
        auto reopened =
            AuditStore::open({.path = store->path(), .clock = &m_clock, .actor = {}, .key = key});
        QVERIFY(reopened);
        if (!keyed && forgery != int(Forgery::DeleteNewest)) {
            // The attacker rehashed the unkeyed chain: it verifies again, the anchor does not.
            QVERIFY((*reopened)->verifyChain());
        }
        const auto checked = checkAnchor(**reopened, *anchor);
        QVERIFY(!checked);
        QCOMPARE(checked.error().code, QString(ErrorAnchorMismatch));
        QVERIFY2(checked.error().message.contains(says), qPrintable(checked.error().message));
    }

    void anchorsTravelInFilesAndReports()
    {
        auto store = filled(QStringLiteral("travel.sqlite"), 3);
        QVERIFY(store);
        const AuditAnchor anchor = *anchorOf(*store, Start);
        const QJsonObject json = anchor.toJson();
        QCOMPARE(json.value(QStringLiteral("format")).toString(),
                 QStringLiteral("keywarden-audit-anchor"));
        QCOMPARE(json.value(QStringLiteral("createdAt")).toString(),
                 QStringLiteral("2026-05-28T20:26:40.000Z"));

        const QByteArray file = QJsonDocument(json).toJson();
        const QByteArray report =
            QJsonDocument(QJsonObject{{QStringLiteral("title"), QStringLiteral("report")},
                                      {QStringLiteral("auditAnchor"), json}})
                .toJson();
        const QByteArray html = "<html><body><p>report</p><script type=\"application/json\" "
                                "id=\"keywarden-audit-anchor\">" +
                                QJsonDocument(json).toJson(QJsonDocument::Compact) +
                                "</script></body></html>";
        for (const QByteArray &bytes : {file, report, html}) {
            auto read = AuditAnchor::fromBytes(bytes, QStringLiteral("x"));
            QVERIFY2(read, qPrintable(read.error().message));
            QCOMPARE(read->digest, anchor.digest);
            QCOMPARE(read->lastMac, anchor.lastMac);
            QCOMPARE(read->entries, 3);
            QCOMPARE(read->createdMs, Start);
            QVERIFY(checkAnchor(*store, *read));
        }

        QJsonObject badDigest = json;
        badDigest.insert(QStringLiteral("digest"), QStringLiteral("zz"));
        for (const QByteArray &bytes :
             {QByteArray("not json"), QByteArray("{\"format\": \"something else\"}"),
              QJsonDocument(badDigest).toJson()}) {
            auto read = AuditAnchor::fromBytes(bytes, QStringLiteral("evidence.json"));
            QVERIFY(!read);
            QCOMPARE(read.error().code, QString(ErrorAnchorUnreadable));
            QVERIFY(read.error().message.startsWith(QStringLiteral("evidence.json holds no")));
        }
        QCOMPARE(AuditAnchor::fromFile(m_dir.filePath(QStringLiteral("none.json"))).error().code,
                 QString(ErrorAnchorUnreadable));
    }
};

QTEST_GUILESS_MAIN(TestAuditExport)
#include "tst_auditexport.moc"
