// The sandbox's Vault transit double at the HTTP level (kms-facts.md sections 1 and 6): both
// write methods, the AAD fields, key_version in encrypt answers, real AES-256-GCM ciphertexts,
// token and namespace checks, AppRole logins, key facts and Vault's error bodies.

#include "core/crypto/crypto.h"
#include "core/sandbox/vaultdouble.h"

#include <QJsonDocument>
#include <QTest>

using namespace kw;
using kw::sandbox::HttpReply;
using kw::sandbox::HttpRequest;
using kw::sandbox::VaultDouble;

namespace {

HttpRequest request(const QByteArray &method, const QString &path, const QJsonObject &body = {},
                    const QByteArray &token = VaultDouble::RootToken)
{
    HttpRequest r;
    r.method = method;
    r.segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    r.rawPath = '/' + path.toUtf8();
    if (!body.isEmpty())
        r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    if (!token.isEmpty())
        r.headers.append({"X-Vault-Token", token});
    return r;
}

QJsonObject json(const HttpReply &reply)
{
    return QJsonDocument::fromJson(reply.body).object();
}

QJsonObject data(const HttpReply &reply)
{
    return json(reply).value(QStringLiteral("data")).toObject();
}

QStringList errors(const HttpReply &reply)
{
    QStringList out;
    for (const QJsonValue &v : json(reply).value(QStringLiteral("errors")).toArray())
        out.append(v.toString());
    return out;
}

QJsonObject plaintext(const QByteArray &bytes)
{
    return {{QStringLiteral("plaintext"), QString::fromLatin1(bytes.toBase64())}};
}

} // namespace

class TestVaultDouble : public QObject
{
    Q_OBJECT

private:
    ManualClock clock{1764979200000};
    VaultDouble vault{clock};

private Q_SLOTS:
    void initTestCase()
    {
        vault.addKey(QString(), QStringLiteral("transit"), QStringLiteral("k"));
        vault.addKey(QStringLiteral("ns1/"), QStringLiteral("transit"), QStringLiteral("nk"));
    }

