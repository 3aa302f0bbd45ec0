// The KEK, DEK and schema detail panes against the sandbox's demo estate over real HTTP: what
// each pane shows, that activation signals fire, that key bytes never appear, that due dates
// follow an injected clock, and that errors show inline.

#include "core/crypto/crypto.h"
#include "core/domain/clock.h"
#include "core/domain/displaytext.h"
#include "core/domain/readyfuture.h"
#include "core/net/resttransport.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/sandbox/sandbox.h"
#include "core/sandbox/sandboxstore.h"
#include "widgets/details/dekdetailpane.h"
#include "widgets/details/kekdetailpane.h"
#include "widgets/details/schemadetailpane.h"

#include <QApplication>
#include <QCryptographicHash>
#include <QDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include <memory>

using namespace kw;

namespace {

constexpr qint64 DayMs = 86'400'000;

QString labelText(const QWidget *pane, const char *name)
{
    const auto *label = pane->findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QStringLiteral("<no label %1>").arg(QLatin1String(name));
}

// Every text a pane shows: labels, table cells and tooltips.
QString allText(const QWidget *pane)
{
    QStringList parts;
    for (const QLabel *label : pane->findChildren<QLabel *>())
        parts << label->text() << label->toolTip();
    for (const QTableWidget *table : pane->findChildren<QTableWidget *>())
        for (int r = 0; r < table->rowCount(); ++r)
            for (int c = 0; c < table->columnCount(); ++c)
                if (const QTableWidgetItem *item = table->item(r, c))
                    parts << item->text();
    return parts.join(QLatin1Char('\n'));
}

bool busy(const QWidget *pane)
{
    const auto *bar = pane->findChild<QProgressBar *>();
    return bar && !bar->isHidden();
}

// The schema versions whose rules name `kek`, read straight from the store's JSON (an
// independent reading of what the pane computes through kekusage).
QStringList schemasNaming(sandbox::SandboxStore &store, const QString &kek)
{
    QStringList out;
    const QStringList subjects = store.listSubjects({}, false).value();
    for (const QString &subject : subjects) {
        // Kept in a variable: a range-for over value() of a temporary Result would dangle.
        const QList<int> versions = store.listVersions(subject, false).value();
        for (int version : versions) {
            const registry::Schema s = store.getSubjectVersion(subject, version, false).value();
            const QJsonObject props = s.metadata.value(QStringLiteral("properties")).toObject();
            for (const char *set : {"domainRules", "encodingRules"}) {
                for (const QJsonValue &v : s.ruleSet.value(QLatin1String(set)).toArray()) {
                    const QJsonObject params =
                        v.toObject().value(QStringLiteral("params")).toObject();
                    const QString named =
                        params.contains(QStringLiteral("encrypt.kek.name"))
                            ? params.value(QStringLiteral("encrypt.kek.name")).toString()
                            : props.value(QStringLiteral("encrypt.kek.name")).toString();
                    if (named == kek)
                        out << QStringLiteral("%1/%2").arg(subject).arg(version);
                }
            }
        }
    }
    out.sort();
    return out;
}

} // namespace

class TestDetailPanes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void kekPaneShowsFieldsUsageAndSubjectCount();
    void kekPaneOpensSchemas();
    void kekPaneUnknownKekShowsInlineError();
    void kekPaneDropsStaleAnswers();
    void kekPaneShowsRegistryTextPlainAndEscaped();
    void kekPaneShowsTheKmsKeysState();
    void dekPaneFingerprintsWrappedKeyOnly_data();
    void dekPaneFingerprintsWrappedKeyOnly();
    void dekPaneDueDateFollowsClock_data();
    void dekPaneDueDateFollowsClock();
    void schemaPaneShowsRulesAndTaggedFields();
    void schemaPaneUnknownSubjectShowsInlineError();
    void clearedPanesShowPlaceholders();

private:
    QThread m_sandboxThread;
    QObject *m_sandboxContext = nullptr;
    std::unique_ptr<sandbox::Sandbox> m_sandbox;
    std::shared_ptr<sandbox::SandboxStore> m_store;
    std::unique_ptr<registry::RestTransport> m_transport;
    std::shared_ptr<registry::DekRegistryClient> m_keys;
    std::shared_ptr<registry::SchemaRegistryClient> m_schemas;
};

