// keywarden-cli report verify and report key as an auditor meets them: a sealed report in each
// format verifies against the PEM of the key that sealed it; one changed byte, a report sealed
// by another key, a report with no seal and a bad public-key file each get their own exit code
// and message. Runs without a keychain (no session bus), so `report key` refuses plainly and
// a report is not taken as trusted just because its seal is intact.

#include "core/crypto/signing.h"
#include "core/report/seal.h"
#include "core/services/reportkey.h"
#include "support/cliprocess.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace kw;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run cli(const QStringList &args)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(KEYWARDEN_CLI), args);
    const auto run = kw::testing::finishProcess(process);
    return {run.exitCode, QString::fromUtf8(run.out), run.errText()};
}

bool write(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class TestCliReport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    crypto::SecureBytes m_seed = crypto::newEd25519Seed();
    QString m_pem;

    // The report at `name`, sealed with `seed`; for CSV its seal file beside it.
    QString sealed(const QString &name, const crypto::SecureBytes &seed)
    {
        const QString path = m_dir.filePath(name);
        const auto format = *report::sealFormatOf(path);
        const QByteArray content =
            format == report::SealFormat::Json  ? QByteArray("{\"title\": \"Compliance report\"}")
            : format == report::SealFormat::Csv ? QByteArray("kek,subject,version\r\nk,s,1\r\n")
                                                : QByteArray("<html><body>report</body></html>");
        const auto done = *report::seal(format, content, {QStringLiteral("aa").repeated(32), 7},
                                        seed, 1'780'000'000'000);
        write(path, done.file);
        if (!done.sealFile.isEmpty())
            write(path + QStringLiteral(".seal.json"), done.sealFile);
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_pem = m_dir.filePath(QStringLiteral("trusted.pem"));
        QVERIFY(write(m_pem, report::publicKeyPem(*crypto::ed25519PublicKey(m_seed))));
    }

    void sealedReportsVerify_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("html") << QStringLiteral("r.html");
        QTest::newRow("json") << QStringLiteral("r.json");
        QTest::newRow("csv") << QStringLiteral("r.csv");
    }

    void sealedReportsVerify()
    {
        QFETCH(QString, name);
        const QString path = sealed(name, m_seed);
        const Run ok = cli({QStringLiteral("report"), QStringLiteral("verify"), path,
                            QStringLiteral("--public-key"), m_pem});
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.out + ok.err));
        QVERIFY2(ok.out.contains(QStringLiteral("Result:     OK: unchanged since it was sealed, by "
                                                "the key you gave")) &&
                     ok.out.contains(QStringLiteral("Audit head: 7 entries")) &&
                     ok.out.contains(crypto::keyFingerprint(*crypto::ed25519PublicKey(m_seed))),
                 qPrintable(ok.out));

        // One byte of the content changed.
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray bytes = file.readAll();
        // A byte of the content: the JSON's title, the HTML's text, a CSV cell.
        qsizetype at = bytes.indexOf("Compliance");
        if (at < 0)
            at = bytes.indexOf("report");
        if (at < 0)
            at = bytes.indexOf("subject");
        QVERIFY(at >= 0);
        bytes[at] = 'R';
        QVERIFY(file.seek(0) && file.write(bytes) == bytes.size());
        file.close();
        const Run changed = cli({QStringLiteral("report"), QStringLiteral("verify"), path,
                                 QStringLiteral("--public-key"), m_pem, QStringLiteral("--format"),
                                 QStringLiteral("json")});
        QCOMPARE(changed.exitCode, 1);
        const QJsonObject json = QJsonDocument::fromJson(changed.out.toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("ok")).toBool(), false);
        QCOMPARE(
            json.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
            QStringLiteral("report.tampered"));
    }

    void anotherKeyIsNotTrusted()
    {
        const QString path = sealed(QStringLiteral("other.html"), crypto::newEd25519Seed());
        const Run given = cli({QStringLiteral("report"), QStringLiteral("verify"), path,
                               QStringLiteral("--public-key"), m_pem});
        QCOMPARE(given.exitCode, 1);
        QVERIFY2(given.out.contains(QStringLiteral("not by the key you trust")),
                 qPrintable(given.out));
        // Without --public-key and without a keychain nothing vouches for the key.
        const Run alone = cli({QStringLiteral("report"), QStringLiteral("verify"), path});
        QCOMPARE(alone.exitCode, 1);
        QVERIFY2(
            alone.out.contains(QStringLiteral("The seal is intact, but it was made with key")) &&
                alone.out.contains(QStringLiteral("--public-key KEY.pem")),
            qPrintable(alone.out));
    }

    void unsealedAndBadInputs()
    {
        const QString plain = m_dir.filePath(QStringLiteral("plain.html"));
        QVERIFY(write(plain, "<html></html>"));
        const Run unsealed = cli({QStringLiteral("report"), QStringLiteral("verify"), plain,
                                  QStringLiteral("--public-key"), m_pem});
        QCOMPARE(unsealed.exitCode, 65);
        QVERIFY2(unsealed.out.contains(QStringLiteral("carries no Keywarden seal")),
                 qPrintable(unsealed.out));

        const QString csv = m_dir.filePath(QStringLiteral("lonely.csv"));
        QVERIFY(write(csv, "a,b\r\n"));
        const Run noSealFile = cli({QStringLiteral("report"), QStringLiteral("verify"), csv,
                                    QStringLiteral("--public-key"), m_pem});
        QCOMPARE(noSealFile.exitCode, 65);
        QVERIFY2(noSealFile.out.contains(QStringLiteral("lonely")) ||
                     noSealFile.out.contains(QStringLiteral(".seal.json")),
                 qPrintable(noSealFile.out));

        const QString badKey = m_dir.filePath(QStringLiteral("bad.pem"));
        QVERIFY(write(badKey, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
        const Run bad =
            cli({QStringLiteral("report"), QStringLiteral("verify"),
                 sealed(QStringLiteral("k.html"), m_seed), QStringLiteral("--public-key"), badKey});
        QCOMPARE(bad.exitCode, 64);
        QVERIFY2(bad.err.contains(QStringLiteral("not an Ed25519 public key")),
                 qPrintable(bad.err));

        const Run txt = cli({QStringLiteral("report"), QStringLiteral("verify"),
                             m_dir.filePath(QStringLiteral("r.txt"))});
        QCOMPARE(txt.exitCode, 64);

        const Run key = cli({QStringLiteral("report"), QStringLiteral("key")});
        QCOMPARE(key.exitCode, 69);
        QVERIFY2(key.err.contains(QStringLiteral("keychain")), qPrintable(key.err));
    }

    void publicKeysReadAsPemOrBase64()
    {
        const QByteArray raw = *crypto::ed25519PublicKey(m_seed);
        QCOMPARE(*report::publicKeyFromText(report::publicKeyPem(raw)), raw);
        QCOMPARE(*report::publicKeyFromText(raw.toBase64() + "\n"), raw);
        QVERIFY(!report::publicKeyFromText("not a key"));
        QVERIFY(!report::publicKeyFromText(QByteArray(31, 'k').toBase64()));
    }
};

QTEST_GUILESS_MAIN(TestCliReport)
#include "tst_cli_report.moc"
