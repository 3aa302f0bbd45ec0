// SchemaRegistryClient and DekRegistryClient against the in-process sandbox registry over real
// HTTP: every DEK Registry endpoint, the Schema Registry endpoints the sandbox serves, and every
// DEK Registry error code as the clients report it.

#include "core/domain/clock.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/sandbox/sandboxserver.h"
#include "core/sandbox/sandboxstore.h"
#include "registrytestutil.h"

#include <QTest>
#include <QThread>
#include <QtConcurrent>

#include <memory>

using namespace kw;
using namespace kw::registry;
using kw::test::wait;

namespace {

constexpr qint64 T0 = 1'700'000'000'000;
const QString Secret = QStringLiteral("registry-client-test-secret");
const QByteArray Wrapped =
    QByteArray::fromHex("0102030405060708090a0b0c0d0e0f10111213141516171819");

Kek localKek(const QString &name, bool shared)
{
    Kek k;
    k.name = name;
    k.kmsType = QStringLiteral("local-kms");
    k.kmsKeyId = QStringLiteral("key-") + name;
    k.shared = shared;
    return k;
}

Dek wrappedDek(const QString &subject, int version = 1,
               const QString &algorithm = QStringLiteral("AES256_GCM"))
{
    Dek d;
    d.subject = subject;
    d.version = version;
    d.algorithm = algorithm;
    d.encryptedKeyMaterial = Wrapped;
    return d;
}

const QString AvroString = QStringLiteral(
    R"({"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"}]})");
const QString AvroString2 = QStringLiteral(
    R"({"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"n","type":"int","default":0}]})");

} // namespace

class TestRegistryClients : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void kekLifecycle();
    void kekErrors();
    void kekPaging();
    void dekLifecycle();
    void dekErrors();
    void deleteRules();
    void tooManyKeys();
    void keySourceFromWorkerThread();
    void schemaRegistryEndpoints();
    void schemaRegistryErrors();
    void basicAuth();

private:
    ManualClock m_clock{T0};
    std::shared_ptr<sandbox::SandboxStore> m_store;
    std::unique_ptr<sandbox::SandboxServer> m_server;
    std::unique_ptr<RestTransport> m_transport;
    std::unique_ptr<DekRegistryClient> m_deks;
    std::unique_ptr<SchemaRegistryClient> m_schemas;
};

void TestRegistryClients::init()
{
    m_store = std::make_shared<sandbox::SandboxStore>(m_clock);
    QVERIFY(m_store->open());
    m_store->setLocalSecret(Secret);
    m_server = std::make_unique<sandbox::SandboxServer>(m_store);
    QVERIFY(m_server->listen(0));
    ConnectionSettings s;
    s.baseUrl = QUrl(m_server->baseUrl());
    s.retryBaseMs = 1;
    s.retryMaxMs = 2;
    m_transport = std::make_unique<RestTransport>(s);
    m_deks = std::make_unique<DekRegistryClient>(m_transport.get());
    m_schemas = std::make_unique<SchemaRegistryClient>(m_transport.get());
}

void TestRegistryClients::cleanup()
{
    m_deks.reset();
    m_schemas.reset();
    m_transport.reset();
    m_server.reset();
    m_store.reset();
}