void TestDetailPanes::initTestCase()
{
    // The sandbox's server lives in a thread with its own event loop, as in the app's --demo.
    kw::crypto::releaseThreadStateOnFinish(&m_sandboxThread); // the seed encrypts there
    m_sandboxThread.start();
    m_sandboxContext = new QObject;
    m_sandboxContext->moveToThread(&m_sandboxThread);
    Result<void> started = makeError(QStringLiteral("test.not_started"), {});
    QMetaObject::invokeMethod(
        m_sandboxContext,
        [this, &started] {
            m_sandbox = std::make_unique<sandbox::Sandbox>();
            sandbox::SandboxOptions options;
            options.seed = QStringLiteral("demo");
            started = m_sandbox->start(options);
        },
        Qt::BlockingQueuedConnection);
    QVERIFY2(started, qPrintable(started.error().message));
    m_store = m_sandbox->store();

    registry::ConnectionSettings settings;
    settings.baseUrl = QUrl(m_sandbox->registryUrl());
    m_transport = std::make_unique<registry::RestTransport>(settings);
    m_keys = std::make_shared<registry::DekRegistryClient>(m_transport.get());
    m_schemas = std::make_shared<registry::SchemaRegistryClient>(m_transport.get());
}

void TestDetailPanes::cleanupTestCase()
{
    m_keys.reset();
    m_schemas.reset();
    m_transport.reset();
    m_store.reset();
    QMetaObject::invokeMethod(
        m_sandboxContext, [this] { m_sandbox.reset(); }, Qt::BlockingQueuedConnection);
    m_sandboxContext->deleteLater();
    m_sandboxThread.quit();
    m_sandboxThread.wait();
}

void TestDetailPanes::kekPaneShowsFieldsUsageAndSubjectCount()
{
    KekDetailPane pane;
    pane.setClients(m_keys, m_schemas);
    pane.show();
    pane.showKek(QStringLiteral("retail-pii"), false);
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);

    QCOMPARE(labelText(&pane, "kekName"), QStringLiteral("retail-pii"));
    QCOMPARE(labelText(&pane, "kekKmsType"), QStringLiteral("local-kms"));
    QCOMPARE(labelText(&pane, "kekKmsKeyId"), QStringLiteral("retail-pii-2024"));
    QCOMPARE(labelText(&pane, "kekDoc"), QStringLiteral("Customer PII of the retail bank"));
    QCOMPARE(labelText(&pane, "kekDeleted"), QStringLiteral("no"));
    const registry::Kek kek = m_store->getKek(QStringLiteral("retail-pii"), false).value();
    const auto *ts = pane.findChild<QLabel *>(QStringLiteral("kekTimestamp"));
    QVERIFY(ts->toolTip().endsWith(QLatin1Char('Z')));
    QCOMPARE(QDateTime::fromString(ts->toolTip(), Qt::ISODateWithMs).toMSecsSinceEpoch(), kek.ts);

    const QStringList dekSubjects =
        m_store->listDekSubjects(QStringLiteral("retail-pii"), false).value();
    QVERIFY(!dekSubjects.isEmpty());
    QCOMPARE(labelText(&pane, "kekDekSubjectCount"), QString::number(dekSubjects.size()));

    const QStringList expected = schemasNaming(*m_store, QStringLiteral("retail-pii"));
    QVERIFY(expected.contains(QStringLiteral("customers-value/2")));
    const auto *usage = pane.findChild<QTableWidget *>(QStringLiteral("kekSchemaUsage"));
    QStringList shown;
    for (int r = 0; r < usage->rowCount(); ++r)
        shown << QStringLiteral("%1/%2").arg(usage->item(r, 0)->text(), usage->item(r, 1)->text());
    shown.sort();
    QCOMPARE(shown, expected);
    QVERIFY(pane.findChild<QWidget *>(QStringLiteral("kekDetailMessage"))->isHidden());

    // With deleted ones included, a soft-deleted KEK's subjects count too.
    pane.showKek(QStringLiteral("legacy-crm"), true);
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);
    QCOMPARE(labelText(&pane, "kekDeleted"), QStringLiteral("yes (soft-deleted)"));
    QCOMPARE(labelText(&pane, "kekDekSubjectCount"),
             QString::number(
                 m_store->listDekSubjects(QStringLiteral("legacy-crm"), true).value().size()));
}

