// keywarden-cli's browsing commands as a user runs them, against keywarden-sandbox with the
// demo estate: tables, JSON lines, the shared connection options and their errors.

#include "core/sandbox/demoestate.h"
#include "support/cliprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTest>

namespace {

using Run = kw::testing::ProcessRun;
using kw::testing::jsonLines;

} // namespace

class TestCliBrowse : public QObject
{
    Q_OBJECT

private:
    kw::testing::SandboxProcess m_sandbox;

    Run cli(const QStringList &args,
            const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        return kw::testing::runProcess(QStringLiteral(KEYWARDEN_CLI), args, env, 60000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString failed = m_sandbox.start(QStringLiteral(KEYWARDEN_SANDBOX));
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        QVERIFY(m_sandbox.registryUrl().startsWith(QLatin1String("http://127.0.0.1:")));
    }

    void cleanupTestCase() { m_sandbox.stop(); }

    // The demo's KEKs that are not soft-deleted.
    static qsizetype liveDemoKeks()
    {
        const kw::sandbox::DemoEstate estate = kw::sandbox::demoEstate();
        return estate.keks.size() -
               std::count_if(estate.deletions.cbegin(), estate.deletions.cend(), [](const auto &d) {
                   return d.kind == kw::sandbox::DemoDeletion::Kind::Kek;
               });
    }

    void keksTable()
    {
        const Run r =
            cli({QStringLiteral("keks"), QStringLiteral("--registry"), m_sandbox.registryUrl()});
        QCOMPARE(r.exitCode, 0);
        const QStringList lines =
            QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.first().startsWith(QLatin1String("NAME")));
        QVERIFY(lines.first().contains(QLatin1String("DEK SUBJECTS")));
        QCOMPARE(lines.size(),
                 1 + liveDemoKeks()); // the soft-deleted legacy-crm only with --deleted
        QVERIFY(r.out.contains("retail-pii"));
        QVERIFY(!r.out.contains("legacy-crm"));
        const Run all = cli({QStringLiteral("keks"), QStringLiteral("--registry"),
                             m_sandbox.registryUrl(), QStringLiteral("--deleted")});
        QCOMPARE(all.exitCode, 0);
        QVERIFY(all.out.contains("legacy-crm"));
    }

