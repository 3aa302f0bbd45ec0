// The sandbox's DEK Registry over real HTTP: every rule of spec csfle-facts §1.5 and every
// DEK Registry error code, against a SandboxServer on a free port.

#include "core/crypto/crypto.h"
#include "core/kms/localkms.h"
#include "core/sandbox/sandboxserver.h"
#include "core/sandbox/sandboxstore.h"
#include "httptestclient.h"

#include <QTest>

#include <memory>

using namespace kw;
using namespace kw::sandbox;

namespace {

const QString Keks = QStringLiteral("/dek-registry/v1/keks");
const QString Secret = QStringLiteral("sandbox-test-secret");
constexpr qint64 T0 = 1'700'000'000'000;

QJsonObject localKek(const QString &name, bool shared, const QString &doc = {})
{
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("kmsType"), QStringLiteral("local-kms")},
                  {QStringLiteral("kmsKeyId"), QString(QStringLiteral("key-") + name)},
                  {QStringLiteral("shared"), shared}};
    if (!doc.isEmpty())
        o.insert(QStringLiteral("doc"), doc);
    return o;
}

QString wrappedB64(const QByteArray &plain)
{
    const crypto::SecureBytes key = kms::LocalKmsDriver::deriveKey(Secret);
    return QString::fromLatin1(crypto::aesGcmEncrypt(key, plain).value().toBase64());
}

} // namespace

class TestDekRegistryHttp : public QObject
{
    Q_OBJECT

private:
    ManualClock m_clock{T0};
    std::shared_ptr<SandboxStore> m_store;
    std::unique_ptr<SandboxServer> m_server;
    std::unique_ptr<HttpTestClient> m_http;

    TestReply createKek(const QString &name, bool shared, const QString &doc = {})
    {
        return m_http->post(Keks, localKek(name, shared, doc));
    }
    TestReply createDek(const QString &kek, const QString &subject, const QJsonObject &body = {},
                        const QString &query = {})
    {
        return m_http->post(
            Keks + QLatin1Char('/') + kek + QStringLiteral("/deks/") + subject + query, body);
    }
    QString dekPath(const QString &kek, const QString &subject)
    {
        return Keks + QLatin1Char('/') + kek + QStringLiteral("/deks/") + subject;
    }

private Q_SLOTS:
    void init()
    {
        m_clock.setNowMs(T0);
        m_store = std::make_shared<SandboxStore>(m_clock);
        QVERIFY(m_store->open());
        m_store->setLocalSecret(Secret);
        m_server = std::make_unique<SandboxServer>(m_store);
        QVERIFY(m_server->listen(0));
        QVERIFY(m_server->port() != 0);
        QCOMPARE(m_server->baseUrl(), QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        m_http = std::make_unique<HttpTestClient>(m_server->baseUrl());
    }

    void cleanup()
    {
        m_http.reset();
        m_server.reset();
        m_store.reset();
    }

    void kekCreateAndGet()
    {
        const TestReply created = createKek(QStringLiteral("kek1"), false, QStringLiteral("d"));
        QCOMPARE(created.status, 200);
        QCOMPARE(created.contentType, QByteArray("application/vnd.schemaregistry.v1+json"));
        const QJsonObject kek = created.object();
        QCOMPARE(kek.value(QStringLiteral("name")).toString(), QStringLiteral("kek1"));
        QCOMPARE(kek.value(QStringLiteral("kmsType")).toString(), QStringLiteral("local-kms"));
        QVERIFY(kek.value(QStringLiteral("kmsProps")).isObject());
        QCOMPARE(kek.value(QStringLiteral("shared")).toBool(), false);
        QCOMPARE(kek.value(QStringLiteral("ts")).toInteger(), T0);
        QVERIFY(!kek.contains(QStringLiteral("deleted")));

        const TestReply got = m_http->get(Keks + QStringLiteral("/kek1"));
        QCOMPARE(got.status, 200);
        QCOMPARE(got.object(), kek);

        const TestReply missing = m_http->get(Keks + QStringLiteral("/nope"));
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.errorCode(), 40470);
        QCOMPARE(missing.object().value(QStringLiteral("message")).toString(),
                 QStringLiteral("Key 'nope' not found"));
    }