void TestDetailPanes::kekPaneShowsTheKmsKeysState()
{
    KekDetailPane pane;
    pane.setClients(m_keys, m_schemas);
    pane.show();
    // Without a source there is nobody to ask, and the row says so.
    pane.showKek(QStringLiteral("retail-pii"), false);
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);
    QVERIFY(labelText(&pane, "kekKeyState").contains(QLatin1String("no connection")));

    // What the KMS answers, per KEK: the pane shows it with its dates, and a revoked key
    // in bold with what it means for the DEKs.
    QList<registry::Kek> asked;
    const qint64 deletion =
        QDateTime(QDate(2027, 1, 4), QTime(9, 30), QTimeZone::utc()).toMSecsSinceEpoch();
    pane.setKeyStateSource([&asked, deletion](const registry::Kek &kek) {
        asked.append(kek);
        if (kek.name == QLatin1String("retail-pii")) {
            kms::KmsKeyState state;
            state.status = kms::KmsKeyState::Status::Enabled;
            state.providerState = QStringLiteral("Enabled");
            state.currentVersion = QStringLiteral("3");
            state.autoRotation = true;
            state.rotationPeriodDays = 365;
            state.lastRotationMs =
                QDateTime(QDate(2026, 3, 1), QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
            state.nextRotationMs =
                QDateTime(QDate(2027, 3, 1), QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
            return kw::readyFuture(Result<kms::KmsKeyState>(state));
        }
        if (kek.name == QLatin1String("legacy-crm")) {
            kms::KmsKeyState state;
            state.status = kms::KmsKeyState::Status::PendingDeletion;
            state.providerState = QStringLiteral("PendingDeletion");
            state.deletionMs = deletion;
            state.autoRotation = false;
            return kw::readyFuture(Result<kms::KmsKeyState>(state));
        }
        return kw::readyFuture(Result<kms::KmsKeyState>(makeError(
            QString(kms::ErrorAccessDenied),
            QStringLiteral("AWS KMS refused DescribeKey on the key to arn:aws:iam::1:user/ops."))));
    });
    pane.showKek(QStringLiteral("retail-pii"), false);
    QTRY_VERIFY_WITH_TIMEOUT(labelText(&pane, "kekKeyState").startsWith(QLatin1String("Enabled")),
                             20000);
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.first().kmsKeyId, QStringLiteral("retail-pii-2024")); // the KEK as loaded
    QCOMPARE(labelText(&pane, "kekKeyState"), QStringLiteral("Enabled · current version 3"));
    QCOMPARE(labelText(&pane, "kekKeyRotation"),
             QStringLiteral("automatic, every 365 days; last 2026-03-01; next 2027-03-01"));

    pane.showKek(QStringLiteral("legacy-crm"), true);
    QTRY_VERIFY_WITH_TIMEOUT(labelText(&pane, "kekKeyState").startsWith(QLatin1String("Pending")),
                             20000);
    QCOMPARE(labelText(&pane, "kekKeyState"),
             QStringLiteral("Pending deletion on 2027-01-04 09:30 UTC (PendingDeletion) — once "
                            "deleted, its DEKs are lost for good"));
    QVERIFY(pane.findChild<QLabel *>(QStringLiteral("kekKeyState"))
                ->styleSheet()
                .contains(QLatin1String("bold")));
    QCOMPARE(labelText(&pane, "kekKeyRotation"), QStringLiteral("off (rotate in the KMS by hand)"));

    // A KMS that refuses: the reason is on the row, the rest of the pane is unaffected.
    pane.showKek(QStringLiteral("payments-pci"), false);
    QTRY_VERIFY_WITH_TIMEOUT(labelText(&pane, "kekKeyState").startsWith(QLatin1String("unknown")),
                             20000);
    QVERIFY(labelText(&pane, "kekKeyState").contains(QLatin1String("arn:aws:iam::1:user/ops")));
    QVERIFY(pane.findChild<QLabel *>(QStringLiteral("kekKeyState"))->styleSheet().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);
    QVERIFY(pane.findChild<QWidget *>(QStringLiteral("kekDetailMessage"))->isHidden());

    // The real local-kms driver has no key state, and says so rather than "enabled".
    const auto drivers =
        std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
    pane.setKeyStateSource([drivers](const registry::Kek &kek) {
        return drivers->keyStateFor({kek.name, kek.kmsType, kek.kmsKeyId, kek.kmsProps, kek.shared},
                                    {});
    });
    pane.showKek(QStringLiteral("retail-pii"), false);
    QTRY_VERIFY_WITH_TIMEOUT(labelText(&pane, "kekKeyState").startsWith(QLatin1String("Unknown")),
                             20000);
    QVERIFY(pane.findChild<QLabel *>(QStringLiteral("kekKeyState"))
                ->toolTip()
                .contains(QLatin1String("local-kms keys have no state")));
    QCOMPARE(labelText(&pane, "kekKeyRotation"), QStringLiteral("not reported by the KMS"));
}