void TestRegistryClients::kekLifecycle()
{
    Kek request = localKek(QStringLiteral("kek-a"), false);
    request.doc = QStringLiteral("first");
    request.kmsProps.insert(QStringLiteral("region"), QStringLiteral("eu"));
    auto created = wait(m_deks->createKek(request));
    KW_VERIFY_OK(created);
    QCOMPARE(created->name, QStringLiteral("kek-a"));
    QCOMPARE(created->kmsType, QStringLiteral("local-kms"));
    QCOMPARE(created->kmsKeyId, QStringLiteral("key-kek-a"));
    QCOMPARE(created->doc, QStringLiteral("first"));
    QCOMPARE(created->kmsProps.value(QStringLiteral("region")), QStringLiteral("eu"));
    QVERIFY(!created->shared);
    QCOMPARE(created->ts, T0);

    auto got = wait(m_deks->getKek(QStringLiteral("kek-a")));
    KW_VERIFY_OK(got);
    QCOMPARE(got->doc, QStringLiteral("first"));

    // PUT: absent keeps, values replace, null clears.
    KekUpdate update;
    update.doc = QStringLiteral("second");
    update.shared = true;
    auto updated = wait(m_deks->updateKek(QStringLiteral("kek-a"), update));
    KW_VERIFY_OK(updated);
    QCOMPARE(updated->doc, QStringLiteral("second"));
    QVERIFY(updated->shared);
    QCOMPARE(updated->kmsProps.value(QStringLiteral("region")), QStringLiteral("eu"));
    KekUpdate clear;
    clear.clearDoc = true;
    clear.clearKmsProps = true;
    updated = wait(m_deks->updateKek(QStringLiteral("kek-a"), clear));
    KW_VERIFY_OK(updated);
    QVERIFY(updated->doc.isEmpty());
    QVERIFY(updated->kmsProps.isEmpty());
    QVERIFY(updated->shared);

    // testSharing on update and /test work for a shared local-kms KEK (server-side secret).
    auto tested = wait(m_deks->testKek(QStringLiteral("kek-a")));
    KW_VERIFY_OK(tested);
    QCOMPARE(tested->name, QStringLiteral("kek-a"));
    KW_VERIFY_OK(wait(m_deks->updateKek(QStringLiteral("kek-a"), KekUpdate{}, true)));
    KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("kek-shared"), true), true)));

    auto names = wait(m_deks->listKeks());
    KW_VERIFY_OK(names);
    QCOMPARE(*names, (QStringList{QStringLiteral("kek-a"), QStringLiteral("kek-shared")}));

    // Soft delete, list with deleted, undelete.
    KW_VERIFY_OK(wait(m_deks->deleteKek(QStringLiteral("kek-a"))));
    KW_VERIFY_ERROR(wait(m_deks->getKek(QStringLiteral("kek-a"))), "registry.40470");
    auto deleted = wait(m_deks->getKek(QStringLiteral("kek-a"), true));
    KW_VERIFY_OK(deleted);
    QVERIFY(deleted->deleted);
    names = wait(m_deks->listKeks());
    QCOMPARE(*names, QStringList{QStringLiteral("kek-shared")});
    names = wait(m_deks->listKeks({{}, true, 0, -1}));
    QCOMPARE(names->size(), 2);
    KW_VERIFY_OK(wait(m_deks->undeleteKek(QStringLiteral("kek-a"))));
    KW_VERIFY_OK(wait(m_deks->getKek(QStringLiteral("kek-a"))));

    // Soft then permanent delete.
    KW_VERIFY_OK(wait(m_deks->deleteKek(QStringLiteral("kek-a"))));
    KW_VERIFY_OK(wait(m_deks->deleteKek(QStringLiteral("kek-a"), true)));
    KW_VERIFY_ERROR(wait(m_deks->getKek(QStringLiteral("kek-a"), true)), "registry.40470");
}

void TestRegistryClients::kekErrors()
{
    KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("k1"), false))));

    // 40971: exists.
    Kek different = localKek(QStringLiteral("k1"), false);
    different.doc = QStringLiteral("other");
    auto exists = wait(m_deks->createKek(different));
    KW_VERIFY_ERROR(exists, "registry.40971");
    QVERIFY2(exists.error().message.startsWith(QStringLiteral("DEK Registry: ")),
             qPrintable(exists.error().message));
    QVERIFY2(
        exists.error().message.contains(QStringLiteral("(40971) — POST /dek-registry/v1/keks")),
        qPrintable(exists.error().message));

    // 42271: invalid name, aws key id not an ARN, missing kmsType.
    KW_VERIFY_ERROR(wait(m_deks->createKek(localKek(QStringLiteral("1bad"), false))),
                    "registry.42271");
    Kek aws = localKek(QStringLiteral("aws1"), false);
    aws.kmsType = QStringLiteral("aws-kms");
    KW_VERIFY_ERROR(wait(m_deks->createKek(aws)), "registry.42271");
    Kek noType = localKek(QStringLiteral("notype"), false);
    noType.kmsType.clear();
    KW_VERIFY_ERROR(wait(m_deks->createKek(noType)), "registry.42271");
    // 42271: /test on a KEK that is not shared.
    KW_VERIFY_ERROR(wait(m_deks->testKek(QStringLiteral("k1"))), "registry.42271");

    // 40470: missing KEK on get, update, delete, undelete and DEK listing.
    auto missing = wait(m_deks->getKek(QStringLiteral("nope")));
    KW_VERIFY_ERROR(missing, "registry.40470");
    QVERIFY2(missing.error().message.contains(QStringLiteral("GET /dek-registry/v1/keks/nope")),
             qPrintable(missing.error().message));
    KW_VERIFY_ERROR(wait(m_deks->updateKek(QStringLiteral("nope"), KekUpdate{})), "registry.40470");
    KW_VERIFY_ERROR(wait(m_deks->deleteKek(QStringLiteral("nope"))), "registry.40470");
    KW_VERIFY_ERROR(wait(m_deks->undeleteKek(QStringLiteral("nope"))), "registry.40470");
    KW_VERIFY_ERROR(wait(m_deks->listDekSubjects(QStringLiteral("nope"))), "registry.40470");

    // 40470: PUT on a soft-deleted KEK.
    KW_VERIFY_OK(wait(m_deks->deleteKek(QStringLiteral("k1"))));
    KekUpdate update;
    update.doc = QStringLiteral("x");
    KW_VERIFY_ERROR(wait(m_deks->updateKek(QStringLiteral("k1"), update)), "registry.40470");

    // 40471: permanent delete before soft delete.
    KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("k2"), false))));
    auto notSoft = wait(m_deks->deleteKek(QStringLiteral("k2"), true));
    KW_VERIFY_ERROR(notSoft, "registry.40471");
    QVERIFY(notSoft.error().message.contains(QStringLiteral("Soft-delete it first")));
}

