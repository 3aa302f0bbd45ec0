// The HTML and PDF compliance reports: every section in order, the figures and findings they
// carry, names from servers escaped, nothing external in the HTML, charts drawn, and a PDF whose
// pages (read back with poppler's pdftotext) carry page numbers and repeat a long table's header.

#include "core/audit/auditanchor.h"
#include "widgets/report/reportcontent.h"
#include "widgets/report/reportdocument.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace kw;
using report::Section;

namespace {

constexpr qint64 Day = 86'400'000;

qint64 utc(int year, int month, int day)
{
    return QDateTime(QDate(year, month, day), QTime(3, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

const qint64 Now = utc(2026, 12, 6);
const QString EvilKek = QStringLiteral("<b>evil</b>-kek");

census::ScheduleRow row(const QString &kek, const QString &subject, census::DueStatus status,
                        qint64 ts, int expiryDays)
{
    census::ScheduleRow r;
    r.kek = kek;
    r.subject = subject;
    r.algorithm = QStringLiteral("AES256_GCM");
    r.latestVersion = 2;
    r.ts = ts;
    r.expiryDays = expiryDays;
    r.dueAt = expiryDays > 0 ? ts + expiryDays * Day : -1;
    r.status = status;
    r.limit = 4294967296.0;
    r.versions = {{1, ts - 400 * Day, false}, {2, ts, false}};
    return r;
}

report::DekVersionEntry dek(const QString &kek, const QString &subject, int version, bool latest,
                            qint64 encryptions)
{
    report::DekVersionEntry d;
    d.kek = kek;
    d.subject = subject;
    d.algorithm = QStringLiteral("AES256_GCM");
    d.keyBits = 256;
    d.strengthBits = 256;
    d.version = version;
    d.latest = latest;
    d.ts = Now - (latest ? 100 : 500) * Day;
    d.ageDays = latest ? 100 : 500;
    d.expiryDays = latest ? 90 : 0;
    d.encryptions = encryptions;
    d.records = encryptions >= 0 ? encryptions / 2 : -1;
    return d;
}

report::ComplianceReport sampleReport(int extraDeks = 0)
{
    report::ComplianceReport r;
    r.cover.estate = QStringLiteral("prod-eu");
    r.cover.registryUrl = QStringLiteral("https://sr.prod-eu.example:8081");
    r.cover.kafkaBootstrap = QStringLiteral("broker-1.prod-eu.example:9093");
    r.cover.sinceMs = utc(2026, 9, 1);
    r.cover.generatedMs = Now;
    r.cover.generatedBy = QStringLiteral("auditor");
    r.cover.keywardenVersion = QStringLiteral("0.1.0");

    report::KekEntry orders;
    orders.name = QStringLiteral("orders-kek");
    orders.kmsType = QStringLiteral("local-kms");
    orders.kmsKeyId = QStringLiteral("local://orders");
    orders.dekSubjects = 2;
    orders.dekVersions = 4;
    orders.liveDekVersions = 4;
    orders.kmsState = QStringLiteral("enabled");
    report::KekEntry evil;
    evil.name = EvilKek;
    evil.kmsType = QStringLiteral("aws-kms");
    evil.kmsKeyId = QStringLiteral("arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-4e5f");
    evil.shared = true;
    evil.dekSubjects = 1;
    evil.dekVersions = 2;
    evil.liveDekVersions = 1;
    evil.kmsStateNote = QStringLiteral("no AWS credentials in this profile");
    r.keks = {orders, evil};

    r.deks = {dek(QStringLiteral("orders-kek"), QStringLiteral("payments-value"), 1, false, 5000),
              dek(QStringLiteral("orders-kek"), QStringLiteral("payments-value"), 2, true, 1234567),
              dek(QStringLiteral("orders-kek"), QStringLiteral("orders-value"), 1, false, -1),
              dek(QStringLiteral("orders-kek"), QStringLiteral("orders-value"), 2, true, 42),
              dek(EvilKek, QStringLiteral("bell\a-%1-value"), 1, false, 10),
              dek(EvilKek, QStringLiteral("bell\a-%1-value"), 2, true, 3000000000)};
    for (int i = 0; i < extraDeks; ++i)
        r.deks.append(dek(QStringLiteral("bulk-kek"),
                          QStringLiteral("dek-subject-%1").arg(i, 3, 10, QLatin1Char('0')), 1, true,
                          i));

    census::ScheduleRow overdue =
        row(QStringLiteral("orders-kek"), QStringLiteral("payments-value"),
            census::DueStatus::Overdue, Now - 100 * Day, 90);
    overdue.counted = true;
    overdue.encryptions = 1234567;
    overdue.encryptionsAllVersions = 1239567;
    overdue.limitShare = 1234567 / 4294967296.0;
    overdue.limitOutOfReach = true;
    census::ScheduleRow dueSoon = row(QStringLiteral("orders-kek"), QStringLiteral("orders-value"),
                                      census::DueStatus::DueSoon, Now - 80 * Day, 90);
    dueSoon.counted = true;
    dueSoon.encryptions = 42;
    dueSoon.encryptionsAllVersions = 42;
    dueSoon.limitShare = 42 / 4294967296.0;
    census::ScheduleRow nearLimit =
        row(EvilKek, QStringLiteral("bell\a-%1-value"), census::DueStatus::Ok, Now - 10 * Day, 365);
    nearLimit.counted = true;
    nearLimit.encryptions = 3000000000;
    nearLimit.encryptionsAllVersions = 3000000010;
    nearLimit.limitShare = 3000000000 / 4294967296.0;
    nearLimit.projectedLimitAt = Now + 20 * Day;
    nearLimit.warnings = {QStringLiteral("near-limit")};
    r.schedule = {overdue, dueSoon, nearLimit};
    r.scheduleSummary = census::summarize(r.schedule);
    r.countsLowerBound = true;

    report::TopicCoverage topic;
    topic.topic = QStringLiteral("payments");
    topic.counts.records = 1000;
    topic.counts.protection = {900, 0, 50, 20, 30, 0};
    topic.missed = 17;
    r.coverage = {topic};

    report::WorkflowEntry workflow;
    workflow.id = 7;
    workflow.action = QStringLiteral("dek.rotate");
    workflow.title = QStringLiteral("Rotate payments-value");
    workflow.state = QStringLiteral("done");
    workflow.operatorName = QStringLiteral("alice");
    workflow.createdMs = Now - 3 * Day;
    workflow.finishedMs = Now - 3 * Day + 60'000;
    workflow.stepsDone = 3;
    workflow.steps = 3;
    r.workflows = {workflow};

    r.audit.entries = 120;
    r.audit.inPeriod = 48;
    r.audit.actions = {{QStringLiteral("dek.rotate"), 3}, {QStringLiteral("record.reveal"), 2}};
    r.audit.actors = {{QStringLiteral("alice"), 5}};
    r.audit.reveals = 2;
    r.audit.chainVerified = true;
    r.audit.chainNote = QStringLiteral("Verified: 120 entries");
    r.audit.anchor.entries = 120;
    r.audit.anchor.lastId = 120;
    r.audit.anchor.lastMac = QStringLiteral("ab").repeated(32);
    r.audit.anchor.digest = QStringLiteral("cd").repeated(32);
    r.audit.anchor.createdMs = Now;
    r.audit.anchor.logPath = QStringLiteral("/var/lib/keywarden/</script>audit.db");

    report::CertificateEntry cert;
    cert.role = QStringLiteral("Schema Registry");
    cert.endpoint = QStringLiteral("sr.prod-eu.example:8081");
    cert.subject = QStringLiteral("CN=sr.prod-eu.example");
    cert.issuer = QStringLiteral("CN=Example Issuing CA");
    cert.notAfterMs = Now + 10 * Day;
    cert.daysLeft = 10;
    cert.expiresSoon = true;
    cert.verified = true;
    r.certificates = {cert};

    report::Control control;
    control.framework = QStringLiteral("PCI DSS v4.0");
    control.clause = QStringLiteral("3.6.1.1");
    control.title = QStringLiteral("Cryptographic architecture documented");
    control.evidence = {QStringLiteral("KEK inventory: 2 KEKs")};
    control.attention = {QStringLiteral("payments-value is overdue for rotation")};
    report::Control clean = control;
    clean.clause = QStringLiteral("3.7.4");
    clean.title = QStringLiteral("Key changes at the end of the cryptoperiod");
    clean.attention.clear();
    r.controls = {control, clean};

    r.integrity.publicKeyPem = QStringLiteral(
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
        "-----END PUBLIC KEY-----\n");
    r.integrity.publicKeyFingerprint = QStringLiteral("SHA256:2f:9a:11:0c");
    r.unavailable.insert(Section::Workflows,
                         QStringLiteral("the journal could not be read: database is locked"));
    return r;
}

} // namespace

class TestReportDocument : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // The PDF's text, pages separated by '\f'.
    QString pdfText(const QByteArray &pdf, const QString &name)
    {
        const QString tool = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
        if (tool.isEmpty())
            qFatal("pdftotext is missing: install poppler-utils (installer/install-deps.sh)");
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(pdf) != pdf.size())
            qFatal("could not write %s", qPrintable(path));
        file.close();
        if (const QString keep = qEnvironmentVariable("KEYWARDEN_KEEP_REPORTS"); !keep.isEmpty()) {
            QFile::remove(QDir(keep).filePath(name));
            QFile::copy(path, QDir(keep).filePath(name));
        }
        QProcess process;
        process.start(tool,
                      {QStringLiteral("-enc"), QStringLiteral("UTF-8"), path, QStringLiteral("-")});
        if (!process.waitForFinished(60'000) || process.exitCode() != 0)
            qFatal("pdftotext failed: %s", process.readAllStandardError().constData());
        // NFKC: pdftotext gives ligatures as such ("ﬂ" in "Workﬂow").
        return QString::fromUtf8(process.readAllStandardOutput())
            .normalized(QString::NormalizationForm_KC);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void htmlHasEverySectionInOrder()
    {
        const QString html = QString::fromUtf8(reportdoc::htmlReport(sampleReport()));
        qsizetype at = 0;
        for (int i = 0; i < report::SectionCount; ++i) {
            const QString heading =
                QStringLiteral("<h2>%1</h2>").arg(report::sectionTitle(Section(i)).toHtmlEscaped());
            const qsizetype found = html.indexOf(heading, at);
            QVERIFY2(found > at, qPrintable(heading));
            at = found;
        }
        QVERIFY(html.startsWith(QLatin1String("<!DOCTYPE html>")));
        QVERIFY(html.endsWith(QLatin1String("</html>\n")));
        QVERIFY(html.contains(
            QLatin1String("Not available: the journal could not be read: database is locked")));
    }

    void htmlCarriesTheFigures()
    {
        const QString html = QString::fromUtf8(reportdoc::htmlReport(sampleReport()));
        QVERIFY(html.contains(QLatin1String("1,234,567"))); // an encryption count
        QVERIFY(html.contains(QLatin1String("3,000,000,000")));
        QVERIFY(html.contains(QLatin1String("not counted")));
        QVERIFY(html.contains(QLatin1String("expires within 30 days")));
        QVERIFY(html.contains(QLatin1String("Counts are lower bounds: retention deleted records "
                                            "before they were counted")));
        QVERIFY(html.contains(QLatin1String("no AWS credentials in this profile")));
        QVERIFY(html.contains(QLatin1String("from the beginning")) == false);
        QVERIFY(html.contains(QLatin1String("2026-09-01")));
        QVERIFY(html.contains(QLatin1String("2^32 (4,294,967,296)")));
        QVERIFY(html.contains(QLatin1String("2^48 (281,474,976,710,656)")));
        QVERIFY(html.contains(QLatin1String("after 9999")));
        QVERIFY(html.contains(QStringLiteral("≥ 1,000")));
        QVERIFY(html.contains(QLatin1String("92.78 %")));
        QVERIFY(html.contains(QLatin1String("it is not a statement of compliance")));
        QVERIFY(
            html.contains(QLatin1String("keywarden-cli report verify FILE --public-key KEY.pem")));
        QVERIFY(html.contains(QLatin1String("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA")));
        QVERIFY(html.contains(QLatin1String("<td>None</td>")));

        // The overdue row is in the Overdue list, the due-soon one in Due soon.
        const qsizetype overdue = html.indexOf(QLatin1String("<h3>Overdue</h3>"));
        const qsizetype dueSoon = html.indexOf(QLatin1String("<h3>Due soon</h3>"));
        const qsizetype every = html.indexOf(QLatin1String("<h3>Every DEK</h3>"));
        QVERIFY(overdue > 0 && dueSoon > overdue && every > dueSoon);
        const QString overdueList = html.mid(overdue, dueSoon - overdue);
        QVERIFY(
            overdueList.contains(QLatin1String("payments-value (KEK orders-kek, AES256_GCM) v2: "
                                               "due 2026-11-26, 10 days ago")));
        QVERIFY(!overdueList.contains(QLatin1String("orders-value")));
        QVERIFY(html.mid(dueSoon, every - dueSoon)
                    .contains(QLatin1String("orders-value (KEK orders-kek, AES256_GCM) v2: due "
                                            "2026-12-16, in 10 days")));
        // Statuses in rotationcharts' colours.
        QVERIFY(html.contains(QLatin1String("color: #c01c28")));
        QVERIFY(html.contains(QLatin1String("color: #e5a50a")));

        // Two charts, inline.
        QCOMPARE(html.count(QLatin1String("<svg")), 2);
        QVERIFY(!html.contains(QLatin1String("<?xml")));
    }

    void htmlIsSelfContainedAndEscaped()
    {
        const QByteArray bytes = reportdoc::htmlReport(sampleReport());
        const QString html = QString::fromUtf8(bytes);
        if (const QString keep = qEnvironmentVariable("KEYWARDEN_KEEP_REPORTS"); !keep.isEmpty()) {
            QFile file(QDir(keep).filePath(QStringLiteral("sample.html")));
            QVERIFY(file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size());
        }
        for (const char *external : {"<script src", "http-equiv", "<link", "src=\"http",
                                     "href=\"http", "@import", "url(", "<img", "<iframe"})
            QVERIFY2(!html.contains(QLatin1String(external), Qt::CaseInsensitive), external);
        // The only script is the anchor's JSON.
        QCOMPARE(html.count(QLatin1String("<script")), 1);
        QVERIFY(html.contains(
            QLatin1String("<script type=\"application/json\" id=\"keywarden-audit-anchor\">")));

        QVERIFY(html.contains(QLatin1String("&lt;b&gt;evil&lt;/b&gt;-kek")));
        QVERIFY(!html.contains(QLatin1String("<b>evil")));
        QVERIFY(!html.contains(QLatin1String("</script>audit")));
        // Control characters never reach the page raw.
        for (const char c : bytes)
            QVERIFY2(uchar(c) >= 0x20 || c == '\n', qPrintable(QString::number(int(c))));
        // A name holding "%1" stays as it is.
        QVERIFY(html.contains(QLatin1String(
            "bell\\u0007-%1-value (KEK &lt;b&gt;evil&lt;/b&gt;-kek, AES256_GCM) v2")));

        // `keywarden-cli audit verify --anchor REPORT.html` reads the anchor back.
        const auto anchor = audit::AuditAnchor::fromBytes(bytes, QStringLiteral("report.html"));
        QVERIFY2(anchor.hasValue(), qPrintable(anchor.error().message));
        QCOMPARE(anchor->entries, 120);
        QCOMPARE(anchor->lastMac, QStringLiteral("ab").repeated(32));
        QCOMPARE(anchor->logPath, QStringLiteral("/var/lib/keywarden/</script>audit.db"));
    }

    void cleanShowsControlAndBidiCharacters()
    {
        QCOMPARE(reportdoc::clean(QStringLiteral("a\tb\u202Ec\u0085d")),
                 QStringLiteral("a\\u0009b\\u202ec\\u0085d"));
        QCOMPARE(reportdoc::clean(QStringLiteral("plain ünïcode ≥")),
                 QStringLiteral("plain ünïcode ≥"));
    }

    void htmlSaysWhatIsNotAvailable()
    {
        report::ComplianceReport r = sampleReport();
        r.cover.kafkaBootstrap.clear();
        r.cover.sinceMs = 0;
        for (int i = 1; i < report::SectionCount; ++i)
            r.unavailable.insert(Section(i), QStringLiteral("reason %1").arg(i));
        const QString html = QString::fromUtf8(reportdoc::htmlReport(r));
        QVERIFY(html.contains(QLatin1String("no Kafka cluster in this profile")));
        QVERIFY(html.contains(QLatin1String("from the beginning")));
        for (int i = 1; i < report::SectionCount; ++i)
            QVERIFY(html.contains(QStringLiteral("Not available: reason %1</p>").arg(i)));
        QVERIFY(!html.contains(QLatin1String("<svg")));
        QVERIFY(!html.contains(QLatin1String("1,234,567")));
        QVERIFY(!html.contains(QLatin1String("keywarden-audit-anchor")));
    }

    void emptyAndUnavailableReports()
    {
        // Nothing at all: every section still there, no chart, no crash.
        const report::ComplianceReport empty;
        const QString html = QString::fromUtf8(reportdoc::htmlReport(empty));
        for (int i = 0; i < report::SectionCount; ++i)
            QVERIFY(html.contains(report::sectionTitle(Section(i))));
        QVERIFY(!html.contains(QLatin1String("<svg")));
        const auto pdf = reportdoc::pdfReport(empty);
        QVERIFY2(pdf.hasValue(), qPrintable(pdf.error().message));

        report::ComplianceReport none = sampleReport();
        for (int i = 0; i < report::SectionCount; ++i)
            none.unavailable.insert(Section(i), QStringLiteral("reason %1").arg(i));
        const auto unavailable = reportdoc::pdfReport(none);
        QVERIFY2(unavailable.hasValue(), qPrintable(unavailable.error().message));
        const QString text = pdfText(*unavailable, QStringLiteral("unavailable.pdf")).simplified();
        for (int i = 0; i < report::SectionCount; ++i) {
            QVERIFY(text.contains(report::sectionTitle(Section(i))));
            QVERIFY(text.contains(QStringLiteral("Not available: reason %1").arg(i)));
        }
        QVERIFY(!text.contains(QLatin1String("1,234,567")));
    }

    void pdfHasEverySectionAndPageNumbers()
    {
        const auto pdf = reportdoc::pdfReport(sampleReport());
        QVERIFY2(pdf.hasValue(), qPrintable(pdf.error().message));
        QVERIFY(pdf->startsWith("%PDF-"));
        QVERIFY(pdf->trimmed().endsWith("%%EOF"));
        const QString pagesText = pdfText(*pdf, QStringLiteral("sample.pdf"));
        // Phrases may wrap inside a table cell.
        const QString text = pagesText.simplified();
        for (int i = 0; i < report::SectionCount; ++i)
            QVERIFY2(text.contains(report::sectionTitle(Section(i))),
                     qPrintable(report::sectionTitle(Section(i))));
        const QStringList pages = pagesText.split(u'\f', Qt::SkipEmptyParts);
        QVERIFY(pages.size() >= 3);
        QVERIFY(pages.first().contains(QStringLiteral("Page 1 of %1").arg(pages.size())));
        QVERIFY(pages.last().contains(QStringLiteral("Page %1 of %1").arg(pages.size())));
        // The cover is a page of its own.
        QVERIFY(pages.first().contains(QLatin1String("prod-eu")));
        QVERIFY(!pages.first().contains(report::sectionTitle(Section::Policy)));
        QVERIFY(text.contains(QLatin1String("1,234,567")));
        QVERIFY(text.contains(QLatin1String("expires within 30 days")));
        QVERIFY(text.contains(QLatin1String("<b>evil</b>-kek"))); // drawn as text, not markup
        QVERIFY(text.contains(QLatin1String("Not available: the journal could not be read")));
    }

    void pdfRepeatsTableHeadersOnEveryPage()
    {
        const auto pdf = reportdoc::pdfReport(sampleReport(150));
        QVERIFY2(pdf.hasValue(), qPrintable(pdf.error().message));
        const QStringList pages =
            pdfText(*pdf, QStringLiteral("long.pdf")).split(u'\f', Qt::SkipEmptyParts);
        int dekPages = 0;
        for (const QString &page : pages) {
            if (!page.contains(QRegularExpression(QStringLiteral("subject-\\d\\d\\d"))))
                continue;
            ++dekPages; // each page of the DEK table starts with its header
            QVERIFY2(page.contains(QRegularExpression(QStringLiteral("Key\\s+bits"))),
                     qPrintable(page.left(400)));
        }
        QVERIFY2(dekPages >= 2, qPrintable(QString::number(dekPages)));
        QVERIFY(pages.last().contains(QStringLiteral("of %1").arg(pages.size())));
    }
};

QTEST_MAIN(TestReportDocument)
#include "tst_reportdocument.moc"