    void keksJson()
    {
        const Run r =
            cli({QStringLiteral("keks"), QStringLiteral("--registry"), m_sandbox.registryUrl(),
                 QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        const auto keks = jsonLines(r.out);
        QCOMPARE(keks.size(), liveDemoKeks());
        bool sawRetail = false;
        for (const QJsonObject &k : keks) {
            QVERIFY(!k.contains(QStringLiteral("unparsed")));
            QVERIFY(k.contains(QStringLiteral("kmsType")));
            if (k.value(QStringLiteral("name")).toString() == QLatin1String("retail-pii")) {
                sawRetail = true;
                QCOMPARE(k.value(QStringLiteral("kmsType")).toString(),
                         QStringLiteral("local-kms"));
                QVERIFY(k.value(QStringLiteral("dekSubjects")).toInt() >= 1);
            }
        }
        QVERIFY(sawRetail);
    }

    void deksNeverPrintKeyMaterial()
    {
        // payments-pci is the demo's shared KEK: the registry returns plaintext keyMaterial.
        const Run r = cli({QStringLiteral("deks"), QStringLiteral("payments-pci"),
                           QStringLiteral("--registry"), m_sandbox.registryUrl(),
                           QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        const auto deks = jsonLines(r.out);
        QVERIFY(!deks.isEmpty());
        for (const QJsonObject &d : deks) {
            QVERIFY(!d.contains(QStringLiteral("keyMaterial")));
            QVERIFY(!d.contains(QStringLiteral("encryptedKeyMaterial")));
            QCOMPARE(d.value(QStringLiteral("kekName")).toString(), QStringLiteral("payments-pci"));
            QCOMPARE(d.value(QStringLiteral("encryptedKeyMaterialSha256")).toString().size(), 64);
            QVERIFY(d.value(QStringLiteral("version")).toInt() >= 1);
            QVERIFY(!d.value(QStringLiteral("algorithm")).toString().isEmpty());
        }
        const Run table = cli({QStringLiteral("deks"), QStringLiteral("retail-pii"),
                               QStringLiteral("--registry"), m_sandbox.registryUrl()});
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.startsWith("SUBJECT"));
        QVERIFY(table.out.contains("customers-value"));
        QVERIFY(table.out.contains("AES256_GCM"));
        QVERIFY(table.out.contains("AES128_GCM")); // support-tickets: a second algorithm
    }

    void deksOfAnUnknownKek()
    {
        const Run r = cli({QStringLiteral("deks"), QStringLiteral("no-such-kek"),
                           QStringLiteral("--registry"), m_sandbox.registryUrl()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no-such-kek") && r.err.contains("40470"), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void subjectsAndSchema()
    {
        const Run subjects =
            cli({QStringLiteral("subjects"), QStringLiteral("--registry"), m_sandbox.registryUrl(),
                 QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(subjects.exitCode, 0);
        const auto list = jsonLines(subjects.out);
        QVERIFY(list.size() >= 14);
        bool sawCustomers = false;
        for (const QJsonObject &s : list) {
            if (s.value(QStringLiteral("subject")).toString() == QLatin1String("customers-value")) {
                sawCustomers = true;
                QCOMPARE(s.value(QStringLiteral("keks")).toArray().first().toString(),
                         QStringLiteral("retail-pii"));
            }
        }
        QVERIFY(sawCustomers);

        const Run schema = cli({QStringLiteral("schema"), QStringLiteral("customers-value"),
                                QStringLiteral("--registry"), m_sandbox.registryUrl()});
        QCOMPARE(schema.exitCode, 0);
        QVERIFY(schema.out.contains("Subject:  customers-value"));
        QVERIFY(schema.out.contains("\"confluent:tags\""));
        QVERIFY(schema.out.contains("Rules:"));
        QVERIFY(schema.out.contains("encrypt.kek.name=retail-pii"));

        const Run json =
            cli({QStringLiteral("schema"), QStringLiteral("customers-value"), QStringLiteral("1"),
                 QStringLiteral("--registry"), m_sandbox.registryUrl(), QStringLiteral("--format"),
                 QStringLiteral("json")});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject s = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(s.value(QStringLiteral("version")).toInt(), 1);
        QVERIFY(s.value(QStringLiteral("ruleSet")).isObject());

        const Run badVersion =
            cli({QStringLiteral("schema"), QStringLiteral("customers-value"), QStringLiteral("x"),
                 QStringLiteral("--registry"), m_sandbox.registryUrl()});
        QCOMPARE(badVersion.exitCode, 64);
    }

    void versionNamesTheAllocator()
    {
        const Run r = cli({QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith("keywarden-cli "), r.out.constData());
#ifdef KEYWARDEN_CLI_WITH_MIMALLOC
        // Bulk reads run on huge pages unless mimalloc's own variable says otherwise.
        QVERIFY2(r.out.contains("allocator: mimalloc ") && r.out.contains(", huge pages on\n"),
                 r.out.constData());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("MIMALLOC_LARGE_OS_PAGES"), QStringLiteral("0"));
        const Run off = cli({QStringLiteral("--version")}, env);
        QCOMPARE(off.exitCode, 0);
        QVERIFY2(off.out.contains(", huge pages off\n"), off.out.constData());
#else
        QVERIFY2(r.out.contains("allocator: glibc malloc\n"), r.out.constData());
#endif
    }

    void connectionOptionsAndErrors()
    {
        // No registry at all: a usage error that says what to pass.
        const Run none = cli({QStringLiteral("keks")});
        QCOMPARE(none.exitCode, 64);
        QVERIFY(none.err.contains("--registry"));
        // An unknown profile.
        const Run profile =
            cli({QStringLiteral("keks"), QStringLiteral("--profile"), QStringLiteral("nope")});
        QCOMPARE(profile.exitCode, 64);
        QVERIFY(profile.err.contains("no connection profile named 'nope'"));
        // A registry that is down: unavailable (69) with the address in the message.
        const Run down = cli({QStringLiteral("keks"), QStringLiteral("--registry"),
                              QStringLiteral("http://127.0.0.1:1")});
        QCOMPARE(down.exitCode, 69);
        QVERIFY(down.err.contains("unreachable"));
        // Credentials from the environment reach the server (the sandbox has no auth, so a
        // malformed value is what shows they are read).
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("KEYWARDEN_REGISTRY_AUTH"), QStringLiteral("no-colon"));
        const Run badAuth = cli(
            {QStringLiteral("keks"), QStringLiteral("--registry"), m_sandbox.registryUrl()}, env);
        QCOMPARE(badAuth.exitCode, 64);
        QVERIFY(badAuth.err.contains("KEYWARDEN_REGISTRY_AUTH"));
        // --help of a command names the shared options.
        const Run help = cli({QStringLiteral("deks"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("Usage: keywarden-cli deks"));
        QVERIFY(help.out.contains("--registry-auth"));
        QVERIFY(help.out.contains("--profile"));
        QVERIFY(help.out.contains("--request-timeout"));
    }

    void requestTimeout()
    {
        // A registry that accepts the connection and never answers (nothing here reads it):
        // the command ends at the deadline it was given, as unavailable (69), and says which.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        const QString url = QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort());
        const Run hung = cli({QStringLiteral("keks"), QStringLiteral("--registry"), url,
                              QStringLiteral("--request-timeout"), QStringLiteral("1")});
        QCOMPARE(hung.exitCode, 69);
        QVERIFY2(hung.err.contains("did not answer within the 1 s request deadline"),
                 hung.err.constData());
        QVERIFY(hung.out.isEmpty());
        // Out of range or not a number: a usage error that names the option.
        for (const char *bad : {"0", "3601", "abc", "1.5"}) {
            const Run usage = cli({QStringLiteral("keks"), QStringLiteral("--registry"), url,
                                   QStringLiteral("--request-timeout"), QLatin1String(bad)});
            QCOMPARE(usage.exitCode, 64);
            QVERIFY2(usage.err.contains("--request-timeout"), usage.err.constData());
        }
        // A valid value against a working registry changes nothing else.
        const Run ok =
            cli({QStringLiteral("keks"), QStringLiteral("--registry"), m_sandbox.registryUrl(),
                 QStringLiteral("--request-timeout"), QStringLiteral("3600")});
        QCOMPARE(ok.exitCode, 0);
        QVERIFY(ok.out.contains("retail-pii"));
    }

    void kekTestWrapsAndUnwrapsThroughTheKms()
    {
        // retail-pii is a local-kms KEK: the secret comes from --kms, as for any KMS.
        const Run r =
            cli({QStringLiteral("kek"), QStringLiteral("test"), QStringLiteral("retail-pii"),
                 QStringLiteral("--registry"), m_sandbox.registryUrl(), QStringLiteral("--kms"),
                 QStringLiteral("local-kms:secret=") + m_sandbox.localSecret(),
                 QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.isEmpty(), r.err.constData());
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 1);
        const QJsonObject test = lines.first();
        QCOMPARE(test.value(QStringLiteral("kek")).toString(), QStringLiteral("retail-pii"));
        QVERIFY(test.value(QStringLiteral("passed")).toBool());
        QStringList steps;
        for (const QJsonValue &step : test.value(QStringLiteral("steps")).toArray()) {
            steps.append(step.toObject().value(QStringLiteral("step")).toString());
            QVERIFY(step.toObject().value(QStringLiteral("passed")).toBool());
        }
        QCOMPARE(steps, (QStringList{QStringLiteral("KMS driver"), QStringLiteral("Wrap"),
                                     QStringLiteral("Unwrap"), QStringLiteral("Compare"),
                                     QStringLiteral("Key state")}));
        // local-kms has no key to ask a KMS about, and says so rather than "enabled".
        const QJsonObject state = test.value(QStringLiteral("keyState")).toObject();
        QCOMPARE(state.value(QStringLiteral("status")).toString(), QStringLiteral("Unknown"));
        QVERIFY(!state.value(QStringLiteral("revoked")).toBool());
        // The secret never reaches the output.
        QVERIFY(!r.out.contains(m_sandbox.localSecret().toUtf8()));
    }

    void kekTestNamesTheStepThatFailed()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("LOCAL_SECRET"));
        // No secret at all: the driver step fails and nothing is wrapped.
        const Run none =
            cli({QStringLiteral("kek"), QStringLiteral("test"), QStringLiteral("retail-pii"),
                 QStringLiteral("--registry"), m_sandbox.registryUrl()},
                env);
        QCOMPARE(none.exitCode, 1);
        QVERIFY2(none.err.contains("failed the kms driver step"), none.err.constData());
        QVERIFY(none.out.contains("KMS driver") && none.out.contains("FAILED"));
        QVERIFY(!none.out.contains("Wrap"));
        // A misspelt --kms setting is a usage error that names the settings there are.
        const Run typo =
            cli({QStringLiteral("kek"), QStringLiteral("test"), QStringLiteral("retail-pii"),
                 QStringLiteral("--registry"), m_sandbox.registryUrl(), QStringLiteral("--kms"),
                 QStringLiteral("local-kms:secrett=x")},
                env);
        QCOMPARE(typo.exitCode, 64);
        QVERIFY2(typo.err.contains("has no setting 'secrett'") && typo.err.contains("secret"),
                 typo.err.constData());
        // An unknown KEK is the registry's 40470, before any KMS call.
        const Run unknown =
            cli({QStringLiteral("kek"), QStringLiteral("test"), QStringLiteral("no-such-kek"),
                 QStringLiteral("--registry"), m_sandbox.registryUrl()},
                env);
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains("40470"), unknown.err.constData());
        QVERIFY(unknown.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliBrowse)
#include "tst_cli_browse.moc"