void TestRegistryClients::kekPaging()
{
    for (int i = 0; i < 7; ++i)
        KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("page%1").arg(i), false))));
    auto page = wait(m_deks->listKeks({{}, false, 2, 3}));
    KW_VERIFY_OK(page);
    QCOMPARE(*page, (QStringList{QStringLiteral("page2"), QStringLiteral("page3"),
                                 QStringLiteral("page4")}));
    for (int size : {1, 2, 3, 7, 100}) {
        auto all = wait(m_deks->listAllKeks(size));
        KW_VERIFY_OK(all);
        QCOMPARE(all->size(), 7);
        QCOMPARE(all->first(), QStringLiteral("page0"));
        QCOMPARE(all->last(), QStringLiteral("page6"));
    }

    // subjectPrefix (repeatable) selects KEKs by their DEK subjects.
    KW_VERIFY_OK(wait(m_deks->createDek(QStringLiteral("page1"),
                                        wrappedDek(QStringLiteral("orders-value")), false)));
    KW_VERIFY_OK(wait(m_deks->createDek(QStringLiteral("page5"),
                                        wrappedDek(QStringLiteral("users-value")), false)));
    auto byPrefix = wait(m_deks->listKeks({{QStringLiteral("orders")}, false, 0, -1}));
    KW_VERIFY_OK(byPrefix);
    QCOMPARE(*byPrefix, QStringList{QStringLiteral("page1")});
    byPrefix =
        wait(m_deks->listKeks({{QStringLiteral("orders"), QStringLiteral("users")}, false, 0, -1}));
    QCOMPARE(*byPrefix, (QStringList{QStringLiteral("page1"), QStringLiteral("page5")}));
    byPrefix = wait(m_deks->listAllKeks(1, {QStringLiteral("users")}));
    QCOMPARE(*byPrefix, QStringList{QStringLiteral("page5")});
}