void TestDetailPanes::kekPaneOpensSchemas()
{
    KekDetailPane pane;
    pane.setClients(m_keys, m_schemas);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QSignalSpy opened(&pane, &KekDetailPane::schemaActivated);
    pane.showKek(QStringLiteral("payments-pci"), false);
    auto *usage = pane.findChild<QTableWidget *>(QStringLiteral("kekSchemaUsage"));
    QTRY_VERIFY_WITH_TIMEOUT(usage->rowCount() > 0, 20000);

    // Keyboard: focus the table, pick the first row, Enter.
    usage->setFocus();
    usage->setCurrentCell(0, 0);
    QTest::keyClick(usage, Qt::Key_Return);
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.at(0).at(0).toString(), usage->item(0, 0)->text());
    QCOMPARE(opened.at(0).at(1).toInt(), usage->item(0, 1)->text().toInt());

    // Mouse: double-click the last row.
    const int last = usage->rowCount() - 1;
    usage->scrollToItem(usage->item(last, 0));
    // A real double-click starts with a press; QTest::mouseDClick sends only the second one.
    const QPoint lastCell = usage->visualItemRect(usage->item(last, 0)).center();
    QTest::mouseClick(usage->viewport(), Qt::LeftButton, {}, lastCell);
    QTest::mouseDClick(usage->viewport(), Qt::LeftButton, {},
                       usage->visualItemRect(usage->item(last, 0)).center());
    QCOMPARE(opened.count(), 2);
    QCOMPARE(opened.at(1).at(0).toString(), usage->item(last, 0)->text());
}

void TestDetailPanes::kekPaneUnknownKekShowsInlineError()
{
    KekDetailPane pane;
    pane.setClients(m_keys, m_schemas);
    pane.show();
    pane.showKek(QStringLiteral("no-such-kek"), false);
    auto *bar = pane.findChild<QWidget *>(QStringLiteral("kekDetailMessage"));
    QTRY_VERIFY_WITH_TIMEOUT(!bar->isHidden(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);
    const QString text = labelText(&pane, "kekDetailMessageText");
    QVERIFY2(text.contains(QStringLiteral("no-such-kek")), qPrintable(text));
    QVERIFY(pane.findChild<QWidget *>(QStringLiteral("kekDetailMessageRetry")));
    // Inline only: no dialog popped up anywhere.
    for (QWidget *w : QApplication::topLevelWidgets())
        QVERIFY(!(qobject_cast<QDialog *>(w) && w->isVisible()));
}

void TestDetailPanes::kekPaneDropsStaleAnswers()
{
    KekDetailPane pane;
    pane.setClients(m_keys, m_schemas);
    pane.show();
    pane.showKek(QStringLiteral("retail-pii"), false);
    pane.showKek(QStringLiteral("hr-confidential"), false);
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);
    QTest::qWait(200); // let any answer for the first selection arrive; it must be ignored
    QCOMPARE(labelText(&pane, "kekName"), QStringLiteral("hr-confidential"));
    QCOMPARE(labelText(&pane, "kekKmsKeyId"), QStringLiteral("hr-2023"));
    const auto *usage = pane.findChild<QTableWidget *>(QStringLiteral("kekSchemaUsage"));
    QStringList shown;
    for (int r = 0; r < usage->rowCount(); ++r)
        shown << QStringLiteral("%1/%2").arg(usage->item(r, 0)->text(), usage->item(r, 1)->text());
    shown.sort();
    QCOMPARE(shown, schemasNaming(*m_store, QStringLiteral("hr-confidential")));
}

