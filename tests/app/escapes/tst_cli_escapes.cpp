// keywarden-cli's table output of text that a server or a producer chose, holding terminal
// escape sequences: a KEK whose KMS key id and doc carry ESC sequences, a subject named with a
// bidi override, a record whose key clears the screen and retitles the terminal. The real CLI
// runs against an in-process sandbox holding them; what it prints must hold no control
// character a terminal acts on, only their visible escapes.

#include "core/crypto/crypto.h"
#include "core/sandbox/mockkafkacluster.h"
#include "core/sandbox/sandbox.h"
#include "core/sandbox/sandboxstore.h"
#include "support/cliprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <QThread>

namespace {

// ESC ] 0 ; ... BEL retitles the window, ESC [ 2 J clears the screen, U+202E reverses what
// follows, U+009B is the one-byte CSI.
const QString kKmsKeyId =
    QStringLiteral("arn:aws:kms:eu-west-1:1:key/\x1b]0;pwned\x07\x1b[2J\u202e\u009b2J");
const QString kDoc = QStringLiteral("doc\x1b[2J\x1b[H");
// Subjects may not hold control characters (the registry refuses them), but bidi controls pass.
const QString kSubject = QStringLiteral("esc\u202egpj.exe\u2066-value");
const QString kTopic = QStringLiteral("escapes");
const QByteArray kRecordKey = QByteArrayLiteral("\x1b]0;pwned\x07\x1b[2Jkey\r\n\xe2\x80\xae");

using Run = kw::testing::ProcessRun;

// Bytes a terminal acts on: C0 controls (the table's own newlines aside), DEL, C1 controls and
// bidi overrides as UTF-8.
QString unsafeBytesIn(const QByteArray &output)
{
    QStringList found;
    for (qsizetype i = 0; i < output.size(); ++i) {
        const auto b = static_cast<unsigned char>(output.at(i));
        if ((b < 0x20 && b != '\n') || b == 0x7f)
            found.append(QStringLiteral("0x%1 at %2").arg(b, 2, 16, QLatin1Char('0')).arg(i));
    }
    const QString text = QString::fromUtf8(output);
    for (QChar c : text) {
        const char16_t u = c.unicode();
        if ((u >= 0x80 && u <= 0x9f) || (u >= 0x202a && u <= 0x202e) ||
            (u >= 0x2066 && u <= 0x2069))
            found.append(QStringLiteral("U+%1").arg(uint(u), 4, 16, QLatin1Char('0')));
    }
    return found.join(QStringLiteral(", "));
}

} // namespace

class TestCliEscapes : public QObject
{
    Q_OBJECT

private:
    // The sandbox serves from its own thread: this one blocks while the CLI runs.
    QThread m_worker;
    QObject *m_context = nullptr;
    kw::sandbox::Sandbox *m_sandbox = nullptr;
    QString m_registry;
    QString m_bootstrap;

    static Run cli(const QStringList &args)
    {
        return kw::testing::runProcess(QStringLiteral(KEYWARDEN_CLI), args);
    }

    QStringList registry() const { return {QStringLiteral("--registry"), m_registry}; }

private Q_SLOTS:
    void initTestCase()
    {
        kw::crypto::releaseThreadStateOnFinish(&m_worker);
        m_worker.start();
        m_context = new QObject;
        m_context->moveToThread(&m_worker);
        kw::Result<void> started;
        QMetaObject::invokeMethod(
            m_context,
            [&] {
                m_sandbox = new kw::sandbox::Sandbox;
                started = m_sandbox->start();
            },
            Qt::BlockingQueuedConnection);
        QVERIFY2(started, qPrintable(started.error().message));
        m_registry = m_sandbox->registryUrl();
        m_bootstrap = m_sandbox->bootstrapServers();

        const auto store = m_sandbox->store();
        kw::registry::Kek kek;
        kek.name = QStringLiteral("escapes");
        kek.kmsType = QStringLiteral("aws-kms");
        kek.kmsKeyId = kKmsKeyId;
        kek.doc = kDoc;
        // Confluent's registry stores control characters in kmsKeyId; the sandbox's REST API
        // refuses them, so the KEK is planted the way such a registry would hold it.
        const auto planted = store->bulkInsert({kek}, {});
        QVERIFY2(planted, qPrintable(planted ? QString() : planted.error().message));
        const auto created = store->getKek(kek.name, false);
        QVERIFY2(created, qPrintable(created.error().message));
        QCOMPARE(created->kmsKeyId, kKmsKeyId);

        kw::registry::Schema schema;
        schema.schemaType = QStringLiteral("AVRO");
        schema.schema = QStringLiteral("\"string\"");
        const auto registered = store->registerSchema(kSubject, schema);
        QVERIFY2(registered, qPrintable(registered.error().message));

        kw::sandbox::MockKafkaCluster *cluster = m_sandbox->cluster();
        QVERIFY(cluster->createTopic(kTopic, 1));
        kw::sandbox::MockRecord record;
        record.topic = kTopic;
        record.partition = 0;
        record.key = kRecordKey;
        record.value = QByteArrayLiteral("not framed");
        const auto produced = cluster->produce({record});
        QVERIFY2(produced, qPrintable(produced.error().message));
    }