void TestRegistryClients::dekLifecycle()
{
    KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("k"), false))));
    KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("shared"), true))));
    // Subjects with characters that must be percent-encoded.
    const QString subject = QStringLiteral("team a/orders:v%1-value");

    auto v1 = wait(m_deks->createDek(QStringLiteral("k"), wrappedDek(subject), false));
    KW_VERIFY_OK(v1);
    QCOMPARE(v1->kekName, QStringLiteral("k"));
    QCOMPARE(v1->subject, subject);
    QCOMPARE(v1->version, 1);
    QCOMPARE(v1->algorithm, QStringLiteral("AES256_GCM"));
    QCOMPARE(v1->encryptedKeyMaterial, Wrapped);
    QVERIFY(v1->keyMaterial.isEmpty());
    m_clock.advanceMs(1000);
    KW_VERIFY_OK(wait(m_deks->createDek(QStringLiteral("k"), wrappedDek(subject, 2), false)));
    KW_VERIFY_OK(wait(m_deks->createDek(
        QStringLiteral("k"), wrappedDek(subject, 1, QStringLiteral("AES256_SIV")), false)));
    KW_VERIFY_OK(
        wait(m_deks->createDek(QStringLiteral("k"), wrappedDek(QStringLiteral("b-value")), false)));

    // GET .../deks/{s} is version 1; the algorithm parameter selects SIV.
    auto first = wait(m_deks->getDek(QStringLiteral("k"), subject));
    KW_VERIFY_OK(first);
    QCOMPARE(first->version, 1);
    auto siv = wait(m_deks->getDek(QStringLiteral("k"), subject, QStringLiteral("AES256_SIV")));
    KW_VERIFY_OK(siv);
    QCOMPARE(siv->algorithm, QStringLiteral("AES256_SIV"));

    auto latest = wait(m_deks->getDekVersion(QStringLiteral("k"), subject, -1));
    KW_VERIFY_OK(latest);
    QCOMPARE(latest->version, 2);
    QCOMPARE(latest->ts, T0 + 1000);
    auto second =
        wait(m_deks->getDekVersion(QStringLiteral("k"), subject, 2, QStringLiteral("AES256_GCM")));
    KW_VERIFY_OK(second);
    QCOMPARE(second->version, 2);

    auto versions = wait(m_deks->listDekVersions(QStringLiteral("k"), subject));
    KW_VERIFY_OK(versions);
    QCOMPARE(*versions, (QList<int>{1, 2}));
    versions =
        wait(m_deks->listDekVersions(QStringLiteral("k"), subject, QStringLiteral("AES256_SIV")));
    QCOMPARE(*versions, QList<int>{1});
    versions = wait(m_deks->listAllDekVersions(QStringLiteral("k"), subject, {}, 1));
    KW_VERIFY_OK(versions);
    QCOMPARE(*versions, (QList<int>{1, 2}));

    auto subjects = wait(m_deks->listDekSubjects(QStringLiteral("k")));
    KW_VERIFY_OK(subjects);
    QCOMPARE(*subjects, (QStringList{QStringLiteral("b-value"), subject}));
    subjects = wait(m_deks->listAllDekSubjects(QStringLiteral("k"), 1));
    KW_VERIFY_OK(subjects);
    QCOMPARE(subjects->size(), 2);
    subjects = wait(m_deks->listDekSubjects(QStringLiteral("k"), {false, 1, 1}));
    QCOMPARE(*subjects, QStringList{subject});

    // Shared KEK: the registry generates the DEK and returns keyMaterial.
    Dek generated;
    generated.subject = QStringLiteral("gen-value");
    auto gen = wait(m_deks->createDek(QStringLiteral("shared"), generated, false));
    KW_VERIFY_OK(gen);
    QVERIFY(!gen->keyMaterial.isEmpty());
    QVERIFY(!gen->encryptedKeyMaterial.isEmpty());
    auto fetched = wait(m_deks->getDek(QStringLiteral("shared"), QStringLiteral("gen-value")));
    KW_VERIFY_OK(fetched);
    QCOMPARE(fetched->keyMaterial, gen->keyMaterial);
    // rewrap re-wraps an existing DEK.
    auto rewrapped = wait(m_deks->createDek(QStringLiteral("shared"), generated, true));
    KW_VERIFY_OK(rewrapped);
    QCOMPARE(rewrapped->keyMaterial, gen->keyMaterial);

    // Soft delete one version, read it with deleted=true, undelete it.
    KW_VERIFY_OK(wait(m_deks->deleteDekVersion(QStringLiteral("k"), subject, 2)));
    KW_VERIFY_ERROR(wait(m_deks->getDekVersion(QStringLiteral("k"), subject, 2)), "registry.40470");
    auto soft = wait(m_deks->getDekVersion(QStringLiteral("k"), subject, 2, {}, true));
    KW_VERIFY_OK(soft);
    QVERIFY(soft->deleted);
    versions = wait(m_deks->listDekVersions(QStringLiteral("k"), subject, {}, {true, 0, -1}));
    QCOMPARE(*versions, (QList<int>{1, 2}));
    KW_VERIFY_OK(wait(m_deks->undeleteDekVersion(QStringLiteral("k"), subject, 2)));
    KW_VERIFY_OK(wait(m_deks->getDekVersion(QStringLiteral("k"), subject, 2)));

    // Delete all versions of one algorithm, undelete, then permanently delete.
    KW_VERIFY_OK(wait(m_deks->deleteDek(QStringLiteral("k"), subject)));
    KW_VERIFY_ERROR(wait(m_deks->getDek(QStringLiteral("k"), subject)), "registry.40470");
    KW_VERIFY_OK(wait(m_deks->getDek(QStringLiteral("k"), subject, QStringLiteral("AES256_SIV"))));
    KW_VERIFY_OK(wait(m_deks->undeleteDek(QStringLiteral("k"), subject)));
    KW_VERIFY_OK(wait(m_deks->getDek(QStringLiteral("k"), subject)));
    KW_VERIFY_OK(wait(m_deks->deleteDekVersion(QStringLiteral("k"), subject, 2)));
    KW_VERIFY_OK(wait(m_deks->deleteDekVersion(QStringLiteral("k"), subject, 2, {}, true)));
    KW_VERIFY_ERROR(wait(m_deks->getDekVersion(QStringLiteral("k"), subject, 2, {}, true)),
                    "registry.40470");
    KW_VERIFY_OK(
        wait(m_deks->deleteDek(QStringLiteral("k"), subject, QStringLiteral("AES256_SIV"))));
    KW_VERIFY_OK(
        wait(m_deks->deleteDek(QStringLiteral("k"), subject, QStringLiteral("AES256_SIV"), true)));
    KW_VERIFY_ERROR(
        wait(m_deks->getDek(QStringLiteral("k"), subject, QStringLiteral("AES256_SIV"), true)),
        "registry.40470");
}

