// Usage errors of keywarden-cli and keywarden-sandbox as a script sees them: exit code 64 with
// a message on stderr, for misplaced and unknown commands, extra arguments and numbers out of
// range. Nothing here needs a server: every case must stop before connecting (the registry
// given is one that nothing listens on, so a case that got further would exit 69).

#include "support/cliprocess.h"

#include <QTest>

namespace {

using Run = kw::testing::ProcessRun;

Run run(const QString &program, const QStringList &args)
{
    return kw::testing::runProcess(program, args, QProcessEnvironment::systemEnvironment(), 60000);
}

const QString kDown = QStringLiteral("http://127.0.0.1:1");

QStringList records(const QStringList &more)
{
    return QStringList{QStringLiteral("records"),
                       QStringLiteral("--registry"),
                       kDown,
                       QStringLiteral("--bootstrap"),
                       QStringLiteral("127.0.0.1:1"),
                       QStringLiteral("--topic"),
                       QStringLiteral("t")} +
           more;
}

} // namespace

class TestCliUsage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usageErrorsExit64_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");

        const QString usageLine = QStringLiteral("Usage: keywarden-cli COMMAND [options]");
        QTest::newRow("unknown command with options")
            << QStringList{QStringLiteral("frobnicate"), QStringLiteral("--registry"), kDown}
            << QStringLiteral("unknown command 'frobnicate'");
        QTest::newRow("unknown command shows usage")
            << QStringList{QStringLiteral("frobnicate"), QStringLiteral("--registry"), kDown}
            << usageLine;
        QTest::newRow("options before the command")
            << QStringList{QStringLiteral("--registry"), kDown, QStringLiteral("keks")}
            << QStringLiteral("the command comes first, then its options: keywarden-cli keks");
        QTest::newRow("options before the command show usage")
            << QStringList{QStringLiteral("--format"), QStringLiteral("json"),
                           QStringLiteral("subjects")}
            << usageLine;
        QTest::newRow("only an unknown option")
            << QStringList{QStringLiteral("--frobnicate")} << usageLine;
        QTest::newRow("keks extra") << QStringList{QStringLiteral("keks"), QStringLiteral("extra"),
                                                   QStringLiteral("--registry"), kDown}
                                    << QStringLiteral("keks: unexpected argument 'extra'");
        QTest::newRow("subjects extra")
            << QStringList{QStringLiteral("subjects"), QStringLiteral("--registry"), kDown,
                           QStringLiteral("more")}
            << QStringLiteral("subjects: unexpected argument 'more'");
        QTest::newRow("deks extra")
            << QStringList{QStringLiteral("deks"), QStringLiteral("k"), QStringLiteral("extra"),
                           QStringLiteral("--registry"), kDown}
            << QStringLiteral("deks: unexpected argument 'extra'");
        QTest::newRow("schema extra")
            << QStringList{QStringLiteral("schema"),     QStringLiteral("s"),
                           QStringLiteral("1"),          QStringLiteral("extra"),
                           QStringLiteral("--registry"), kDown}
            << QStringLiteral("schema: unexpected argument 'extra'");
        QTest::newRow("records extra") << records({QStringLiteral("extra")})
                                       << QStringLiteral("records: unexpected argument 'extra'");
        // --kms settings are checked against the drivers' declarations, never echoing values.
        QTest::newRow("kms unknown setting")
            << records({QStringLiteral("--kms"), QStringLiteral("aws-kms:secret=hunter2")})
            << QStringLiteral("--kms: aws-kms has no setting 'secret' (its settings: "
                              "access.key.id, secret.access.key, profile, role.arn, "
                              "role.session.name, role.external.id, session.token, region, "
                              "aws.disable.dynamic.mrk, endpoint.override, "
                              "keywarden.sts.endpoint).");
        QTest::newRow("kms setting of another type")
            << records({QStringLiteral("--kms"),
                        QStringLiteral("local-kms:client.id=app,secret=hunter2")})
            << QStringLiteral("--kms: local-kms has no setting 'client.id' (its settings: "
                              "secret).");
        QTest::newRow("kms unknown type")
            << records({QStringLiteral("--kms"), QStringLiteral("vault-kms:token.id=hunter2")})
            << QStringLiteral("--kms: unknown KMS type 'vault-kms' (known types: local-kms, "
                              "aws-kms, azure-kms, gcp-kms, hcvault).");
        QTest::newRow("unknown option of a command")
            << QStringList{QStringLiteral("keks"), QStringLiteral("--frobnicate")}
            << QStringLiteral("frobnicate");
    }

    void usageErrorsExit64()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = run(QStringLiteral(KEYWARDEN_CLI), args);
        QVERIFY2(r.exitCode == 64,
                 qPrintable(
                     QStringLiteral("exit %1: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err))));
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void numbersOutOfRangeExit64_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");

        const auto partition = [](const char *value) {
            return QStringLiteral("--partition must be a whole number from 0 to 2147483647 (got "
                                  "'%1').")
                .arg(QLatin1String(value));
        };
        for (const char *v : {"4294967297", "2147483648", "-1", "1x", " 1", "0x1", ""})
            QTest::newRow(qPrintable(QStringLiteral("--partition '%1'").arg(QLatin1String(v))))
                << records({QStringLiteral("--partition"), QLatin1String(v)}) << partition(v);

        const auto limit = [](const char *value) {
            return QStringLiteral("--limit must be a whole number from 1 to 9223372036854775807 "
                                  "(got '%1').")
                .arg(QLatin1String(value));
        };
        for (const char *v : {"0", "-5", "9223372036854775808", "18446744073709551617", "1.5"})
            QTest::newRow(qPrintable(QStringLiteral("--limit '%1'").arg(QLatin1String(v))))
                << records({QStringLiteral("--limit"), QLatin1String(v)}) << limit(v);

        QTest::newRow("--from huge offset")
            << records({QStringLiteral("--from"), QStringLiteral("18446744073709551617")})
            << QStringLiteral("--from OFFSET must be a whole number from 0 to "
                              "9223372036854775807 (got '18446744073709551617').");
        QTest::newRow("--from negative offset")
            << records({QStringLiteral("--from"), QStringLiteral("-3")})
            << QStringLiteral("--from OFFSET must be a whole number from 0 to "
                              "9223372036854775807 (got '-3').");
        QTest::newRow("--from @ huge")
            << records({QStringLiteral("--from"), QStringLiteral("@99999999999999999999")})
            << QStringLiteral("--from @EPOCH_MS must be a whole number from 0 to "
                              "9223372036854775807 (got '99999999999999999999').");
        QTest::newRow("--from @ trailing text")
            << records({QStringLiteral("--from"), QStringLiteral("@1e3")})
            << QStringLiteral("(got '1e3')");

        const auto version = [](const char *value) {
            return QStringLiteral("VERSION (or 'latest') must be a whole number from 1 to "
                                  "2147483647 (got '%1').")
                .arg(QLatin1String(value));
        };
        for (const char *v : {"0", "4294967297", "2x", "1 "})
            QTest::newRow(qPrintable(QStringLiteral("schema VERSION '%1'").arg(QLatin1String(v))))
                << QStringList{QStringLiteral("schema"), QStringLiteral("s"), QLatin1String(v),
                               QStringLiteral("--registry"), kDown}
                << version(v);
    }

    void numbersOutOfRangeExit64()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = run(QStringLiteral(KEYWARDEN_CLI), args);
        QVERIFY2(r.exitCode == 64,
                 qPrintable(
                     QStringLiteral("exit %1: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err))));
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void sandboxPortOutOfRange_data()
    {
        QTest::addColumn<QString>("port");
        for (const char *v : {"65536", "4294967297", "-1", "80x"})
            QTest::newRow(v) << QString::fromLatin1(v);
    }

    void sandboxPortOutOfRange()
    {
        QFETCH(QString, port);
        const Run r = run(QStringLiteral(KEYWARDEN_SANDBOX), {QStringLiteral("--port"), port});
        QCOMPARE(r.exitCode, 64);
        QVERIFY2(r.err.contains(
                     QStringLiteral("keywarden-sandbox: --port must be a whole number from 0 to "
                                    "65535 (got '%1').")
                         .arg(port)
                         .toUtf8()),
                 r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    // Declared settings pass (every declared type has its driver now), and the
    // run goes on to the (absent) registry: exit 69, not a usage error.
    void declaredKmsSettingsAreAccepted()
    {
        const Run r = run(
            QStringLiteral(KEYWARDEN_CLI),
            records({QStringLiteral("--kms"), QStringLiteral("local-kms:secret=s"),
                     QStringLiteral("--kms"), QStringLiteral("azure-kms:client.id=a,tenant.id=t"),
                     QStringLiteral("--kms"), QStringLiteral("gcp-kms:client.id=g")}));
        QVERIFY2(r.exitCode == 69,
                 qPrintable(
                     QStringLiteral("exit %1: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err))));
    }

    void kmsErrorsNeverEchoValues()
    {
        for (const QString &spec : {QStringLiteral("aws-kms:secret=hunter2"),
                                    QStringLiteral("vault-kms:token.id=hunter2")}) {
            const Run r =
                run(QStringLiteral(KEYWARDEN_CLI), records({QStringLiteral("--kms"), spec}));
            QCOMPARE(r.exitCode, 64);
            QVERIFY2(!r.err.contains("hunter2"), r.err.constData());
        }
    }

    void helpStillExitsZero()
    {
        const Run r = run(QStringLiteral(KEYWARDEN_CLI), {QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Commands:"));
        const Run none = run(QStringLiteral(KEYWARDEN_CLI), {});
        QCOMPARE(none.exitCode, 64);
    }
};

QTEST_GUILESS_MAIN(TestCliUsage)
#include "tst_cli_usage.moc"