    void putAndPostWithEachAadForm_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("aadField"); // empty: none
        QTest::newRow("POST, context (Java)") << QByteArray("POST") << QStringLiteral("context");
        QTest::newRow("PUT, associated_data (Go)")
            << QByteArray("PUT") << QStringLiteral("associated_data");
        QTest::newRow("POST, none (JS)") << QByteArray("POST") << QString();
    }

    void putAndPostWithEachAadForm()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, aadField);
        QJsonObject body = plaintext("sixteen byte dek");
        if (!aadField.isEmpty())
            body.insert(aadField, QString());
        const HttpReply enc =
            vault.route(request(method, QStringLiteral("vault/v1/transit/encrypt/k"), body));
        QCOMPARE(enc.status, 200);
        const QString ciphertext = data(enc).value(QStringLiteral("ciphertext")).toString();
        QVERIFY(ciphertext.startsWith(QLatin1String("vault:v1:")));
        QCOMPARE(data(enc).value(QStringLiteral("key_version")).toInt(), 1);
        // nonce(12) | ciphertext | tag(16)
        QCOMPARE(QByteArray::fromBase64(ciphertext.mid(9).toLatin1()).size(), 12 + 16 + 16);
        QJsonObject decBody{{QStringLiteral("ciphertext"), ciphertext}};
        if (!aadField.isEmpty())
            decBody.insert(aadField, QString());
        const HttpReply dec =
            vault.route(request(method, QStringLiteral("vault/v1/transit/decrypt/k"), decBody));
        QCOMPARE(dec.status, 200);
        QCOMPARE(QByteArray::fromBase64(
                     data(dec).value(QStringLiteral("plaintext")).toString().toLatin1()),
                 QByteArray("sixteen byte dek"));
    }

    void bearerTokenAndBadTokens()
    {
        HttpRequest bearer =
            request("POST", QStringLiteral("vault/v1/transit/encrypt/k"), plaintext("x"), {});
        bearer.headers.append({"Authorization", QByteArray("Bearer ") + VaultDouble::RootToken});
        QCOMPARE(vault.route(bearer).status, 200);
        for (const QByteArray &token : {QByteArray(), QByteArray("hvs.nope")}) {
            const HttpReply r = vault.route(request(
                "POST", QStringLiteral("vault/v1/transit/encrypt/k"), plaintext("x"), token));
            QCOMPARE(r.status, 403);
            QCOMPARE(errors(r), QStringList{QStringLiteral("permission denied")});
        }
        vault.addToken(QStringLiteral("hvs.brief"), 10);
        QCOMPARE(vault
                     .route(request("POST", QStringLiteral("vault/v1/transit/encrypt/k"),
                                    plaintext("x"), "hvs.brief"))
                     .status,
                 200);
        clock.advanceMs(10000);
        QCOMPARE(vault
                     .route(request("POST", QStringLiteral("vault/v1/transit/encrypt/k"),
                                    plaintext("x"), "hvs.brief"))
                     .status,
                 403);
    }

    void namespaceSelectsItsOwnKeys()
    {
        HttpRequest r =
            request("POST", QStringLiteral("vault/v1/transit/encrypt/nk"), plaintext("x"));
        QCOMPARE(vault.route(r).status, 400); // encryption key not found: not in the root namespace
        r.headers.append({QByteArray("X-Vault-Namespace"), QByteArray("ns1/")});
        QCOMPARE(vault.route(r).status, 200);
    }

    void appRoleLogin()
    {
        vault.setAppRole(QStringLiteral("role"), QStringLiteral("secret"), 600);
        const HttpReply login =
            vault.route(request("POST", QStringLiteral("vault/v1/auth/approle/login"),
                                {{QStringLiteral("role_id"), QStringLiteral("role")},
                                 {QStringLiteral("secret_id"), QStringLiteral("secret")}},
                                {}));
        QCOMPARE(login.status, 200);
        const QJsonObject auth = json(login).value(QStringLiteral("auth")).toObject();
        QCOMPARE(auth.value(QStringLiteral("lease_duration")).toInt(), 600);
        QVERIFY(json(login).value(QStringLiteral("data")).isNull());
        const QByteArray token = auth.value(QStringLiteral("client_token")).toString().toUtf8();
        QCOMPARE(vault
                     .route(request("PUT", QStringLiteral("vault/v1/transit/encrypt/k"),
                                    plaintext("x"), token))
                     .status,
                 200);
        clock.advanceMs(600 * 1000);
        QCOMPARE(vault
                     .route(request("PUT", QStringLiteral("vault/v1/transit/encrypt/k"),
                                    plaintext("x"), token))
                     .status,
                 403);
        const HttpReply bad =
            vault.route(request("POST", QStringLiteral("vault/v1/auth/approle/login"),
                                {{QStringLiteral("role_id"), QStringLiteral("role")},
                                 {QStringLiteral("secret_id"), QStringLiteral("wrong")}},
                                {}));
        QCOMPARE(bad.status, 400);
        QCOMPARE(errors(bad), QStringList{QStringLiteral("invalid secret id")});
    }

    void keyFactsAndVersions()
    {
        vault.addKey(QString(), QStringLiteral("transit"), QStringLiteral("v"), 1);
        const QString v1 =
            data(vault.route(request("POST", QStringLiteral("vault/v1/transit/encrypt/v"),
                                     plaintext("old"))))
                .value(QStringLiteral("ciphertext"))
                .toString();
        clock.advanceMs(3600 * 1000);
        vault.rotateKey(QString(), QStringLiteral("transit"), QStringLiteral("v"));
        const HttpReply enc = vault.route(
            request("POST", QStringLiteral("vault/v1/transit/encrypt/v"), plaintext("new")));
        QCOMPARE(data(enc).value(QStringLiteral("key_version")).toInt(), 2);
        vault.setMinDecryptionVersion(QString(), QStringLiteral("transit"), QStringLiteral("v"), 2);
        vault.setAutoRotatePeriod(QString(), QStringLiteral("transit"), QStringLiteral("v"), 86400);
        const HttpReply old =
            vault.route(request("POST", QStringLiteral("vault/v1/transit/decrypt/v"),
                                {{QStringLiteral("ciphertext"), v1}}));
        QCOMPARE(old.status, 400);
        QCOMPARE(errors(old),
                 QStringList{QStringLiteral(
                     "ciphertext or signature version is disallowed by policy (too old)")});
        const HttpReply facts =
            vault.route(request("GET", QStringLiteral("vault/v1/transit/keys/v")));
        QCOMPARE(facts.status, 200);
        const QJsonObject d = data(facts);
        QCOMPARE(d.value(QStringLiteral("latest_version")).toInt(), 2);
        QCOMPARE(d.value(QStringLiteral("min_decryption_version")).toInt(), 2);
        QCOMPARE(d.value(QStringLiteral("auto_rotate_period")).toInt(), 86400);
        QCOMPARE(d.value(QStringLiteral("type")).toString(), QStringLiteral("aes256-gcm96"));
        QCOMPARE(d.value(QStringLiteral("deletion_allowed")).toBool(), false);
        const QJsonObject keys = d.value(QStringLiteral("keys")).toObject();
        QCOMPARE(keys.value(QStringLiteral("2")).toInteger() -
                     keys.value(QStringLiteral("1")).toInteger(),
                 3600);
    }

    void vaultErrors()
    {
        const HttpReply missing =
            vault.route(request("GET", QStringLiteral("vault/v1/transit/keys/none")));
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.body, QByteArray(R"({"errors":[]})"));
        const HttpReply encMissing = vault.route(
            request("POST", QStringLiteral("vault/v1/transit/encrypt/none"), plaintext("x")));
        QCOMPARE(encMissing.status, 400);
        QCOMPARE(errors(encMissing), QStringList{QStringLiteral("encryption key not found")});
        const QString ct =
            data(vault.route(request("POST", QStringLiteral("vault/v1/transit/encrypt/k"),
                                     plaintext("dek"))))
                .value(QStringLiteral("ciphertext"))
                .toString();
        // Flip one bit of the GCM tag (not of base64 padding bits, which decode away).
        QByteArray raw = QByteArray::fromBase64(ct.mid(9).toLatin1());
        raw[raw.size() - 1] = char(raw.at(raw.size() - 1) ^ 0x01);
        const QString tampered = ct.left(9) + QString::fromLatin1(raw.toBase64());
        const HttpReply bad =
            vault.route(request("POST", QStringLiteral("vault/v1/transit/decrypt/k"),
                                {{QStringLiteral("ciphertext"), tampered}}));
        QCOMPARE(bad.status, 400);
        QCOMPARE(errors(bad), QStringList{QStringLiteral("cipher: message authentication failed")});
        QCOMPARE(errors(vault.route(
                     request("POST", QStringLiteral("vault/v1/transit/decrypt/k"),
                             {{QStringLiteral("ciphertext"), QStringLiteral("v1:abc")}}))),
                 QStringList{QStringLiteral("invalid ciphertext: no prefix")});
        QCOMPARE(vault.route(request("GET", QStringLiteral("vault/v1/transit/encrypt/k"))).status,
                 405);
        QCOMPARE(
            vault.route(request("POST", QStringLiteral("vault/v1/other/encrypt/k"), plaintext("x")))
                .status,
            404);
        vault.throttleNext(2);
        const HttpReply throttled = vault.route(
            request("POST", QStringLiteral("vault/v1/transit/encrypt/k"), plaintext("x")));
        QCOMPARE(throttled.status, 429);
        QVERIFY(errors(throttled).first().contains(QLatin1String("rate limit quota exceeded")));
        QCOMPARE(vault
                     .route(request("POST", QStringLiteral("vault/v1/transit/encrypt/k"),
                                    plaintext("x")))
                     .status,
                 429);
        QCOMPARE(vault
                     .route(request("POST", QStringLiteral("vault/v1/transit/encrypt/k"),
                                    plaintext("x")))
                     .status,
                 200);
    }

    void demoKeysAndSeedingDriver()
    {
        ManualClock demoClock(1764979200000);
        VaultDouble demo(demoClock);
        demo.seedDemoKeys(demoClock);
        auto driver = demo.seedingDriver();
        const kms::KekRef kek{
            QStringLiteral("loans-vault"),
            QStringLiteral("hcvault"),
            QStringLiteral("https://vault.northwind.internal:8200/transit/keys/loans"),
            {},
            false};
        auto aead = driver->create(kek, {});
        QVERIFY(aead);
        const QByteArray wrapped = (*aead)->wrap(QByteArray("seeded")).result().value();
        QVERIFY(wrapped.startsWith("vault:v1:"));
        const HttpReply dec =
            demo.route(request("POST", QStringLiteral("vault/v1/transit/decrypt/loans"),
                               {{QStringLiteral("ciphertext"), QString::fromLatin1(wrapped)}}));
        QCOMPARE(dec.status, 200);
        // loans-archive: its v1 ciphertexts are below min_decryption_version.
        kms::KekRef archive = kek;
        archive.kmsKeyId =
            QStringLiteral("https://vault.northwind.internal:8200/transit/keys/loans-archive");
        const QByteArray old =
            (*driver->create(archive, {}))->wrap(QByteArray("old")).result().value();
        const HttpReply refused =
            demo.route(request("POST", QStringLiteral("vault/v1/transit/decrypt/loans-archive"),
                               {{QStringLiteral("ciphertext"), QString::fromLatin1(old)}}));
        QCOMPARE(refused.status, 400);
        const QJsonObject facts =
            data(demo.route(request("GET", QStringLiteral("vault/v1/transit/keys/loans-archive"))));
        QCOMPARE(facts.value(QStringLiteral("latest_version")).toInt(), 3);
        QCOMPARE(facts.value(QStringLiteral("min_decryption_version")).toInt(), 3);
        const kms::KmsConfig settings = demo.clientSettings(QStringLiteral("http://127.0.0.1:1"));
        QCOMPARE(settings.value(QStringLiteral("keywarden.vault.address")),
                 QStringLiteral("http://127.0.0.1:1/vault"));
        QCOMPARE(settings.value(QStringLiteral("token.id")),
                 QString::fromLatin1(VaultDouble::RootToken));
    }
};

QTEST_GUILESS_MAIN(TestVaultDouble)
#include "tst_vaultdouble.moc"