void TestRegistryClients::dekErrors()
{
    KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("k"), false))));
    KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("shared"), true))));
    KW_VERIFY_OK(
        wait(m_deks->createDek(QStringLiteral("k"), wrappedDek(QStringLiteral("s")), false)));

    // 40470: DEK of a missing KEK, missing DEK, missing version.
    KW_VERIFY_ERROR(
        wait(m_deks->createDek(QStringLiteral("nope"), wrappedDek(QStringLiteral("s")), false)),
        "registry.40470");
    KW_VERIFY_ERROR(wait(m_deks->getDek(QStringLiteral("k"), QStringLiteral("other"))),
                    "registry.40470");
    KW_VERIFY_ERROR(wait(m_deks->getDekVersion(QStringLiteral("k"), QStringLiteral("s"), 9)),
                    "registry.40470");
    KW_VERIFY_ERROR(wait(m_deks->listDekVersions(QStringLiteral("nope"), QStringLiteral("s"))),
                    "registry.40470");

    // 42271: no encryptedKeyMaterial for a KEK that is not shared; empty subject.
    Dek noMaterial;
    noMaterial.subject = QStringLiteral("t");
    KW_VERIFY_ERROR(wait(m_deks->createDek(QStringLiteral("k"), noMaterial, false)),
                    "registry.42271");
    KW_VERIFY_ERROR(wait(m_deks->createDek(QStringLiteral("k"),
                                           wrappedDek(QStringLiteral("bad\x01subject")), false)),
                    "registry.42271");

    // 40971: the version exists (shared KEK, material given).
    Dek generated;
    generated.subject = QStringLiteral("g");
    KW_VERIFY_OK(wait(m_deks->createDek(QStringLiteral("shared"), generated, false)));
    KW_VERIFY_ERROR(
        wait(m_deks->createDek(QStringLiteral("shared"), wrappedDek(QStringLiteral("g")), false)),
        "registry.40971");

    // 42202: invalid versions.
    for (int bad : {0, -2}) {
        auto invalid = wait(m_deks->getDekVersion(QStringLiteral("k"), QStringLiteral("s"), bad));
        KW_VERIFY_ERROR(invalid, "registry.42202");
        KW_VERIFY_ERROR(
            wait(m_deks->deleteDekVersion(QStringLiteral("k"), QStringLiteral("s"), bad)),
            "registry.42202");
        KW_VERIFY_ERROR(
            wait(m_deks->undeleteDekVersion(QStringLiteral("k"), QStringLiteral("s"), bad)),
            "registry.42202");
    }

    // 40471: permanent DEK delete before soft delete (all versions and one version).
    KW_VERIFY_ERROR(wait(m_deks->deleteDek(QStringLiteral("k"), QStringLiteral("s"), {}, true)),
                    "registry.40471");
    KW_VERIFY_ERROR(
        wait(m_deks->deleteDekVersion(QStringLiteral("k"), QStringLiteral("s"), 1, {}, true)),
        "registry.40471");
}