// Names and docs are whatever the registry holds: markup must not render, terminal escapes and
// bidi overrides must show as escapes, and acting on a cell still uses the real name.
void TestDetailPanes::kekPaneShowsRegistryTextPlainAndEscaped()
{
    registry::Kek kek;
    kek.name = QStringLiteral("escapes-pane");
    kek.kmsType = QStringLiteral("local-kms"); // no key id format to match
    kek.kmsKeyId = QStringLiteral("<b>bold</b>\x1b]0;t\x07");
    kek.doc = QStringLiteral("<img src=x>\u202eevil\nline 2");
    kek.kmsProps.insert(QStringLiteral("note"), QStringLiteral("<b>v</b>\x1b[2J"));
    // Confluent's registry stores control characters in kmsKeyId; the sandbox's REST API
    // refuses them, so the KEK is planted the way such a registry would hold it.
    const auto planted = m_store->bulkInsert({kek}, {});
    QVERIFY2(planted, qPrintable(planted ? QString() : planted.error().message));
    // Subjects cannot hold C0 controls (the registry refuses them); bidi overrides pass.
    const QString subject = QStringLiteral("<i>esc</i>\u202e-value");
    registry::Schema schema;
    schema.schemaType = QStringLiteral("AVRO");
    schema.schema = QStringLiteral(
        R"({"type":"record","name":"R","fields":[{"name":"f","type":"string","confluent:tags":["PII"]}]})");
    schema.ruleSet = QJsonDocument::fromJson(
                         QByteArrayLiteral(R"({"domainRules":[{"name":"enc","kind":"TRANSFORM",
        "type":"ENCRYPT","mode":"WRITEREAD","tags":["PII"],
        "params":{"encrypt.kek.name":"escapes-pane"}}]})"))
                         .object();
    const auto registered = m_store->registerSchema(subject, schema);
    QVERIFY2(registered, qPrintable(registered.error().message));

    KekDetailPane pane;
    pane.setClients(m_keys, m_schemas);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QSignalSpy opened(&pane, &KekDetailPane::schemaActivated);
    pane.showKek(kek.name, false);
    auto *usage = pane.findChild<QTableWidget *>(QStringLiteral("kekSchemaUsage"));
    QTRY_VERIFY_WITH_TIMEOUT(usage->rowCount() == 1, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);

    QCOMPARE(labelText(&pane, "kekKmsKeyId"), QStringLiteral("<b>bold</b>\\x1b]0;t\\x07"));
    QCOMPARE(labelText(&pane, "kekDoc"), QStringLiteral("<img src=x>\\u202eevil\nline 2"));
    for (const char *name : {"kekName", "kekKmsKeyId", "kekDoc", "kekDetailMessageText"}) {
        const auto *label = pane.findChild<QLabel *>(QLatin1String(name));
        QVERIFY2(label && label->textFormat() == Qt::PlainText, name);
    }
    const auto *props = pane.findChild<QTableWidget *>(QStringLiteral("kekKmsProps"));
    QCOMPARE(props->item(0, 1)->text(), QStringLiteral("<b>v</b>\\x1b[2J"));
    // Tooltips render what looks like markup, so it reaches them HTML-escaped.
    QVERIFY2(props->item(0, 1)->toolTip().contains(QStringLiteral("&lt;b&gt;v&lt;/b&gt;\\x1b[2J")),
             qPrintable(props->item(0, 1)->toolTip()));
    QCOMPARE(usage->item(0, 0)->text(), QStringLiteral("<i>esc</i>\\u202e-value"));
    const QString shown = allText(&pane);
    for (QChar c : shown)
        QVERIFY2(c == QLatin1Char('\n') || !kw::isUnsafeForDisplay(c.unicode()),
                 qPrintable(QString::number(c.unicode(), 16)));

    // Opening the schema uses the subject's real name, not the escaped one shown.
    usage->setFocus();
    usage->setCurrentCell(0, 0);
    QTest::keyClick(usage, Qt::Key_Return);
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.at(0).at(0).toString(), subject);

    // An error that quotes a name shows it as plain text, escaped.
    pane.showKek(QStringLiteral("<b>gone</b>\x1b[2J"), false);
    auto *bar = pane.findChild<QWidget *>(QStringLiteral("kekDetailMessage"));
    QTRY_VERIFY_WITH_TIMEOUT(!bar->isHidden(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);
    const QString message = labelText(&pane, "kekDetailMessageText");
    QVERIFY2(message.contains(QStringLiteral("'<b>gone</b>\\x1b[2J'")), qPrintable(message));
    QCOMPARE(pane.findChild<QLabel *>(QStringLiteral("kekDetailMessageText"))->textFormat(),
             Qt::PlainText);

    QVERIFY(m_store->deleteSubject(subject, false));
    QVERIFY(m_store->deleteKek(kek.name, false));
}