    void kekNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("letters") << QStringLiteral("abc") << true;
        QTest::newRow("underscore first") << QStringLiteral("_a1") << true;
        QTest::newRow("dash inside") << QStringLiteral("a-b_c9") << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("digit first") << QStringLiteral("1abc") << false;
        QTest::newRow("dot") << QStringLiteral("a.b") << false;
        QTest::newRow("space") << QStringLiteral("a b") << false;
        QTest::newRow("too long") << QString(257, QLatin1Char('a')) << false;
        QTest::newRow("C0 control") << QStringLiteral("a\u0001b") << false;
        QTest::newRow("newline") << QStringLiteral("ab\n") << false;
        QTest::newRow("DEL") << QStringLiteral("a\u007fb") << false;
        QTest::newRow("C1 control") << QStringLiteral("a\u0085b") << false;
    }

    void kekNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        const TestReply reply = createKek(name, false);
        if (valid) {
            QCOMPARE(reply.status, 200);
        } else {
            QCOMPARE(reply.status, 422);
            QCOMPARE(reply.errorCode(), 42271);
            QVERIFY(reply.object()
                        .value(QStringLiteral("message"))
                        .toString()
                        .contains(QStringLiteral("'name'")));
        }
    }

    void kmsTypes_data()
    {
        QTest::addColumn<QString>("kmsType");
        QTest::addColumn<QString>("kmsKeyId");
        QTest::addColumn<QString>("expectedType"); // empty: 42271
        QTest::newRow("AWS") << "AWS"
                             << "arn:aws:kms:eu-west-1:1:key/x"
                             << "aws-kms";
        QTest::newRow("aws-kms") << "aws-kms"
                                 << "arn:aws:kms:eu-west-1:1:key/x"
                                 << "aws-kms";
        QTest::newRow("aws bad id") << "aws-kms"
                                    << "alias/x"
                                    << "";
        QTest::newRow("Azure") << "AzureKeyVault"
                               << "https://v.vault.azure.net/keys/k"
                               << "azure-kms";
        QTest::newRow("azure bad id") << "azure-kms"
                                      << "v.vault.azure.net"
                                      << "";
        QTest::newRow("gcp") << "GCP"
                             << "projects/p/locations/l/keyRings/r/cryptoKeys/k"
                             << "gcp-kms";
        QTest::newRow("gcp bad id") << "gcp-kms"
                                    << "p/l"
                                    << "";
        QTest::newRow("hcvault") << "hcvault"
                                 << "http://vault:8200/transit/keys/k"
                                 << "hcvault";
        QTest::newRow("hcvault bad id") << "hcvault"
                                        << "vault:8200/transit/keys/k"
                                        << "";
        QTest::newRow("local") << "local-kms"
                               << "anything"
                               << "local-kms";
        QTest::newRow("no type") << ""
                                 << "anything"
                                 << "";
        QTest::newRow("no key id") << "local-kms"
                                   << ""
                                   << "";
        // The real registry accepts a kmsType it has no rule for (CreateKekRequest.validate
        // checks only the key id shape of aws-kms, azure-kms, gcp-kms and hcvault).
        QTest::newRow("unknown type") << "acme-kms"
                                      << "anything"
                                      << "acme-kms";
        QTest::newRow("type with a control") << "local-kms\u0007"
                                             << "anything"
                                             << "";
        QTest::newRow("key id with a newline") << "local-kms"
                                               << "key\nid"
                                               << "";
        QTest::newRow("key id with DEL") << "local-kms"
                                         << "key\u007f"
                                         << "";
        QTest::newRow("key id with a C1 control") << "local-kms"
                                                  << "key\u009b[2J"
                                                  << "";
    }

    void kmsTypes()
    {
        QFETCH(QString, kmsType);
        QFETCH(QString, kmsKeyId);
        QFETCH(QString, expectedType);
        QJsonObject body{{QStringLiteral("name"), QStringLiteral("k")}};
        if (!kmsType.isEmpty())
            body.insert(QStringLiteral("kmsType"), kmsType);
        if (!kmsKeyId.isEmpty())
            body.insert(QStringLiteral("kmsKeyId"), kmsKeyId);
        const TestReply reply = m_http->post(Keks, body);
        if (expectedType.isEmpty()) {
            QCOMPARE(reply.status, 422);
            QCOMPARE(reply.errorCode(), 42271);
            QCOMPARE(m_http->get(Keks + QStringLiteral("/k")).status, 404);
        } else {
            QCOMPARE(reply.status, 200);
            QCOMPARE(reply.object().value(QStringLiteral("kmsType")).toString(), expectedType);
        }
    }

    void kekExistsAndCreateActsAsUndelete()
    {
        QCOMPARE(createKek(QStringLiteral("k"), false, QStringLiteral("doc")).status, 200);
        const TestReply again = createKek(QStringLiteral("k"), false, QStringLiteral("doc"));
        QCOMPARE(again.status, 409);
        QCOMPARE(again.errorCode(), 40971);

        QCOMPARE(m_http->del(Keks + QStringLiteral("/k")).status, 204);
        QCOMPARE(m_http->get(Keks + QStringLiteral("/k")).errorCode(), 40470);
        const TestReply deleted = m_http->get(Keks + QStringLiteral("/k?deleted=true"));
        QCOMPARE(deleted.status, 200);
        QCOMPARE(deleted.object().value(QStringLiteral("deleted")).toBool(), true);

        // Not equivalent (other doc): still exists.
        QCOMPARE(createKek(QStringLiteral("k"), false, QStringLiteral("other")).errorCode(), 40971);
        // Equivalent: undeletes.
        m_clock.advanceMs(5000);
        const TestReply undeleted = createKek(QStringLiteral("k"), false, QStringLiteral("doc"));
        QCOMPARE(undeleted.status, 200);
        QVERIFY(!undeleted.object().contains(QStringLiteral("deleted")));
        QCOMPARE(undeleted.object().value(QStringLiteral("ts")).toInteger(), T0 + 5000);
        QCOMPARE(m_http->get(Keks + QStringLiteral("/k")).status, 200);
    }

    void tooManyKeys()
    {
        m_store->setMaxKeys(3);
        QCOMPARE(createKek(QStringLiteral("a"), true).status, 200);
        QCOMPARE(createDek(QStringLiteral("a"), QStringLiteral("s1")).status, 200);
        QCOMPARE(createKek(QStringLiteral("b"), false).status, 200);
        const TestReply kek = createKek(QStringLiteral("c"), false);
        QCOMPARE(kek.status, 409);
        QCOMPARE(kek.errorCode(), 40972);
        QCOMPARE(kek.object().value(QStringLiteral("message")).toString(),
                 QStringLiteral("A maximum of 3 keys already exist"));
        QCOMPARE(createDek(QStringLiteral("a"), QStringLiteral("s2")).errorCode(), 40972);
    }

    void listKeks()
    {
        for (const char *name : {"c", "a", "b", "d"})
            QCOMPARE(createKek(QString::fromLatin1(name), true).status, 200);
        QCOMPARE(createDek(QStringLiteral("a"), QStringLiteral("orders-value")).status, 200);
        QCOMPARE(createDek(QStringLiteral("b"), QStringLiteral("payments-value")).status, 200);
        QCOMPARE(createDek(QStringLiteral("c"), QStringLiteral("other")).status, 200);
        QCOMPARE(m_http->del(Keks + QStringLiteral("/d")).status, 204);

        QCOMPARE(m_http->get(Keks).strings(),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
        QCOMPARE(m_http->get(Keks + QStringLiteral("?deleted=true")).strings().size(), 4);
        QCOMPARE(m_http->get(Keks + QStringLiteral("?offset=1&limit=1")).strings(),
                 QStringList{QStringLiteral("b")});
        QCOMPARE(
            m_http->get(Keks + QStringLiteral("?subjectPrefix=orders&subjectPrefix=pay")).strings(),
            (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(m_http->get(Keks + QStringLiteral("?subjectPrefix=zzz")).strings(), QStringList());
    }

    void updateKek()
    {
        QJsonObject body = localKek(QStringLiteral("k"), false, QStringLiteral("doc"));
        body.insert(QStringLiteral("kmsProps"),
                    QJsonObject{{QStringLiteral("b"), QStringLiteral("2")},
                                {QStringLiteral("a"), QStringLiteral("1")}});
        QCOMPARE(m_http->post(Keks, body).status, 200);
        m_clock.advanceMs(10);
        const TestReply shared =
            m_http->put(Keks + QStringLiteral("/k"),
                        QJsonObject{{QStringLiteral("shared"), true},
                                    {QStringLiteral("kmsKeyId"), QStringLiteral("ignored")}});
        QCOMPARE(shared.status, 200);
        QCOMPARE(shared.object().value(QStringLiteral("shared")).toBool(), true);
        QCOMPARE(shared.object().value(QStringLiteral("doc")).toString(), QStringLiteral("doc"));
        QCOMPARE(shared.object().value(QStringLiteral("kmsKeyId")).toString(),
                 QStringLiteral("key-k"));
        QCOMPARE(shared.object().value(QStringLiteral("kmsProps")).toObject().size(), 2);
        QCOMPARE(shared.object().value(QStringLiteral("ts")).toInteger(), T0 + 10);

        // null clears.
        const TestReply cleared =
            m_http->send("PUT", Keks + QStringLiteral("/k"), R"({"doc":null,"kmsProps":null})");
        QCOMPARE(cleared.status, 200);
        QVERIFY(!cleared.object().contains(QStringLiteral("doc")));
        QCOMPARE(cleared.object().value(QStringLiteral("kmsProps")).toObject(), QJsonObject());

        QCOMPARE(m_http->put(Keks + QStringLiteral("/nope"), {}).errorCode(), 40470);
        QCOMPARE(
            m_http->put(Keks + QStringLiteral("/k"), {{QStringLiteral("shared"), false}}).status,
            200);
        QCOMPARE(m_http->del(Keks + QStringLiteral("/k")).status, 204);
        const TestReply onDeleted = m_http->put(Keks + QStringLiteral("/k"),
                                                {{QStringLiteral("doc"), QStringLiteral("x")}});
        QCOMPARE(onDeleted.status, 404);
        QCOMPARE(onDeleted.errorCode(), 40470);
    }

    void kekDeleteRules()
    {
        QCOMPARE(createKek(QStringLiteral("k"), true).status, 200);
        QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("s")).status, 200);
        const QString kek = Keks + QStringLiteral("/k");

        // Permanent before soft: 40471.
        const TestReply early = m_http->del(kek + QStringLiteral("?permanent=true"));
        QCOMPARE(early.status, 404);
        QCOMPARE(early.errorCode(), 40471);
        // Soft delete with a live DEK: 42272.
        const TestReply referenced = m_http->del(kek);
        QCOMPARE(referenced.status, 422);
        QCOMPARE(referenced.errorCode(), 42272);

        QCOMPARE(m_http->del(dekPath(QStringLiteral("k"), QStringLiteral("s"))).status, 204);
        QCOMPARE(m_http->del(kek).status, 204);
        QCOMPARE(m_http->del(kek).status, 204); // already soft-deleted: no-op
        // Permanent with soft-deleted DEK rows still present: 42272.
        QCOMPARE(m_http->del(kek + QStringLiteral("?permanent=true")).errorCode(), 42272);

        // Undelete of a DEK under a soft-deleted KEK: 40472.
        const TestReply undeleteDek = m_http->post(
            dekPath(QStringLiteral("k"), QStringLiteral("s")) + QStringLiteral("/undelete"));
        QCOMPARE(undeleteDek.status, 404);
        QCOMPARE(undeleteDek.errorCode(), 40472);
        QCOMPARE(m_http
                     ->post(dekPath(QStringLiteral("k"), QStringLiteral("s")) +
                            QStringLiteral("/versions/1/undelete"))
                     .errorCode(),
                 40472);

        // DEKs can be purged under a soft-deleted KEK, then the KEK itself.
        QCOMPARE(m_http
                     ->del(dekPath(QStringLiteral("k"), QStringLiteral("s")) +
                           QStringLiteral("?permanent=true"))
                     .status,
                 204);
        QCOMPARE(m_http->del(kek + QStringLiteral("?permanent=true")).status, 204);
        QCOMPARE(m_http->get(kek + QStringLiteral("?deleted=true")).errorCode(), 40470);
        QCOMPARE(m_http->del(kek).errorCode(), 40470);
        QCOMPARE(m_http->post(kek + QStringLiteral("/undelete")).errorCode(), 40470);
    }

    void kekUndelete()
    {
        QCOMPARE(createKek(QStringLiteral("k"), false).status, 200);
        const QString kek = Keks + QStringLiteral("/k");
        QCOMPARE(m_http->post(kek + QStringLiteral("/undelete")).status, 204); // no-op
        QCOMPARE(m_http->del(kek).status, 204);
        m_clock.advanceMs(77);
        QCOMPARE(m_http->post(kek + QStringLiteral("/undelete")).status, 204);
        const TestReply got = m_http->get(kek);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.object().value(QStringLiteral("ts")).toInteger(), T0 + 77);
    }

    void sharedDekIsGeneratedAndUnwrapped()
    {
        QCOMPARE(createKek(QStringLiteral("k"), true).status, 200);
        const TestReply created = createDek(QStringLiteral("k"), QStringLiteral("orders-value"));
        QCOMPARE(created.status, 200);
        const QJsonObject dek = created.object();
        QCOMPARE(dek.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(dek.value(QStringLiteral("algorithm")).toString(), QStringLiteral("AES256_GCM"));
        const QByteArray material =
            QByteArray::fromBase64(dek.value(QStringLiteral("keyMaterial")).toString().toLatin1());
        const QByteArray wrapped = QByteArray::fromBase64(
            dek.value(QStringLiteral("encryptedKeyMaterial")).toString().toLatin1());
        QVERIFY(crypto::parseTinkKey(crypto::DekAlgorithm::Aes256Gcm, material));
        // Wrapped with local-kms under the server secret and empty associated data.
        const auto unwrapped =
            crypto::aesGcmDecrypt(kms::LocalKmsDriver::deriveKey(Secret), wrapped);
        QVERIFY(unwrapped);
        QCOMPARE(*unwrapped, material);

        const TestReply got =
            m_http->get(dekPath(QStringLiteral("k"), QStringLiteral("orders-value")));
        QCOMPARE(got.status, 200);
        QCOMPARE(got.object(), dek);

        const TestReply siv =
            createDek(QStringLiteral("k"), QStringLiteral("orders-value"),
                      {{QStringLiteral("algorithm"), QStringLiteral("AES256_SIV")}});
        QCOMPARE(siv.status, 200);
        QVERIFY(crypto::parseTinkKey(
            crypto::DekAlgorithm::Aes256Siv,
            QByteArray::fromBase64(
                siv.object().value(QStringLiteral("keyMaterial")).toString().toLatin1())));
        QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("orders-value")).errorCode(), 40971);
        QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("s"),
                           {{QStringLiteral("algorithm"), QStringLiteral("AES512")}})
                     .errorCode(),
                 42271);
    }

    void nonSharedDek()
    {
        QCOMPARE(createKek(QStringLiteral("k"), false).status, 200);
        const TestReply missing = createDek(QStringLiteral("k"), QStringLiteral("s"));
        QCOMPARE(missing.status, 422);
        QCOMPARE(missing.errorCode(), 42271);
        QVERIFY(missing.object()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("encryptedKeyMaterial")));

        const QString blob = wrappedB64("client-made key");
        const TestReply created = createDek(QStringLiteral("k"), QStringLiteral("s"),
                                            {{QStringLiteral("encryptedKeyMaterial"), blob}});
        QCOMPARE(created.status, 200);
        QCOMPARE(created.object().value(QStringLiteral("encryptedKeyMaterial")).toString(), blob);
        QVERIFY(!created.object().contains(QStringLiteral("keyMaterial")));

        const TestReply exists = createDek(QStringLiteral("k"), QStringLiteral("s"),
                                           {{QStringLiteral("encryptedKeyMaterial"), blob}});
        QCOMPARE(exists.status, 409);
        QCOMPARE(exists.errorCode(), 40971);

        // Create acts as undelete only with identical material.
        QCOMPARE(m_http->del(dekPath(QStringLiteral("k"), QStringLiteral("s"))).status, 204);
        QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("s"),
                           {{QStringLiteral("encryptedKeyMaterial"), wrappedB64("other")}})
                     .errorCode(),
                 40971);
        const TestReply undeleted = createDek(QStringLiteral("k"), QStringLiteral("s"),
                                              {{QStringLiteral("encryptedKeyMaterial"), blob}});
        QCOMPARE(undeleted.status, 200);
        QCOMPARE(m_http->get(dekPath(QStringLiteral("k"), QStringLiteral("s"))).status, 200);

        // The deprecated route takes the subject from the body.
        const TestReply old = m_http->post(Keks + QStringLiteral("/k/deks"),
                                           {{QStringLiteral("subject"), QStringLiteral("legacy")},
                                            {QStringLiteral("encryptedKeyMaterial"), blob}});
        QCOMPARE(old.status, 200);
        QCOMPARE(old.object().value(QStringLiteral("subject")).toString(),
                 QStringLiteral("legacy"));
    }

    void rewrap()
    {
        QCOMPARE(createKek(QStringLiteral("k"), true).status, 200);
        const QJsonObject first = createDek(QStringLiteral("k"), QStringLiteral("s")).object();
        m_clock.advanceMs(1000);
        const TestReply again =
            createDek(QStringLiteral("k"), QStringLiteral("s"), {}, QStringLiteral("?rewrap=true"));
        QCOMPARE(again.status, 200);
        const QJsonObject second = again.object();
        QCOMPARE(second.value(QStringLiteral("keyMaterial")),
                 first.value(QStringLiteral("keyMaterial")));
        QVERIFY(second.value(QStringLiteral("encryptedKeyMaterial")) !=
                first.value(QStringLiteral("encryptedKeyMaterial")));
        QCOMPARE(second.value(QStringLiteral("ts")).toInteger(), T0 + 1000);
        QCOMPARE(m_http->get(dekPath(QStringLiteral("k"), QStringLiteral("s"))).object(), second);

        // Shared KEK with material in the body: 409 even with rewrap.
        QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("s"),
                           {{QStringLiteral("encryptedKeyMaterial"), wrappedB64("x")}},
                           QStringLiteral("?rewrap=true"))
                     .errorCode(),
                 40971);

        // Non-shared KEK: stored as given, overwriting in place.
        QCOMPARE(createKek(QStringLiteral("n"), false).status, 200);
        const QString a = wrappedB64("a");
        const QString b = wrappedB64("b");
        QCOMPARE(createDek(QStringLiteral("n"), QStringLiteral("s"),
                           {{QStringLiteral("encryptedKeyMaterial"), a}})
                     .status,
                 200);
        const TestReply overwritten = createDek(QStringLiteral("n"), QStringLiteral("s"),
                                                {{QStringLiteral("encryptedKeyMaterial"), b}},
                                                QStringLiteral("?rewrap=true"));
        QCOMPARE(overwritten.status, 200);
        QCOMPARE(m_http->get(dekPath(QStringLiteral("n"), QStringLiteral("s")))
                     .object()
                     .value(QStringLiteral("encryptedKeyMaterial"))
                     .toString(),
                 b);
    }

    void getDekVersions()
    {
        QCOMPARE(createKek(QStringLiteral("k"), true).status, 200);
        for (int v = 1; v <= 3; ++v) {
            m_clock.advanceMs(1);
            QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("s"),
                               {{QStringLiteral("version"), v}})
                         .status,
                     200);
        }
        const QString base = dekPath(QStringLiteral("k"), QStringLiteral("s"));
        auto versionOf = [&](const QString &path) {
            return m_http->get(path).object().value(QStringLiteral("version")).toInt();
        };
        QCOMPARE(versionOf(base), 1); // GET .../deks/{s} is version 1, not latest
        QCOMPARE(versionOf(base + QStringLiteral("/versions/latest")), 3);
        QCOMPARE(versionOf(base + QStringLiteral("/versions/-1")), 3);
        QCOMPARE(versionOf(base + QStringLiteral("/versions/2?algorithm=AES256_GCM")), 2);

        QCOMPARE(m_http->del(base + QStringLiteral("/versions/3")).status, 204);
        QCOMPARE(versionOf(base + QStringLiteral("/versions/latest")), 2);
        QCOMPARE(versionOf(base + QStringLiteral("/versions/latest?deleted=true")), 3);
        QCOMPARE(m_http->get(base + QStringLiteral("/versions/3")).errorCode(), 40470);
        QCOMPARE(m_http->get(base + QStringLiteral("/versions/3?deleted=true")).status, 200);
        QCOMPARE(m_http->get(base + QStringLiteral("/versions")).ints(), (QList<int>{1, 2}));
        QCOMPARE(m_http->get(base + QStringLiteral("/versions?deleted=true")).ints(),
                 (QList<int>{1, 2, 3}));
        QCOMPARE(m_http->get(base + QStringLiteral("/versions?algorithm=AES256_SIV")).ints(),
                 QList<int>());

        for (const char *bad : {"0", "-2", "abc", "1.5"}) {
            const TestReply invalid =
                m_http->get(base + QStringLiteral("/versions/") + QString::fromLatin1(bad));
            QCOMPARE(invalid.status, 422);
            QCOMPARE(invalid.errorCode(), 42202);
        }
        QCOMPARE(m_http->get(base + QStringLiteral("/versions/9")).errorCode(), 40470);
        QCOMPARE(m_http->get(base + QStringLiteral("/versions/1?algorithm=AES256_SIV")).errorCode(),
                 40470);
        QCOMPARE(m_http->get(dekPath(QStringLiteral("nope"), QStringLiteral("s"))).errorCode(),
                 40470);
        QCOMPARE(m_http
                     ->get(dekPath(QStringLiteral("k"), QStringLiteral("s")) +
                           QStringLiteral("?algorithm=BOGUS"))
                     .errorCode(),
                 42271);
        // Invalid subjects (control characters) are 42271.
        QCOMPARE(m_http->get(dekPath(QStringLiteral("k"), QStringLiteral("a%01b"))).errorCode(),
                 42271);
    }

    void listDekSubjects()
    {
        QCOMPARE(createKek(QStringLiteral("k"), true).status, 200);
        QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("b")).status, 200);
        QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("a"),
                           {{QStringLiteral("algorithm"), QStringLiteral("AES256_SIV")}})
                     .status,
                 200);
        QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("a")).status, 200);
        QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("c%2Fd")).status, 200);
        QCOMPARE(m_http->del(dekPath(QStringLiteral("k"), QStringLiteral("b"))).status, 204);
        const QString deks = Keks + QStringLiteral("/k/deks");
        QCOMPARE(m_http->get(deks).strings(),
                 (QStringList{QStringLiteral("a"), QStringLiteral("c/d")}));
        QCOMPARE(m_http->get(deks + QStringLiteral("?deleted=true")).strings(),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c/d")}));
        QCOMPARE(m_http->get(deks + QStringLiteral("?deleted=true&offset=1&limit=1")).strings(),
                 QStringList{QStringLiteral("b")});
        QCOMPARE(m_http->get(Keks + QStringLiteral("/nope/deks")).errorCode(), 40470);
    }

    void dekDeleteRules()
    {
        QCOMPARE(createKek(QStringLiteral("k"), true).status, 200);
        for (int v = 1; v <= 2; ++v)
            QCOMPARE(createDek(QStringLiteral("k"), QStringLiteral("s"),
                               {{QStringLiteral("version"), v}})
                         .status,
                     200);
        const QString base = dekPath(QStringLiteral("k"), QStringLiteral("s"));

        const TestReply early = m_http->del(base + QStringLiteral("/versions/1?permanent=true"));
        QCOMPARE(early.status, 404);
        QCOMPARE(early.errorCode(), 40471);
        QCOMPARE(m_http->del(base + QStringLiteral("/versions/1")).status, 204);
        QCOMPARE(m_http->del(base + QStringLiteral("/versions/1")).status, 204); // no-op
        // All versions permanently: version 2 is still live.
        QCOMPARE(m_http->del(base + QStringLiteral("?permanent=true")).errorCode(), 40471);
        QCOMPARE(m_http->del(base + QStringLiteral("/versions/1?permanent=true")).status, 204);
        QCOMPARE(m_http->get(base + QStringLiteral("/versions/1?deleted=true")).errorCode(), 40470);

        m_clock.advanceMs(42);
        QCOMPARE(m_http->del(base).status, 204);
        QCOMPARE(m_http->get(base + QStringLiteral("/versions/2")).errorCode(), 40470);
        const TestReply deleted = m_http->get(base + QStringLiteral("/versions/2?deleted=true"));
        QCOMPARE(deleted.object().value(QStringLiteral("deleted")).toBool(), true);
        QCOMPARE(deleted.object().value(QStringLiteral("ts")).toInteger(), T0 + 42);

        QCOMPARE(m_http->post(base + QStringLiteral("/versions/2/undelete")).status, 204);
        QCOMPARE(m_http->post(base + QStringLiteral("/versions/2/undelete")).status, 204); // no-op
        QCOMPARE(m_http->get(base + QStringLiteral("/versions/2")).status, 200);
        QCOMPARE(m_http->post(base + QStringLiteral("/versions/7/undelete")).errorCode(), 40470);
        QCOMPARE(m_http->post(base + QStringLiteral("/versions/x/undelete")).errorCode(), 42202);
        QCOMPARE(m_http->del(base + QStringLiteral("/versions/0")).errorCode(), 42202);
        QCOMPARE(m_http->del(dekPath(QStringLiteral("k"), QStringLiteral("none"))).errorCode(),
                 40470);
        QCOMPARE(m_http->del(base).status, 204);
        QCOMPARE(m_http->post(base + QStringLiteral("/undelete")).status, 204);
        QCOMPARE(m_http->get(base + QStringLiteral("/versions")).ints(), QList<int>{2});
    }

    void testEndpointAndKmsErrors()
    {
        QCOMPARE(createKek(QStringLiteral("n"), false).status, 200);
        const TestReply notShared = m_http->post(Keks + QStringLiteral("/n/test"));
        QCOMPARE(notShared.status, 422);
        QCOMPARE(notShared.errorCode(), 42271);
        QCOMPARE(createKek(QStringLiteral("s"), true).status, 200);
        QCOMPARE(m_http->post(Keks + QStringLiteral("/s/test")).status, 200);
        QCOMPARE(m_http
                     ->post(Keks + QStringLiteral("?testSharing=true"),
                            localKek(QStringLiteral("t"), true))
                     .status,
                 200);

        // The sandbox cannot reach a cloud KMS: server-side generation fails with 50070.
        QCOMPARE(m_http
                     ->post(Keks, {{QStringLiteral("name"), QStringLiteral("aws")},
                                   {QStringLiteral("kmsType"), QStringLiteral("aws-kms")},
                                   {QStringLiteral("kmsKeyId"),
                                    QStringLiteral("arn:aws:kms:eu-west-1:1:key/x")},
                                   {QStringLiteral("shared"), true}})
                     .status,
                 200);
        const TestReply generation = createDek(QStringLiteral("aws"), QStringLiteral("s"));
        QCOMPARE(generation.status, 500);
        QCOMPARE(generation.errorCode(), 50070);

        // A wrong secret in kmsProps makes unwrapping fail on GET.
        QCOMPARE(createDek(QStringLiteral("s"), QStringLiteral("x")).status, 200);
        QCOMPARE(m_http
                     ->put(Keks + QStringLiteral("/s"),
                           {{QStringLiteral("kmsProps"),
                             QJsonObject{{QStringLiteral("secret"), QStringLiteral("wrong")}}}})
                     .status,
                 200);
        QCOMPARE(m_http->get(dekPath(QStringLiteral("s"), QStringLiteral("x"))).errorCode(), 50070);
    }

    void httpPlumbing()
    {
        const TestReply unknown = m_http->get(QStringLiteral("/no/such/path"));
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.errorCode(), 404);
        const TestReply method = m_http->send("PATCH", Keks);
        QCOMPARE(method.status, 405);
        QCOMPARE(method.errorCode(), 405);
        QCOMPARE(m_http->send("PUT", Keks + QStringLiteral("/k/undelete"), "{}").status, 405);

        const TestReply malformed = m_http->send("POST", Keks, "{\"name\": ");
        QCOMPARE(malformed.status, 400);
        QCOMPARE(malformed.errorCode(), 400);
        const TestReply wrongType = m_http->send("POST", Keks, R"({"name":"k","shared":"yes"})");
        QCOMPARE(wrongType.status, 422);
        QCOMPARE(wrongType.errorCode(), 422);
        QCOMPARE(m_http->send("POST", Keks, "[1]").status, 422);

        for (const QByteArray &type :
             {QByteArray("application/json"), QByteArray("application/vnd.schemaregistry+json"),
              QByteArray("application/octet-stream"),
              QByteArray("application/json; charset=utf-8")}) {
            const TestReply ok = m_http->send(
                "POST", Keks,
                QJsonDocument(localKek(QStringLiteral("k") + QString::number(qHash(type)), false))
                    .toJson(),
                type);
            QCOMPARE(ok.status, 200);
        }
        QCOMPARE(m_http->send("POST", Keks, "name=k", "text/plain").status, 415);
    }

    void unknownKmsTypeFailsOnlyWhenUsed()
    {
        // Stored like any KEK; wrapping a DEK with it is where the missing driver shows (50070).
        const TestReply created =
            m_http->post(Keks, QJsonObject{{QStringLiteral("name"), QStringLiteral("acme")},
                                           {QStringLiteral("kmsType"), QStringLiteral("acme-kms")},
                                           {QStringLiteral("kmsKeyId"), QStringLiteral("k1")},
                                           {QStringLiteral("shared"), true}});
        QCOMPARE(created.status, 200);
        const TestReply dek = createDek(QStringLiteral("acme"), QStringLiteral("orders-value"));
        QCOMPARE(dek.status, 500);
        QCOMPARE(dek.errorCode(), 50070);
    }

    void requestBodyLimit()
    {
        // 1 MiB is the real registry's default limit (size.limit.filter.max.request.body.size).
        const auto kekWithDocOf = [](const QByteArray &name, qsizetype totalBytes) -> QByteArray {
            const QByteArray head = "{\"name\":\"" + name +
                                    "\",\"kmsType\":\"local-kms\",\"kmsKeyId\":\"k\",\"doc\":\"";
            const QByteArray tail = "\"}";
            return head + QByteArray(totalBytes - head.size() - tail.size(), 'd') + tail;
        };
        const TestReply atLimit = m_http->send("POST", Keks, kekWithDocOf("fits", 1024 * 1024));
        QCOMPARE(atLimit.status, 200);

        const TestReply over = m_http->send("POST", Keks, kekWithDocOf("over", 1024 * 1024 + 1));
        QCOMPARE(over.status, 413);
        QCOMPARE(over.errorCode(), 413);
        QVERIFY2(over.object()
                     .value(QStringLiteral("message"))
                     .toString()
                     .contains(QStringLiteral("limit of 1048576 bytes")),
                 over.body.constData());
        QCOMPARE(m_http->get(Keks + QStringLiteral("/over")).status, 404);

        // Far beyond the limit the server stops reading and drops the connection instead of
        // buffering the whole body; it goes on serving other requests.
        const TestReply huge = m_http->send("POST", Keks, kekWithDocOf("huge", 40 * 1024 * 1024));
        QCOMPARE(huge.status, 0);
        QCOMPARE(m_http->get(Keks + QStringLiteral("/huge")).status, 404);
        QCOMPARE(m_http->get(Keks).strings(), QStringList{QStringLiteral("fits")});
    }

    void basicAuth()
    {
        m_server->setBasicAuth(QStringLiteral("api-key"), QStringLiteral("s3cret"));
        const TestReply denied = m_http->get(Keks);
        QCOMPARE(denied.status, 401);
        QCOMPARE(denied.errorCode(), 401);
        m_http->setAuthorization("Basic " + QByteArray("api-key:wrong").toBase64());
        QCOMPARE(m_http->get(Keks).status, 401);
        m_http->setAuthorization("Basic " + QByteArray("api-key:s3cret").toBase64());
        QCOMPARE(m_http->get(Keks).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestDekRegistryHttp)
#include "tst_dekregistryhttp.moc"