void TestRegistryClients::deleteRules()
{
    KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("k"), false))));
    KW_VERIFY_OK(
        wait(m_deks->createDek(QStringLiteral("k"), wrappedDek(QStringLiteral("s")), false)));

    // 42272: soft-deleting a KEK that has live DEKs.
    auto refs = wait(m_deks->deleteKek(QStringLiteral("k")));
    KW_VERIFY_ERROR(refs, "registry.42272");
    QVERIFY(refs.error().message.contains(QStringLiteral("Delete its DEKs first")));

    KW_VERIFY_OK(wait(m_deks->deleteDek(QStringLiteral("k"), QStringLiteral("s"))));
    KW_VERIFY_OK(wait(m_deks->deleteKek(QStringLiteral("k"))));

    // 40472: undeleting DEKs while their KEK is soft-deleted.
    auto mustUndelete = wait(m_deks->undeleteDek(QStringLiteral("k"), QStringLiteral("s")));
    KW_VERIFY_ERROR(mustUndelete, "registry.40472");
    QVERIFY(mustUndelete.error().message.contains(QStringLiteral("Undelete its KEK first")));
    KW_VERIFY_ERROR(wait(m_deks->undeleteDekVersion(QStringLiteral("k"), QStringLiteral("s"), 1)),
                    "registry.40472");

    // 42272: permanently deleting a KEK that still has (soft-deleted) DEKs.
    KW_VERIFY_ERROR(wait(m_deks->deleteKek(QStringLiteral("k"), true)), "registry.42272");
    KW_VERIFY_OK(wait(m_deks->deleteDek(QStringLiteral("k"), QStringLiteral("s"), {}, true)));
    KW_VERIFY_OK(wait(m_deks->deleteKek(QStringLiteral("k"), true)));
    auto names = wait(m_deks->listKeks({{}, true, 0, -1}));
    KW_VERIFY_OK(names);
    QVERIFY(names->isEmpty());
}

void TestRegistryClients::tooManyKeys()
{
    m_store->setMaxKeys(2);
    KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("k1"), false))));
    KW_VERIFY_OK(
        wait(m_deks->createDek(QStringLiteral("k1"), wrappedDek(QStringLiteral("s")), false)));
    auto full = wait(m_deks->createKek(localKek(QStringLiteral("k2"), false)));
    KW_VERIFY_ERROR(full, "registry.40972");
    QVERIFY(full.error().message.contains(QStringLiteral("dek.registry.max.keys")));
    KW_VERIFY_ERROR(
        wait(m_deks->createDek(QStringLiteral("k1"), wrappedDek(QStringLiteral("s"), 2), false)),
        "registry.40972");
}

void TestRegistryClients::keySourceFromWorkerThread()
{
    KW_VERIFY_OK(wait(m_deks->createKek(localKek(QStringLiteral("k"), false))));
    engine::KeySource *keys = m_deks.get();
    QThread *mainThread = QThread::currentThread();
    // The engine calls the KeySource and blocks on it from a worker thread.
    QFuture<QString> worker = QtConcurrent::run([keys, mainThread]() -> QString {
        if (QThread::currentThread() == mainThread)
            return QStringLiteral("ran on the main thread");
        auto kek = engine::awaitResult(keys->kek(QStringLiteral("k"), false));
        if (!kek)
            return kek.error().code;
        auto missing =
            engine::awaitResult(keys->dek(QStringLiteral("k"), QStringLiteral("s"), -1, {}, false));
        if (missing || missing.error().code != QLatin1String("registry.40470"))
            return QStringLiteral("expected 40470");
        auto created = engine::awaitResult(
            keys->createDek(QStringLiteral("k"), wrappedDek(QStringLiteral("s"))));
        if (!created)
            return created.error().code;
        auto latest = engine::awaitResult(keys->dek(QStringLiteral("k"), QStringLiteral("s"), -1,
                                                    QStringLiteral("AES256_GCM"), true));
        if (!latest)
            return latest.error().code;
        return QStringLiteral("%1/%2/%3").arg(kek->name, latest->subject).arg(latest->version);
    });
    QTRY_VERIFY_WITH_TIMEOUT(worker.isFinished(), 20000);
    QCOMPARE(worker.result(), QStringLiteral("k/s/1"));
}