void TestDetailPanes::dekPaneFingerprintsWrappedKeyOnly_data()
{
    QTest::addColumn<QString>("kek");
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QString>("algorithm");
    QTest::newRow("client-wrapped DEK")
        << QStringLiteral("retail-pii") << QStringLiteral("customers-value") << QString();
    // A shared KEK: the registry also returns the plaintext keyMaterial, which must stay hidden.
    QTest::newRow("shared KEK DEK")
        << QStringLiteral("payments-pci") << QStringLiteral("card-payments-value")
        << QStringLiteral("AES256_SIV");
}

void TestDetailPanes::dekPaneFingerprintsWrappedKeyOnly()
{
    QFETCH(QString, kek);
    QFETCH(QString, subject);
    QFETCH(QString, algorithm);
    const registry::Dek dek =
        m_store->getDek(kek, subject, sandbox::SandboxStore::LatestVersion, algorithm, false)
            .value();
    QVERIFY(!dek.encryptedKeyMaterial.isEmpty());

    DekDetailPane pane;
    pane.setClients(m_keys, m_schemas);
    pane.show();
    pane.showDek(kek, subject, -1, algorithm, false);
    QTRY_VERIFY_WITH_TIMEOUT(!labelText(&pane, "dekFingerprint").isEmpty(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);

    QString shown = labelText(&pane, "dekFingerprint");
    shown.remove(QLatin1Char(' '));
    const QByteArray sha =
        QCryptographicHash::hash(dek.encryptedKeyMaterial, QCryptographicHash::Sha256);
    QCOMPARE(shown.toLower(), QString::fromLatin1(sha.toHex()));
    QCOMPARE(labelText(&pane, "dekVersion"), QString::number(dek.version));
    QCOMPARE(labelText(&pane, "dekAlgorithm"), dek.algorithm);

    // No key bytes in any encoding, plaintext or wrapped.
    const QString everything = allText(&pane).toLower();
    QList<QByteArray> secrets{dek.encryptedKeyMaterial};
    if (!dek.keyMaterial.isEmpty())
        secrets << dek.keyMaterial;
    for (const QByteArray &bytes : std::as_const(secrets)) {
        QVERIFY(!everything.contains(QString::fromLatin1(bytes.toHex())));
        QVERIFY(!everything.contains(QString::fromLatin1(bytes.toBase64()).toLower()));
        const QString plainSha = QString::fromLatin1(
            QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        if (bytes != dek.encryptedKeyMaterial)
            QVERIFY(!shown.toLower().contains(plainSha));
    }
}

void TestDetailPanes::dekPaneDueDateFollowsClock_data()
{
    QTest::addColumn<int>("daysAfterCreation");
    QTest::addColumn<bool>("overdue");
    QTest::addColumn<QString>("fragment");
    // customers-value's latest schema encrypts with retail-pii and rotates every 90 days.
    QTest::newRow("due in 80 days") << 10 << false << QStringLiteral("in 80 days");
    QTest::newRow("overdue by 30 days") << 120 << true << QStringLiteral("30 days ago");
}

void TestDetailPanes::dekPaneDueDateFollowsClock()
{
    QFETCH(int, daysAfterCreation);
    QFETCH(bool, overdue);
    QFETCH(QString, fragment);
    const registry::Dek dek =
        m_store
            ->getDek(QStringLiteral("retail-pii"), QStringLiteral("customers-value"),
                     sandbox::SandboxStore::LatestVersion, {}, false)
            .value();
    ManualClock clock(dek.ts + qint64(daysAfterCreation) * DayMs);

    DekDetailPane pane;
    pane.setClock(&clock);
    pane.setClients(m_keys, m_schemas);
    pane.show();
    pane.showDek(QStringLiteral("retail-pii"), QStringLiteral("customers-value"), -1, {}, false);
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);
    auto *due = pane.findChild<QLabel *>(QStringLiteral("dekRotationDue"));
    QTRY_VERIFY_WITH_TIMEOUT(!due->toolTip().isEmpty(), 20000);

    QCOMPARE(labelText(&pane, "dekAge"), QStringLiteral("%1 days").arg(daysAfterCreation));
    QVERIFY2(labelText(&pane, "dekExpiry").startsWith(QStringLiteral("90 days")),
             qPrintable(labelText(&pane, "dekExpiry")));
    QCOMPARE(QDateTime::fromString(due->toolTip(), Qt::ISODateWithMs).toMSecsSinceEpoch(),
             dek.ts + 90 * DayMs);
    QCOMPARE(due->property("overdue").toBool(), overdue);
    QCOMPARE(due->text().contains(QStringLiteral("OVERDUE")), overdue);
    QVERIFY2(due->text().contains(fragment), qPrintable(due->text()));
}

void TestDetailPanes::schemaPaneShowsRulesAndTaggedFields()
{
    SchemaDetailPane pane;
    pane.setClients(m_keys, m_schemas);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QSignalSpy kekOpened(&pane, &SchemaDetailPane::kekActivated);
    pane.showSchema(QStringLiteral("customers-value"), -1, false);
    auto *fields = pane.findChild<QTableWidget *>(QStringLiteral("schemaTaggedFields"));
    QTRY_VERIFY_WITH_TIMEOUT(fields->rowCount() > 0, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!busy(&pane), 20000);

    const registry::Schema latest =
        m_store->getSubjectVersion(QStringLiteral("customers-value"), -1, false).value();
    QCOMPARE(labelText(&pane, "schemaSubject"), QStringLiteral("customers-value"));
    QCOMPARE(labelText(&pane, "schemaVersion"), QString::number(latest.version));
    QCOMPARE(labelText(&pane, "schemaId"), QString::number(latest.id));
    QCOMPARE(labelText(&pane, "schemaType"), QStringLiteral("AVRO"));

    const auto *rules = pane.findChild<QTableView *>(QStringLiteral("schemaRules"));
    QCOMPARE(rules->model()->rowCount(), 1);
    QCOMPARE(rules->model()->index(0, 1).data().toString(), QStringLiteral("encrypt-pii"));
    QCOMPARE(rules->model()->index(0, 3).data().toString(), QStringLiteral("ENCRYPT"));

    QStringList shown;
    for (int r = 0; r < fields->rowCount(); ++r)
        shown << QStringLiteral("%1:%2").arg(fields->item(r, 0)->text(),
                                             fields->item(r, 4)->text());
    shown.sort();
    QCOMPARE(shown,
             (QStringList{QStringLiteral("address.street:retail-pii"),
                          QStringLiteral("email:retail-pii"), QStringLiteral("fullName:retail-pii"),
                          QStringLiteral("ssn:retail-pii")}));

    fields->setFocus();
    fields->setCurrentCell(0, 0);
    QTest::keyClick(fields, Qt::Key_Enter);
    QCOMPARE(kekOpened.count(), 1);
    QCOMPARE(kekOpened.at(0).at(0).toString(), QStringLiteral("retail-pii"));
}

void TestDetailPanes::schemaPaneUnknownSubjectShowsInlineError()
{
    SchemaDetailPane pane;
    pane.setClients(m_keys, m_schemas);
    pane.show();
    pane.showSchema(QStringLiteral("no-such-subject"), -1, false);
    auto *bar = pane.findChild<QWidget *>(QStringLiteral("schemaDetailMessage"));
    QTRY_VERIFY_WITH_TIMEOUT(!bar->isHidden(), 20000);
    QVERIFY(!busy(&pane));
    QVERIFY(
        labelText(&pane, "schemaDetailMessageText").contains(QStringLiteral("no-such-subject")));
}

void TestDetailPanes::clearedPanesShowPlaceholders()
{
    KekDetailPane kek;
    DekDetailPane dek;
    SchemaDetailPane schema;
    kek.setClients(m_keys, m_schemas);
    kek.showKek(QStringLiteral("retail-pii"), false);
    kek.clear();
    QTest::qWait(300); // answers for the cleared selection arrive and are dropped
    QCOMPARE(labelText(&kek, "kekName"), QString());
    QVERIFY(!busy(&kek));
    for (QWidget *pane : {static_cast<QWidget *>(&kek), static_cast<QWidget *>(&dek),
                          static_cast<QWidget *>(&schema)}) {
        const QString name = pane->objectName().replace(QStringLiteral("Pane"), QString());
        QVERIFY2(pane->findChild<QLabel *>(name + QStringLiteral("Placeholder")), qPrintable(name));
    }
    // Without clients the panes say what to do instead of failing silently.
    DekDetailPane unconnected;
    unconnected.showDek(QStringLiteral("k"), QStringLiteral("s"), 1, {}, false);
    QVERIFY(labelText(&unconnected, "dekDetailMessageText").contains(QStringLiteral("Connect")));
}

QTEST_MAIN(TestDetailPanes)
#include "tst_detailpanes.moc"