    void cleanupTestCase()
    {
        if (m_context) {
            QMetaObject::invokeMethod(
                m_context,
                [this] {
                    delete m_sandbox; // stops it, in the thread that started it
                    m_sandbox = nullptr;
                    delete m_context;
                },
                Qt::BlockingQueuedConnection);
        }
        m_worker.quit();
        m_worker.wait();
    }

    void keksTableEscapesKmsKeyId()
    {
        const Run r = cli(QStringList{QStringLiteral("keks")} + registry());
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(!r.out.contains('\x1b'), r.out.constData());
        QVERIFY2(unsafeBytesIn(r.out).isEmpty(), qPrintable(unsafeBytesIn(r.out)));
        // The admin sees that something is there, and what.
        QVERIFY2(r.out.contains("key/\\x1b]0;pwned\\x07\\x1b[2J\\u202e\\x9b2J"), r.out.constData());

        // JSON keeps the value intact (escaped the JSON way).
        const Run json = cli(QStringList{QStringLiteral("keks"), QStringLiteral("--format"),
                                         QStringLiteral("json")} +
                             registry());
        QCOMPARE(json.exitCode, 0);
        QVERIFY(!json.out.contains('\x1b'));
        const QJsonObject kek = QJsonDocument::fromJson(json.out.trimmed()).object();
        QCOMPARE(kek.value(QStringLiteral("kmsKeyId")).toString(), kKmsKeyId);
        QCOMPARE(kek.value(QStringLiteral("doc")).toString(), kDoc);
    }

    void subjectsTableAndSchemaTextEscapeTheSubject()
    {
        const Run subjects = cli(QStringList{QStringLiteral("subjects")} + registry());
        QCOMPARE(subjects.exitCode, 0);
        QVERIFY2(unsafeBytesIn(subjects.out).isEmpty(), qPrintable(unsafeBytesIn(subjects.out)));
        QVERIFY2(subjects.out.contains("esc\\u202egpj.exe\\u2066-value"), subjects.out.constData());

        const Run schema = cli(QStringList{QStringLiteral("schema"), kSubject} + registry());
        QCOMPARE(schema.exitCode, 0);
        QVERIFY2(unsafeBytesIn(schema.out).isEmpty(), qPrintable(unsafeBytesIn(schema.out)));
        QVERIFY2(schema.out.contains("Subject:  esc\\u202egpj.exe\\u2066-value\n"),
                 schema.out.constData());
    }

    void recordsTableEscapesTheKey()
    {
        const Run r = cli(QStringList{QStringLiteral("records"), QStringLiteral("--topic"), kTopic,
                                      QStringLiteral("--bootstrap"), m_bootstrap} +
                          registry());
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(!r.out.contains('\x1b'), r.out.constData());
        QVERIFY2(unsafeBytesIn(r.out).isEmpty(), qPrintable(unsafeBytesIn(r.out)));
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2); // the header and the one record, on one line
        QVERIFY(lines.at(0).startsWith("PART"));
        // The 16-character key column is cut before an escape, not inside it.
        QVERIFY2(lines.at(1).contains("\\x1b]0;pwned\u2026 "), lines.at(1).constData());

        // JSON lines carry the key as it is, escaped the JSON way.
        const Run json = cli(QStringList{QStringLiteral("records"), QStringLiteral("--topic"),
                                         kTopic, QStringLiteral("--bootstrap"), m_bootstrap,
                                         QStringLiteral("--format"), QStringLiteral("json")} +
                             registry());
        QCOMPARE(json.exitCode, 0);
        QVERIFY(!json.out.contains('\x1b'));
        const QJsonObject line = QJsonDocument::fromJson(json.out.trimmed()).object();
        QCOMPARE(line.value(QStringLiteral("key")).toString().toUtf8(), kRecordKey);
    }

    void errorMessagesEscapeWhatTheyQuote()
    {
        const Run r = cli(QStringList{QStringLiteral("records"), QStringLiteral("--topic"),
                                      QStringLiteral("no\x1b[2Jtopic"),
                                      QStringLiteral("--bootstrap"), m_bootstrap} +
                          registry());
        QVERIFY(r.exitCode != 0);
        QVERIFY2(unsafeBytesIn(r.err).isEmpty(), qPrintable(unsafeBytesIn(r.err)));
        QVERIFY2(r.err.contains("'no\\x1b[2Jtopic' does not exist"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliEscapes)
#include "tst_cli_escapes.moc"