void TestRegistryClients::schemaRegistryEndpoints()
{
    const QString subject = QStringLiteral("shop orders/value");
    Schema request;
    request.schema = AvroString;
    request.metadata =
        QJsonObject{{QStringLiteral("properties"),
                     QJsonObject{{QStringLiteral("owner"), QStringLiteral("team-a")}}}};
    auto id1 = wait(m_schemas->registerSchema(subject, request));
    KW_VERIFY_OK(id1);
    QVERIFY(*id1 > 0);
    Schema request2 = request;
    request2.schema = AvroString2;
    auto id2 = wait(m_schemas->registerSchema(subject, request2));
    KW_VERIFY_OK(id2);
    QVERIFY(*id2 != *id1);
    auto again = wait(m_schemas->registerSchema(subject, request));
    KW_VERIFY_OK(again);
    QCOMPARE(*again, *id1);

    auto subjects = wait(m_schemas->subjects());
    KW_VERIFY_OK(subjects);
    QCOMPARE(*subjects, QStringList{subject});
    subjects = wait(m_schemas->subjects({QStringLiteral("shop"), false, false, 0, -1}));
    QCOMPARE(*subjects, QStringList{subject});
    subjects = wait(m_schemas->subjects({QStringLiteral("nothing"), false, false, 0, -1}));
    QVERIFY(subjects->isEmpty());
    auto allSubjects = wait(m_schemas->allSubjects({}, false, 1));
    KW_VERIFY_OK(allSubjects);
    QCOMPARE(*allSubjects, QStringList{subject});

    auto versions = wait(m_schemas->versions(subject));
    KW_VERIFY_OK(versions);
    QCOMPARE(*versions, (QList<int>{1, 2}));

    auto latest = wait(m_schemas->version(subject, -1));
    KW_VERIFY_OK(latest);
    QCOMPARE(latest->version, 2);
    QCOMPARE(latest->id, *id2);
    QCOMPARE(latest->subject, subject);
    auto v1 = wait(m_schemas->version(subject, 1));
    KW_VERIFY_OK(v1);
    QCOMPARE(v1->id, *id1);
    QVERIFY(v1->schema.contains(QStringLiteral("Order")));

    auto raw = wait(m_schemas->rawSchema(subject, 1));
    KW_VERIFY_OK(raw);
    QVERIFY(raw->contains("\"Order\""));

    auto byId = wait(m_schemas->schemaById(*id1, SchemaFormatOptions{}));
    KW_VERIFY_OK(byId);
    QCOMPARE(byId->id, *id1);
    QVERIFY(byId->schema.contains(QStringLiteral("Order")));
    auto viaSource = wait(static_cast<engine::SchemaSource *>(m_schemas.get())->schemaById(*id1));
    KW_VERIFY_OK(viaSource);
    QCOMPARE(viaSource->schema, byId->schema);

    auto idSubjects = wait(m_schemas->subjectsForId(*id1));
    KW_VERIFY_OK(idSubjects);
    QCOMPARE(*idSubjects, QStringList{subject});
    auto idVersions = wait(m_schemas->versionsForId(*id1));
    KW_VERIFY_OK(idVersions);
    QCOMPARE(*idVersions, (QList<SubjectVersion>{{subject, 1}}));
    auto rawById = wait(m_schemas->rawSchemaById(*id1));
    KW_VERIFY_OK(rawById);
    QVERIFY(rawById->contains("\"Order\""));

    QVERIFY(!v1->guid.isEmpty());
    auto byGuid = wait(m_schemas->schemaByGuid(v1->guid));
    KW_VERIFY_OK(byGuid);
    QCOMPARE(byGuid->schema, byId->schema);
    auto viaGuid =
        wait(static_cast<engine::SchemaSource *>(m_schemas.get())->schemaByGuid(QUuid(v1->guid)));
    KW_VERIFY_OK(viaGuid);
    auto guidIds = wait(m_schemas->idsForGuid(v1->guid));
    KW_VERIFY_OK(guidIds);
    QCOMPARE(*guidIds, QList<int>{*id1});

    // Both versions carry owner=team-a: the latest one matches; an unknown value matches none.
    auto byMetadata = wait(m_schemas->latestWithMetadata(
        subject, {{QStringLiteral("owner"), QStringLiteral("team-a")}}));
    KW_VERIFY_OK(byMetadata);
    QCOMPARE(byMetadata->version, 2);
    auto noMetadata = wait(m_schemas->latestWithMetadata(
        subject, {{QStringLiteral("owner"), QStringLiteral("team-z")}}));
    QVERIFY(!noMetadata);
    QCOMPARE(noMetadata.error().code, QStringLiteral("registry.40402"));

    auto types = wait(m_schemas->schemaTypes());
    KW_VERIFY_OK(types);
    QVERIFY(types->contains(QStringLiteral("AVRO")));

    auto all = wait(m_schemas->schemas());
    KW_VERIFY_OK(all);
    QCOMPARE(all->size(), 2);
    auto latestOnly = wait(m_schemas->schemas({QStringLiteral("shop"), false, true, {}, 0, -1}));
    KW_VERIFY_OK(latestOnly);
    QCOMPARE(latestOnly->size(), 1);
    QCOMPARE(latestOnly->first().version, 2);

    auto found = wait(m_schemas->lookup(subject, request));
    KW_VERIFY_OK(found);
    QCOMPARE(found->version, 1);
    QCOMPARE(found->id, *id1);

    auto referencing = wait(m_schemas->referencedBy(subject, 1));
    KW_VERIFY_OK(referencing);
    QVERIFY(referencing->isEmpty());

    auto config = wait(m_schemas->config());
    KW_VERIFY_OK(config);
    QVERIFY(config->contains(QStringLiteral("compatibilityLevel")));

    // SchemaSource::schemaVersion reads soft-deleted explicit versions too.
    auto deletedVersion = wait(m_schemas->deleteVersion(subject, 1));
    KW_VERIFY_OK(deletedVersion);
    QCOMPARE(*deletedVersion, 1);
    KW_VERIFY_ERROR(wait(m_schemas->version(subject, 1)), "registry.40402");
    KW_VERIFY_OK(
        wait(static_cast<engine::SchemaSource *>(m_schemas.get())->schemaVersion(subject, 1)));
    auto withDeleted = wait(m_schemas->versions(subject, {true, false, false, 0, -1}));
    QCOMPARE(*withDeleted, (QList<int>{1, 2}));
    KW_VERIFY_OK(wait(m_schemas->deleteVersion(subject, 1, true)));

    auto deletedSubject = wait(m_schemas->deleteSubject(subject));
    KW_VERIFY_OK(deletedSubject);
    QCOMPARE(*deletedSubject, QList<int>{2});
    subjects = wait(m_schemas->subjects({{}, false, true, 0, -1}));
    KW_VERIFY_OK(subjects);
    QCOMPARE(*subjects, QStringList{subject});
    KW_VERIFY_OK(wait(m_schemas->deleteSubject(subject, true)));
    subjects = wait(m_schemas->subjects({{}, true, false, 0, -1}));
    QVERIFY(subjects->isEmpty());
}

