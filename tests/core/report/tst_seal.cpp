// The report seal in each format: a sealed report verifies; one changed byte of its content,
// of its seal or after it breaks it; a report signed by another key is refused when the
// caller names the key it trusts; an unsealed file says it carries no seal.

#include "core/crypto/signing.h"
#include "core/report/seal.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace kw;
using namespace kw::report;

Q_DECLARE_METATYPE(kw::report::SealFormat)

namespace {

const AuditHeadRef Head{QStringLiteral("ab12").repeated(16), 42};
constexpr qint64 Now = 1'780'000'000'000;

QByteArray contentOf(SealFormat format)
{
    switch (format) {
    case SealFormat::Pdf:
        return QByteArrayLiteral("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF");
    case SealFormat::Html:
        return QByteArrayLiteral("<!DOCTYPE html><html><body><h1>Key inventory</h1></body></html>");
    case SealFormat::Json:
        return QByteArrayLiteral("{\"title\": \"Compliance report\", \"deks\": [1, 2, 3]}");
    case SealFormat::Csv:
        return QByteArrayLiteral("kek,subject,version\r\norders-kek,orders-value,1\r\n");
    }
    return {};
}

} // namespace

class TestSeal : public QObject
{
    Q_OBJECT

private:
    crypto::SecureBytes m_seed = crypto::newEd25519Seed();

private Q_SLOTS:
    void formats_data()
    {
        QTest::addColumn<SealFormat>("format");
        QTest::newRow("pdf") << SealFormat::Pdf;
        QTest::newRow("html") << SealFormat::Html;
        QTest::newRow("json") << SealFormat::Json;
        QTest::newRow("csv") << SealFormat::Csv;
    }

    void sealedReportsVerify_data() { formats_data(); }
    void sealedReportsVerify()
    {
        QFETCH(SealFormat, format);
        auto sealed = seal(format, contentOf(format), Head, m_seed, Now);
        QVERIFY2(sealed, qPrintable(sealed.error().message));
        QCOMPARE(sealed->sealFile.isEmpty(), format != SealFormat::Csv);
        if (format == SealFormat::Csv)
            QCOMPARE(sealed->file, contentOf(format)); // one row per DEK version, nothing more
        else if (format != SealFormat::Json)
            QVERIFY(sealed->file.startsWith(contentOf(format)));
        auto checked =
            verifySeal(format, sealed->file, sealed->sealFile, *crypto::ed25519PublicKey(m_seed));
        QVERIFY2(checked, qPrintable(checked.error().message));
        QCOMPARE(checked->auditHeadMac, Head.lastMac);
        QCOMPARE(checked->auditEntries, 42);
        QCOMPARE(checked->signedMs, Now);
        QCOMPARE(checked->sha256.size(), 64);
        QCOMPARE(checked->keyFingerprint(),
                 crypto::keyFingerprint(*crypto::ed25519PublicKey(m_seed)));
    }

    // Every single byte of the content matters.
    void anyChangedByteBreaksIt_data() { formats_data(); }
    void anyChangedByteBreaksIt()
    {
        QFETCH(SealFormat, format);
        const auto sealed = *seal(format, contentOf(format), Head, m_seed, Now);
        const qsizetype contentSize =
            format == SealFormat::Json ? sealed.file.indexOf("\"seal\"") : contentOf(format).size();
        int refused = 0;
        for (qsizetype i = 0; i < contentSize; ++i) {
            QByteArray changed = sealed.file;
            changed[i] = changed[i] == 'x' ? 'y' : 'x';
            if (format == SealFormat::Json && QJsonDocument::fromJson(changed).isNull()) {
                ++refused; // no longer JSON at all: refused as unsealed
                QVERIFY(!verifySeal(format, changed, sealed.sealFile));
                continue;
            }
            const auto checked = verifySeal(format, changed, sealed.sealFile);
            if (!checked)
                ++refused;
            else if (format == SealFormat::Json &&
                     QJsonDocument::fromJson(changed) == QJsonDocument::fromJson(sealed.file))
                ++refused; // whitespace only: the same document
        }
        QCOMPARE(refused, int(contentSize));
    }

    void jsonWhitespaceDoesNotMatter()
    {
        const auto sealed = *seal(SealFormat::Json, contentOf(SealFormat::Json), Head, m_seed, Now);
        const QByteArray compact =
            QJsonDocument::fromJson(sealed.file).toJson(QJsonDocument::Compact);
        QVERIFY(verifySeal(SealFormat::Json, compact, {}));
        QJsonObject edited = QJsonDocument::fromJson(sealed.file).object();
        edited.insert(QStringLiteral("title"), QStringLiteral("Compliance report (final)"));
        const auto checked = verifySeal(SealFormat::Json, QJsonDocument(edited).toJson(), {});
        QCOMPARE(checked.error().code, QString(ErrorTampered));
        QVERIFY2(checked.error().message.contains(QStringLiteral("SHA-256")),
                 qPrintable(checked.error().message));
    }

    void forgedSealsAndTrailersAreRefused_data() { formats_data(); }
    void forgedSealsAndTrailersAreRefused()
    {
        QFETCH(SealFormat, format);
        const auto sealed = *seal(format, contentOf(format), Head, m_seed, Now);
        const bool beside = format == SealFormat::Csv;
        const auto refuse = [&](QByteArray file, QByteArray sealFile, const QString &code) {
            const auto checked = verifySeal(format, file, sealFile);
            QVERIFY(!checked);
            QCOMPARE(checked.error().code, code);
        };
        // Another audit head in the seal: the signature no longer covers it.
        QByteArray forged = beside ? sealed.sealFile : sealed.file;
        forged.replace(Head.lastMac.toLatin1(), QByteArray("cd34").repeated(16));
        refuse(beside ? sealed.file : forged, beside ? forged : QByteArray(),
               QString(ErrorTampered));
        // Re-signed by someone else: verifies on its own, but not as the trusted key.
        const crypto::SecureBytes other = crypto::newEd25519Seed();
        const auto resealed = *seal(format, contentOf(format), Head, other, Now);
        QVERIFY(verifySeal(format, resealed.file, resealed.sealFile));
        const auto untrusted =
            verifySeal(format, resealed.file, resealed.sealFile, *crypto::ed25519PublicKey(m_seed));
        QCOMPARE(untrusted.error().code, QString(ErrorUntrustedKey));
        // No seal at all.
        refuse(contentOf(format), {}, QString(ErrorNotSealed));
        if (format == SealFormat::Pdf || format == SealFormat::Html)
            refuse(sealed.file + "<script>alert(1)</script>\n", {}, QString(ErrorTampered));
    }

    void formatsFollowTheSuffix()
    {
        QCOMPARE(sealFormatOf(QStringLiteral("/tmp/r.PDF")), SealFormat::Pdf);
        QCOMPARE(sealFormatOf(QStringLiteral("r.htm")), SealFormat::Html);
        QCOMPARE(sealFormatOf(QStringLiteral("r.json")), SealFormat::Json);
        QCOMPARE(sealFormatOf(QStringLiteral("r.csv")), SealFormat::Csv);
        QVERIFY(!sealFormatOf(QStringLiteral("r.txt")));
    }
};

QTEST_GUILESS_MAIN(TestSeal)
#include "tst_seal.moc"
