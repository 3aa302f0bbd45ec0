// keywarden-cli records against a running keywarden-sandbox (demo seed): JSON lines, masking
// and --reveal, bytes as base64, the start positions, and the exit codes a script relies on.

#include "core/audit/auditstore.h"
#include "support/cliprocess.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kMask = QStringLiteral("\u2022\u2022\u2022\u2022");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QString err;
    QList<QJsonObject> lines;
};

} // namespace

class TestCliRecords : public QObject
{
    Q_OBJECT

private:
    kw::testing::SandboxProcess m_sandbox;
    QTemporaryDir m_dataHome; // XDG_DATA_HOME of every run: where --reveal's audit log goes

    Run cli(QStringList args, bool withSecret = true, const QString &dataHome = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"),
                   dataHome.isEmpty() ? m_dataHome.path() : dataHome);
        env.remove(QStringLiteral("LOCAL_SECRET"));
        if (withSecret)
            env.insert(QStringLiteral("LOCAL_SECRET"), m_sandbox.localSecret());
        args.prepend(QStringLiteral("records"));
        const kw::testing::ProcessRun p =
            kw::testing::runProcess(QStringLiteral(KEYWARDEN_CLI), args, env);
        return Run{p.exitCode, p.out, p.errText(), kw::testing::jsonLines(p.out)};
    }

    QStringList connection() const
    {
        return {QStringLiteral("--registry"), m_sandbox.registryUrl(),
                QStringLiteral("--bootstrap"), m_sandbox.bootstrapServers()};
    }

    // The CLI's audit log: the GUI's, under the application's data folder.
    QList<kw::audit::AuditEntry> revealEntries()
    {
        kw::audit::AuditStore::Options options;
        options.path = m_dataHome.filePath(QStringLiteral("Keywarden/Keywarden/audit.sqlite"));
        auto store = kw::audit::AuditStore::open(options);
        // The chain is checked by the CLI itself: keyed entries need the key in the keychain.
        QProcess verify;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dataHome.path());
        verify.setProcessEnvironment(env);
        verify.start(QStringLiteral(KEYWARDEN_CLI),
                     {QStringLiteral("audit"), QStringLiteral("verify")});
        if (!store || !verify.waitForFinished(60000) || verify.exitCode() != 0) {
            qWarning() << "audit verify:" << verify.readAllStandardOutput();
            return {};
        }
        kw::audit::AuditFilter filter;
        filter.action = QString(kw::audit::ActionRecordReveal);
        auto entries = (*store)->entries(filter);
        return entries ? *entries : QList<kw::audit::AuditEntry>{};
    }

    // The value at a dotted path (objects only; enough for the demo's customers schema).
    static QJsonValue at(const QJsonValue &value, const QString &path)
    {
        QJsonValue v = value;
        for (const QString &segment : path.split(QLatin1Char('.')))
            v = v.toObject().value(segment);
        return v;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString failed = m_sandbox.start(QStringLiteral(KEYWARDEN_SANDBOX));
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase() { m_sandbox.stop(); }

    void jsonLinesAreMaskedByDefault()
    {
        const Run r =
            cli(connection() + QStringList{QStringLiteral("--topic"), QStringLiteral("customers"),
                                           QStringLiteral("--limit"), QStringLiteral("40"),
                                           QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.lines.size(), 40);
        int decrypted = 0;
        for (const QJsonObject &o : r.lines) {
            QCOMPARE(o.value(QStringLiteral("topic")).toString(), QStringLiteral("customers"));
            QVERIFY(o.contains(QStringLiteral("partition")) &&
                    o.contains(QStringLiteral("offset")));
            QVERIFY(o.value(QStringLiteral("timestamp")).toDouble() > 0);
            if (o.contains(QStringLiteral("error")))
                continue;
            QVERIFY(o.value(QStringLiteral("schemaId")).toInt() > 0);
            QCOMPARE(o.value(QStringLiteral("subject")).toString(),
                     QStringLiteral("customers-value"));
            const QJsonValue value = o.value(QStringLiteral("value"));
            for (const QJsonValue &f : o.value(QStringLiteral("fields")).toArray()) {
                const QJsonObject field = f.toObject();
                if (field.value(QStringLiteral("status")).toString() != QLatin1String("decrypted"))
                    continue;
                ++decrypted;
                QVERIFY(!field.value(QStringLiteral("kek")).toString().isEmpty());
                QVERIFY(field.value(QStringLiteral("dekVersion")).toInt() >= 1);
                QVERIFY(!field.value(QStringLiteral("algorithm")).toString().isEmpty());
                QCOMPARE(at(value, field.value(QStringLiteral("path")).toString()).toString(),
                         kMask);
            }
            // Fields that were never encrypted stay readable.
            QVERIFY(value.toObject()
                        .value(QStringLiteral("customerId"))
                        .toString()
                        .startsWith(QLatin1String("C-")));
        }
        QVERIFY(decrypted >= 40);
    }

    void revealShowsPlaintext()
    {
        const qsizetype auditedBefore = revealEntries().size();
        const Run r =
            cli(connection() + QStringList{QStringLiteral("--topic"), QStringLiteral("customers"),
                                           QStringLiteral("--limit"), QStringLiteral("20"),
                                           QStringLiteral("--format"), QStringLiteral("json"),
                                           QStringLiteral("--reveal")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.lines.size(), 20);
        QVERIFY(!QString::fromUtf8(r.out).contains(kMask));
        int checked = 0;
        for (const QJsonObject &o : r.lines)
            for (const QJsonValue &f : o.value(QStringLiteral("fields")).toArray()) {
                const QJsonObject field = f.toObject();
                if (field.value(QStringLiteral("path")).toString() == QLatin1String("fullName") &&
                    field.value(QStringLiteral("status")).toString() ==
                        QLatin1String("decrypted")) {
                    const QString name = o.value(QStringLiteral("value"))
                                             .toObject()
                                             .value(QStringLiteral("fullName"))
                                             .toString();
                    QVERIFY(name.contains(QLatin1Char(' '))); // "First Last", not ciphertext
                    ++checked;
                }
            }
        QVERIFY(checked > 0);

        // The read is in the audit log, one entry, with what was asked for.
        const QList<kw::audit::AuditEntry> entries = revealEntries();
        QCOMPARE(entries.size(), auditedBefore + 1);
        const kw::audit::AuditEntry &e = entries.last();
        QCOMPARE(e.topic, QStringLiteral("customers"));
        QCOMPARE(e.partition, -1); // every partition
        QCOMPARE(e.registryUrl, m_sandbox.registryUrl());
        QVERIFY(!e.actor.isEmpty());
        QCOMPARE(e.details.value(QStringLiteral("client")).toString(),
                 QStringLiteral("keywarden-cli records"));
        QCOMPARE(e.details.value(QStringLiteral("from")).toString(), QStringLiteral("earliest"));
        QCOMPARE(e.details.value(QStringLiteral("scope")).toString(),
                 QStringLiteral("every encrypted field read"));
        QVERIFY(!e.details.contains(QStringLiteral("fields"))); // that key holds a list of paths
        QCOMPARE(e.details.value(QStringLiteral("limit")).toInteger(), 20);

        // Masked reads reveal nothing and leave no entry.
        const Run masked =
            cli(connection() + QStringList{QStringLiteral("--topic"), QStringLiteral("customers"),
                                           QStringLiteral("--limit"), QStringLiteral("5")});
        QCOMPARE(masked.exitCode, 0);
        QCOMPARE(revealEntries().size(), auditedBefore + 1);
    }

    void revealWithoutAnAuditLogPrintsNothing()
    {
        // The audit log's folder cannot be made: a file is in the way.
        QTemporaryDir blocked;
        QVERIFY(blocked.isValid());
        QFile file(blocked.filePath(QStringLiteral("Keywarden")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const QStringList args =
            connection() + QStringList{QStringLiteral("--topic"),  QStringLiteral("customers"),
                                       QStringLiteral("--limit"),  QStringLiteral("5"),
                                       QStringLiteral("--format"), QStringLiteral("json"),
                                       QStringLiteral("--reveal")};
        const Run r = cli(args, true, blocked.path());
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(QLatin1String("--reveal was refused because the audit log could "
                                              "not record it")),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains(blocked.path()), qPrintable(r.err));
        // Masked, the same read works.
        const Run masked = cli(args.mid(0, args.size() - 1), true, blocked.path());
        QCOMPARE(masked.exitCode, 0);
        QCOMPARE(masked.lines.size(), 5);
        QVERIFY(masked.out.contains(kMask.toUtf8()));
    }

    void bytesAreStandardBase64()
    {
        const Run r = cli(connection() +
                          QStringList{QStringLiteral("--topic"), QStringLiteral("kyc-documents"),
                                      QStringLiteral("--limit"), QStringLiteral("30"),
                                      QStringLiteral("--format"), QStringLiteral("json"),
                                      QStringLiteral("--reveal")});
        QCOMPARE(r.exitCode, 0);
        int scans = 0;
        for (const QJsonObject &o : r.lines) {
            const QJsonValue scan =
                o.value(QStringLiteral("value")).toObject().value(QStringLiteral("scan"));
            if (!scan.isString())
                continue;
            const auto decoded = QByteArray::fromBase64Encoding(
                scan.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            QVERIFY2(decoded, qPrintable(scan.toString()));
            QVERIFY(decoded.decoded.startsWith("%PDF"));
            ++scans;
        }
        QVERIFY(scans > 0);
    }

    void damagedRecordsStillExitZeroWithStats()
    {
        const Run r =
            cli(connection() + QStringList{QStringLiteral("--topic"), QStringLiteral("customers"),
                                           QStringLiteral("--format"), QStringLiteral("json"),
                                           QStringLiteral("--stats")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.lines.size(), 9000);
        int failed = 0;
        for (const QJsonObject &o : r.lines) {
            QVERIFY(!o.contains(QStringLiteral("unparsed")));
            if (o.contains(QStringLiteral("error"))) {
                ++failed;
                QVERIFY(!o.value(QStringLiteral("error")).toString().isEmpty());
            }
        }
        QVERIFY(failed > 0);
        QVERIFY2(r.err.contains(QLatin1String("records read: 9000")), qPrintable(r.err));
        QVERIFY(r.err.contains(QLatin1String("KMS unwraps:")));
        QVERIFY(r.err.contains(QLatin1String("DEK cache hits:")));
        QVERIFY(r.err.contains(QLatin1String("records/s:")));
    }

    void withoutTheSecretFieldsFailButTheReadCompletes()
    {
        const Run r =
            cli(connection() + QStringList{QStringLiteral("--topic"), QStringLiteral("customers"),
                                           QStringLiteral("--limit"), QStringLiteral("5"),
                                           QStringLiteral("--format"), QStringLiteral("json")},
                false);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.lines.size(), 5);
        const QJsonObject field =
            r.lines.first().value(QStringLiteral("fields")).toArray().first().toObject();
        QCOMPARE(field.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
        QVERIFY(!field.value(QStringLiteral("error")).toString().isEmpty());

        // --kms gives the secret as an option instead of the environment.
        const Run k =
            cli(connection() +
                    QStringList{QStringLiteral("--topic"), QStringLiteral("customers"),
                                QStringLiteral("--limit"), QStringLiteral("5"),
                                QStringLiteral("--format"), QStringLiteral("json"),
                                QStringLiteral("--kms"),
                                QStringLiteral("local-kms:secret=") + m_sandbox.localSecret()},
                false);
        QCOMPARE(k.exitCode, 0);
        QVERIFY(QString::fromUtf8(k.out).contains(QLatin1String("\"status\":\"decrypted\"")));
    }

    void latestAndPartition()
    {
        const Run latest =
            cli(connection() + QStringList{QStringLiteral("--topic"), QStringLiteral("customers"),
                                           QStringLiteral("--from"), QStringLiteral("latest"),
                                           QStringLiteral("--limit"), QStringLiteral("12"),
                                           QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(latest.exitCode, 0);
        QCOMPARE(latest.lines.size(), 12); // 6 partitions, 2 each

        const Run one =
            cli(connection() + QStringList{QStringLiteral("--topic"), QStringLiteral("customers"),
                                           QStringLiteral("--partition"), QStringLiteral("2"),
                                           QStringLiteral("--from"), QStringLiteral("10"),
                                           QStringLiteral("--limit"), QStringLiteral("5"),
                                           QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(one.exitCode, 0);
        QCOMPARE(one.lines.size(), 5);
        qint64 expected = 10;
        for (const QJsonObject &o : one.lines) {
            QCOMPARE(o.value(QStringLiteral("partition")).toInt(), 2);
            QCOMPARE(qint64(o.value(QStringLiteral("offset")).toDouble()), expected++);
        }
    }

    void tableFormat()
    {
        const Run r =
            cli(connection() + QStringList{QStringLiteral("--topic"), QStringLiteral("customers"),
                                           QStringLiteral("--limit"), QStringLiteral("3")});
        QCOMPARE(r.exitCode, 0);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY(text.startsWith(QLatin1String("PART")));
        QCOMPARE(text.count(QLatin1Char('\n')), 4);
        QVERIFY(text.contains(kMask));
    }

    void unknownTopicFails()
    {
        const Run r = cli(connection() +
                          QStringList{QStringLiteral("--topic"), QStringLiteral("no-such-topic")});
        QVERIFY(r.exitCode != 0);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(QLatin1String("'no-such-topic' does not exist")),
                 qPrintable(r.err));
    }

    void registryDownFails()
    {
        const Run r = cli({QStringLiteral("--registry"), QStringLiteral("http://127.0.0.1:1"),
                           QStringLiteral("--bootstrap"), m_sandbox.bootstrapServers(),
                           QStringLiteral("--topic"), QStringLiteral("customers")});
        QCOMPARE(r.exitCode, 69);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(QLatin1String("Schema Registry")), qPrintable(r.err));
    }

    // 4294967297 is 2^32 + 1: cut to a 32-bit int it was partition 1, read with exit code 0.
    void partitionBeyondInt32IsRefused()
    {
        const Run r = cli(connection() +
                          QStringList{QStringLiteral("--topic"), QStringLiteral("customers"),
                                      QStringLiteral("--partition"), QStringLiteral("4294967297"),
                                      QStringLiteral("--limit"), QStringLiteral("5"),
                                      QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 64);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(QLatin1String("--partition must be a whole number from 0 to "
                                              "2147483647 (got '4294967297').")),
                 qPrintable(r.err));
    }

    void usageErrors()
    {
        QCOMPARE(cli(connection()).exitCode, 64); // no --topic
        QCOMPARE(cli(connection() + QStringList{QStringLiteral("--topic"), QStringLiteral("x"),
                                                QStringLiteral("--from"), QStringLiteral("soon")})
                     .exitCode,
                 64);
    }
};

QTEST_GUILESS_MAIN(TestCliRecords)
#include "tst_cli_records.moc"