void TestRegistryClients::schemaRegistryErrors()
{
    KW_VERIFY_ERROR(wait(m_schemas->versions(QStringLiteral("missing"))), "registry.40401");
    auto notFound = wait(m_schemas->version(QStringLiteral("missing"), -1));
    KW_VERIFY_ERROR(notFound, "registry.40401");
    QVERIFY2(notFound.error().message.startsWith(QStringLiteral("Schema Registry: ")),
             qPrintable(notFound.error().message));
    QVERIFY2(
        notFound.error().message.contains(QStringLiteral("GET /subjects/missing/versions/latest")),
        qPrintable(notFound.error().message));
    Schema request;
    request.schema = AvroString;
    KW_VERIFY_OK(wait(m_schemas->registerSchema(QStringLiteral("s"), request)));
    KW_VERIFY_ERROR(wait(m_schemas->version(QStringLiteral("s"), 7)), "registry.40402");
    KW_VERIFY_ERROR(wait(m_schemas->version(QStringLiteral("s"), 0)), "registry.42202");
    KW_VERIFY_ERROR(wait(m_schemas->schemaById(424242, SchemaFormatOptions{})), "registry.40403");
    KW_VERIFY_ERROR(wait(m_schemas->deleteSubject(QStringLiteral("s"), true)), "registry.40405");
    Schema other;
    other.schema = AvroString2;
    KW_VERIFY_ERROR(wait(m_schemas->lookup(QStringLiteral("s"), other)), "registry.40403");
    Schema broken;
    broken.schema = QStringLiteral("{not avro");
    KW_VERIFY_ERROR(wait(m_schemas->registerSchema(QStringLiteral("s"), broken)), "registry.42201");
}

void TestRegistryClients::basicAuth()
{
    m_server->setBasicAuth(QStringLiteral("user"), QStringLiteral("pa:ss"));
    KW_VERIFY_ERROR(wait(m_deks->listKeks()), "registry.401");

    ConnectionSettings s = m_transport->settings();
    s.auth = AuthSettings::basic(QStringLiteral("user"), QStringLiteral("wrong"));
    RestTransport wrong(s);
    KW_VERIFY_ERROR(wait(DekRegistryClient(&wrong).listKeks()), "registry.401");

    s.auth = AuthSettings::basic(QStringLiteral("user"), QStringLiteral("pa:ss"));
    RestTransport right(s);
    auto names = wait(DekRegistryClient(&right).listKeks());
    KW_VERIFY_OK(names);
    QVERIFY(names->isEmpty());
}

QTEST_GUILESS_MAIN(TestRegistryClients)
#include "tst_registryclients.moc"
