// readPeerCertificate against local servers on their own threads (the reader blocks): TLS
// servers whose CA and certificates the test makes with OpenSSL at run time, and servers that
// do not speak TLS. Verification problems are findings in the result; only an unreachable
// port or a failed handshake is an error. Also the day arithmetic and bootstrap.servers parsing.

#include "core/crypto/crypto.h"
#include "core/net/peercertificates.h"

#include <QDateTime>
#include <QHostAddress>
#include <QHostInfo>
#include <QSemaphore>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QtConcurrent>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <functional>
#include <memory>

using namespace kw;
using namespace kw::net;

namespace {

constexpr qint64 kDayS = 24 * 60 * 60;
constexpr qint64 kDayMs = kDayS * 1000;

struct PkeyFree
{
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct X509Free
{
    void operator()(X509 *x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

struct BioFree
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct ExtensionFree
{
    void operator()(X509_EXTENSION *ext) const { X509_EXTENSION_free(ext); }
};
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, ExtensionFree>;

struct CertificateSpec
{
    QByteArray commonName;
    QList<QPair<int, QByteArray>> extensions; // NID, value as in an openssl extfile
    qint64 notBeforeS = -3600;                // relative to now
    qint64 notAfterS = 10 * kDayS + 3600;
    long serial = 1;
};

// A certificate for `key` with the subject "O=Keywarden Tests, CN=<commonName>" (DN order),
// signed by issuerKey as `issuer` (or self-signed when issuer is null).
X509Ptr makeCertificate(const CertificateSpec &spec, EVP_PKEY *key, X509 *issuer,
                        EVP_PKEY *issuerKey)
{
    X509Ptr x(X509_new());
    if (!x || X509_set_version(x.get(), 2) != 1 ||
        ASN1_INTEGER_set(X509_get_serialNumber(x.get()), spec.serial) != 1 ||
        !X509_gmtime_adj(X509_getm_notBefore(x.get()), long(spec.notBeforeS)) ||
        !X509_gmtime_adj(X509_getm_notAfter(x.get()), long(spec.notAfterS)) ||
        X509_set_pubkey(x.get(), key) != 1)
        return {};
    X509_NAME *name = X509_get_subject_name(x.get());
    const auto text = [](const char *s) {
        return reinterpret_cast<const unsigned char *>(s);
    };
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, text("Keywarden Tests"), -1, -1, 0) !=
            1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, text(spec.commonName.constData()), -1,
                                   -1, 0) != 1)
        return {};
    if (X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : name) != 1)
        return {};
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
    for (const auto &[nid, value] : spec.extensions) {
        ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.constData()));
        if (!ext || X509_add_ext(x.get(), ext.get(), -1) != 1)
            return {};
    }
    if (X509_sign(x.get(), issuerKey ? issuerKey : key, EVP_sha256()) <= 0)
        return {};
    return x;
}

QSslCertificate toQt(X509 *x)
{
    const int size = i2d_X509(x, nullptr);
    if (size <= 0)
        return QSslCertificate();
    QByteArray der(size, '\0');
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    i2d_X509(x, &out);
    return QSslCertificate(der, QSsl::Der);
}

QSslKey toQt(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    const QByteArray pem(data, qsizetype(size));
    const QSsl::KeyAlgorithm algorithm =
        EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? QSsl::Rsa : QSsl::Ec;
    return QSslKey(pem, algorithm, QSsl::Pem);
}

// OpenSSL's own SHA-256 fingerprint, formatted as `openssl x509 -fingerprint -sha256` does.
QString opensslFingerprint(X509 *x)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (X509_digest(x, EVP_sha256(), md, &size) != 1)
        return {};
    QStringList parts;
    for (unsigned int i = 0; i < size; ++i)
        parts << QStringLiteral("%1").arg(md[i], 2, 16, QLatin1Char('0')).toUpper();
    return parts.join(QLatin1Char(':'));
}

// One server on its own thread: readPeerCertificate blocks the test's thread, so the server
// needs an event loop of its own.
class ServerThread final : public QThread
{
public:
    enum class Kind
    {
        Tls,     // completes TLS handshakes with the given configuration
        Garbage, // writes a line that is not TLS as soon as a client connects
        Closing, // reads what the client sends and closes, as a PLAINTEXT Kafka listener does
        Silent,  // accepts and never says anything
    };

    explicit ServerThread(Kind kind, QSslConfiguration tls = {})
        : m_kind(kind)
        , m_tls(std::move(tls))
    {}
    ~ServerThread() override
    {
        quit();
        wait();
    }

    // Starts the thread and returns the port it listens on (127.0.0.1), 0 if it could not.
    quint16 listen()
    {
        start();
        m_ready.acquire();
        return m_port;
    }
    quint16 port() const { return m_port; }

protected:
    void run() override
    {
        std::unique_ptr<QTcpServer> server;
        if (m_kind == Kind::Tls) {
            auto *ssl = new QSslServer;
            ssl->setSslConfiguration(m_tls);
            server.reset(ssl);
        } else {
            server = std::make_unique<QTcpServer>();
        }
        QTcpServer *s = server.get();
        QObject::connect(s, &QTcpServer::pendingConnectionAvailable, s, [this, s] {
            while (QTcpSocket *socket = s->nextPendingConnection())
                serve(socket);
        });
        m_port = s->listen(QHostAddress::LocalHost, 0) ? s->serverPort() : 0;
        m_ready.release();
        if (m_port != 0)
            exec();
        server.reset();
        kw::crypto::releaseThreadState(); // the TLS server's handshakes used OpenSSL here
    }

private:
    void serve(QTcpSocket *socket)
    {
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        switch (m_kind) {
        case Kind::Tls:
        case Kind::Silent:
            break;
        case Kind::Garbage:
            socket->write("SSH-2.0-definitely not TLS\r\n");
            break;
        case Kind::Closing:
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->disconnectFromHost();
            });
            break;
        }
    }

    const Kind m_kind;
    const QSslConfiguration m_tls;
    QSemaphore m_ready;
    quint16 m_port = 0;
};

const char *errorText(const Result<PeerCertificate> &r)
{
    thread_local QByteArray text;
    text = r ? QByteArray() : (r.error().code + QStringLiteral(": ") + r.error().message).toUtf8();
    return text.constData();
}

} // namespace

class TestPeerCertificates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readsLeafVerifiedWithExtraCa_data();
    void readsLeafVerifiedWithExtraCa();
    void unknownCaIsRecordedNotFatal();
    void hostNameMismatchIsRecorded();
    void expiredCertificateIsRecorded();
    void readsFromPoolThread();
    void nothingListeningIsUnreachable();
    void notTlsFailsHandshake_data();
    void notTlsFailsHandshake();
    void daysLeftRoundsDown_data();
    void daysLeftRoundsDown();
    void splitHostPorts_data();
    void splitHostPorts();

private:
    struct Leaf
    {
        X509Ptr x509;
        PkeyPtr key;
        QSslCertificate certificate;
    };

    Leaf makeLeaf(PkeyPtr key, CertificateSpec spec);
    std::unique_ptr<ServerThread> startTls(const Leaf &leaf);
    bool localhostIsLoopback() const;

    PkeyPtr m_caKey;
    X509Ptr m_ca;
    QSslCertificate m_caCertificate;
    Leaf m_rsaLeaf;
    Leaf m_ecLeaf;
    Leaf m_expiredLeaf;
};

TestPeerCertificates::Leaf TestPeerCertificates::makeLeaf(PkeyPtr key, CertificateSpec spec)
{
    spec.extensions = {
        {NID_basic_constraints, "CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
        {NID_ext_key_usage, "serverAuth"},
        {NID_subject_alt_name, "DNS:localhost,DNS:localhost.localdomain"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid"},
    };
    Leaf leaf;
    leaf.x509 = makeCertificate(spec, key.get(), m_ca.get(), m_caKey.get());
    leaf.key = std::move(key);
    if (leaf.x509)
        leaf.certificate = toQt(leaf.x509.get());
    return leaf;
}

void TestPeerCertificates::initTestCase()
{
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend here (the openssl TLS plugin of "
                                        "libqt6network6 is missing).");
    m_caKey.reset(EVP_EC_gen("P-256"));
    QVERIFY(m_caKey);
    CertificateSpec ca;
    ca.commonName = "Keywarden Test CA";
    ca.notAfterS = 30 * kDayS;
    ca.extensions = {
        {NID_basic_constraints, "critical,CA:TRUE"},
        {NID_key_usage, "critical,keyCertSign,cRLSign"},
        {NID_subject_key_identifier, "hash"},
    };
    m_ca = makeCertificate(ca, m_caKey.get(), nullptr, nullptr);
    QVERIFY(m_ca);
    m_caCertificate = toQt(m_ca.get());
    QVERIFY(!m_caCertificate.isNull());

    CertificateSpec leaf;
    leaf.commonName = "localhost";
    leaf.serial = 2;
    m_rsaLeaf = makeLeaf(PkeyPtr(EVP_RSA_gen(2048)), leaf);
    QVERIFY(!m_rsaLeaf.certificate.isNull());
    leaf.serial = 3;
    m_ecLeaf = makeLeaf(PkeyPtr(EVP_EC_gen("P-256")), leaf);
    QVERIFY(!m_ecLeaf.certificate.isNull());
    leaf.serial = 4;
    leaf.notBeforeS = -3 * kDayS;
    leaf.notAfterS = -(kDayS + 3600); // expired 25 hours ago
    m_expiredLeaf = makeLeaf(PkeyPtr(EVP_EC_gen("P-256")), leaf);
    QVERIFY(!m_expiredLeaf.certificate.isNull());
}

std::unique_ptr<ServerThread> TestPeerCertificates::startTls(const Leaf &leaf)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    // The chain as servers usually send it: the leaf and its issuer.
    config.setLocalCertificateChain({leaf.certificate, m_caCertificate});
    config.setPrivateKey(toQt(leaf.key.get()));
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    if (config.privateKey().isNull())
        return nullptr;
    auto server = std::make_unique<ServerThread>(ServerThread::Kind::Tls, config);
    if (server->listen() == 0)
        return nullptr;
    return server;
}

bool TestPeerCertificates::localhostIsLoopback() const
{
    return QHostInfo::fromName(QStringLiteral("localhost"))
        .addresses()
        .contains(QHostAddress(QHostAddress::LocalHost));
}

void TestPeerCertificates::readsLeafVerifiedWithExtraCa_data()
{
    QTest::addColumn<bool>("rsa");
    QTest::addColumn<QString>("keyAlgorithm");
    QTest::newRow("RSA leaf") << true << QStringLiteral("RSA 2048");
    QTest::newRow("EC leaf") << false << QStringLiteral("EC 256");
}

void TestPeerCertificates::readsLeafVerifiedWithExtraCa()
{
    QFETCH(bool, rsa);
    QFETCH(QString, keyAlgorithm);
    if (!localhostIsLoopback())
        QSKIP("localhost does not resolve to 127.0.0.1 here.");
    const Leaf &leaf = rsa ? m_rsaLeaf : m_ecLeaf;
    auto server = startTls(leaf);
    QVERIFY(server);

    const auto result =
        readPeerCertificate(QStringLiteral("localhost"), server->port(), {m_caCertificate});
    QVERIFY2(result, errorText(result));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const PeerCertificate &c = *result;
    QCOMPARE(c.endpoint, QStringLiteral("localhost:%1").arg(server->port()));
    QCOMPARE(c.subject, QStringLiteral("CN=localhost, O=Keywarden Tests"));
    QCOMPARE(c.issuer, QStringLiteral("CN=Keywarden Test CA, O=Keywarden Tests"));
    QCOMPARE(c.subjectAltNames,
             (QStringList{QStringLiteral("localhost"), QStringLiteral("localhost.localdomain")}));
    QCOMPARE(c.notBeforeMs, leaf.certificate.effectiveDate().toMSecsSinceEpoch());
    QCOMPARE(c.notAfterMs, leaf.certificate.expiryDate().toMSecsSinceEpoch());
    // Made "10 days and an hour from now" when the test started, to the second.
    QVERIFY(qAbs(c.notAfterMs - (now + 10 * kDayMs + 3600 * 1000)) < 10 * 60 * 1000);
    QCOMPARE(c.sha256Fingerprint,
             QString::fromLatin1(
                 leaf.certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper()));
    QCOMPARE(c.sha256Fingerprint, opensslFingerprint(leaf.x509.get()));
    QCOMPARE(c.keyAlgorithm, keyAlgorithm);
    QCOMPARE(c.chainLength, 2);
    QVERIFY2(c.verified, qPrintable(c.verifyError));
    QVERIFY(c.verifyError.isEmpty());
    QCOMPARE(c.daysLeft(now), 10);
    QVERIFY(c.expiresWithin(30, now));
    QVERIFY(!c.expiresWithin(7, now));
}

void TestPeerCertificates::unknownCaIsRecordedNotFatal()
{
    if (!localhostIsLoopback())
        QSKIP("localhost does not resolve to 127.0.0.1 here.");
    auto server = startTls(m_rsaLeaf);
    QVERIFY(server);

    const auto result = readPeerCertificate(QStringLiteral("localhost"), server->port());
    QVERIFY2(result, errorText(result));
    QVERIFY(!result->verified);
    // The server sends its CA along, so OpenSSL finds a self-signed root nobody trusts.
    QCOMPARE(result->verifyError, QSslError(QSslError::SelfSignedCertificateInChain).errorString());
    // The certificate is read in full all the same: the auditor needs to see it.
    QCOMPARE(result->subject, QStringLiteral("CN=localhost, O=Keywarden Tests"));
    QCOMPARE(result->issuer, QStringLiteral("CN=Keywarden Test CA, O=Keywarden Tests"));
    QCOMPARE(result->chainLength, 2);
    QCOMPARE(result->notAfterMs, m_rsaLeaf.certificate.expiryDate().toMSecsSinceEpoch());
    QCOMPARE(result->sha256Fingerprint, opensslFingerprint(m_rsaLeaf.x509.get()));
}

void TestPeerCertificates::hostNameMismatchIsRecorded()
{
    auto server = startTls(m_ecLeaf);
    QVERIFY(server);

    // Trusted CA, but the certificate names localhost only, not the address.
    const auto result =
        readPeerCertificate(QStringLiteral("127.0.0.1"), server->port(), {m_caCertificate});
    QVERIFY2(result, errorText(result));
    QCOMPARE(result->endpoint, QStringLiteral("127.0.0.1:%1").arg(server->port()));
    QVERIFY(!result->verified);
    QCOMPARE(result->verifyError, QSslError(QSslError::HostNameMismatch).errorString());
    QCOMPARE(result->subject, QStringLiteral("CN=localhost, O=Keywarden Tests"));
}

void TestPeerCertificates::expiredCertificateIsRecorded()
{
    if (!localhostIsLoopback())
        QSKIP("localhost does not resolve to 127.0.0.1 here.");
    auto server = startTls(m_expiredLeaf);
    QVERIFY(server);

    const auto result =
        readPeerCertificate(QStringLiteral("localhost"), server->port(), {m_caCertificate});
    QVERIFY2(result, errorText(result));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(!result->verified);
    QCOMPARE(result->verifyError, QSslError(QSslError::CertificateExpired).errorString());
    QCOMPARE(result->notAfterMs, m_expiredLeaf.certificate.expiryDate().toMSecsSinceEpoch());
    QCOMPARE(result->daysLeft(now), -2); // expired 25 hours ago
    QVERIFY(result->expiresWithin(30, now));
    QVERIFY(result->expiresWithin(0, now));
}

void TestPeerCertificates::readsFromPoolThread()
{
    if (!localhostIsLoopback())
        QSKIP("localhost does not resolve to 127.0.0.1 here.");
    auto server = startTls(m_ecLeaf);
    QVERIFY(server);

    // As the report will call it: on a pool thread with no event loop of its own.
    const quint16 port = server->port();
    const QList<QSslCertificate> cas{m_caCertificate};
    QFuture<Result<PeerCertificate>> future = QtConcurrent::run([port, cas] {
        Result<PeerCertificate> out = readPeerCertificate(QStringLiteral("localhost"), port, cas);
        kw::crypto::releaseThreadState();
        return out;
    });
    const Result<PeerCertificate> result = future.result();
    QVERIFY2(result, errorText(result));
    QVERIFY2(result->verified, qPrintable(result->verifyError));
    QCOMPARE(result->keyAlgorithm, QStringLiteral("EC 256"));
    QCOMPARE(result->sha256Fingerprint, opensslFingerprint(m_ecLeaf.x509.get()));
}

void TestPeerCertificates::nothingListeningIsUnreachable()
{
    quint16 port = 0;
    {
        QTcpServer probe; // a port that was free a moment ago, and is closed again
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const auto result = readPeerCertificate(QStringLiteral("127.0.0.1"), port, {}, 5000);
    QVERIFY(!result);
    QCOMPARE(result.error().code, QString(ErrorUnreachable));
    QVERIFY2(result.error().message.contains(QStringLiteral("127.0.0.1:%1").arg(port)),
             qPrintable(result.error().message));
    QVERIFY2(result.error().message.contains(QStringLiteral("Check the host name and port")),
             qPrintable(result.error().message));
}

void TestPeerCertificates::notTlsFailsHandshake_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("timeoutMs");
    QTest::addColumn<QString>("detail");
    QTest::newRow("writes garbage") << int(ServerThread::Kind::Garbage) << 10000 << QString();
    QTest::newRow("closes") << int(ServerThread::Kind::Closing) << 10000
                            << QStringLiteral("the server closed the connection during the "
                                              "handshake");
    QTest::newRow("never answers")
        << int(ServerThread::Kind::Silent) << 1000 << QStringLiteral("no TLS answer within 1 s");
}

void TestPeerCertificates::notTlsFailsHandshake()
{
    QFETCH(int, kind);
    QFETCH(int, timeoutMs);
    QFETCH(QString, detail);
    ServerThread server{ServerThread::Kind(kind)};
    const quint16 port = server.listen();
    QVERIFY(port != 0);

    const auto result =
        readPeerCertificate(QStringLiteral("127.0.0.1"), port, {m_caCertificate}, timeoutMs);
    QVERIFY(!result);
    QVERIFY2(result.error().code == ErrorTlsHandshake, errorText(result));
    QVERIFY2(result.error().message.contains(QStringLiteral("127.0.0.1:%1").arg(port)),
             qPrintable(result.error().message));
    QVERIFY2(result.error().message.contains(QStringLiteral("TLS listener")),
             qPrintable(result.error().message));
    if (!detail.isEmpty())
        QVERIFY2(result.error().message.contains(detail), qPrintable(result.error().message));
}

void TestPeerCertificates::daysLeftRoundsDown_data()
{
    QTest::addColumn<qint64>("leftMs");
    QTest::addColumn<int>("daysLeft");
    QTest::addColumn<bool>("within30");
    QTest::newRow("31 days") << 31 * kDayMs << 31 << false;
    QTest::newRow("30 days and 1 ms") << 30 * kDayMs + 1 << 30 << false;
    QTest::newRow("30 days") << 30 * kDayMs << 30 << true;
    QTest::newRow("10 days") << 10 * kDayMs << 10 << true;
    QTest::newRow("10 days less 1 ms") << 10 * kDayMs - 1 << 9 << true;
    QTest::newRow("1 ms") << qint64(1) << 0 << true;
    QTest::newRow("now") << qint64(0) << 0 << true;
    QTest::newRow("expired 1 ms ago") << qint64(-1) << -1 << true;
    QTest::newRow("expired 1 day ago") << -kDayMs << -1 << true;
    QTest::newRow("expired 1 day and 1 ms ago") << -kDayMs - 1 << -2 << true;
    QTest::newRow("in 100 years") << 36525 * kDayMs << 36525 << false;
}

void TestPeerCertificates::daysLeftRoundsDown()
{
    QFETCH(qint64, leftMs);
    QFETCH(int, daysLeft);
    QFETCH(bool, within30);
    const qint64 now = 1700000000000; // 2023-11-14T22:13:20Z
    PeerCertificate c;
    c.notAfterMs = now + leftMs;
    QCOMPARE(c.daysLeft(now), daysLeft);
    QCOMPARE(c.expiresWithin(30, now), within30);
}

void TestPeerCertificates::splitHostPorts_data()
{
    QTest::addColumn<QString>("servers");
    QTest::addColumn<QStringList>("expected"); // "host|port"
    QTest::newRow("one") << QStringLiteral("broker:9092")
                         << QStringList{QStringLiteral("broker|9092")};
    QTest::newRow("empty") << QString() << QStringList{};
    QTest::newRow("spaces and empty entries")
        << QStringLiteral(" b1:9092 , b2 : 9093,,b3:9094 ,")
        << QStringList{QStringLiteral("b1|9092"), QStringLiteral("b2|9093"),
                       QStringLiteral("b3|9094")};
    QTest::newRow("schemes") << QStringLiteral(
                                    "SSL://b1:9093, SASL_SSL://b2:9094/,PLAINTEXT://192.0.2.7:9092")
                             << QStringList{QStringLiteral("b1|9093"), QStringLiteral("b2|9094"),
                                            QStringLiteral("192.0.2.7|9092")};
    QTest::newRow("IPv6") << QStringLiteral("[::1]:9093, SSL://[2001:db8::7]:65535")
                          << QStringList{QStringLiteral("::1|9093"),
                                         QStringLiteral("2001:db8::7|65535")};
    QTest::newRow("invalid entries skipped")
        << QStringLiteral("nohost,:9092,broker:,broker:0,broker:65536,broker:9x,broker:+9,"
                          "::1:9092,[::1]9092,[::1:9092,[]:9092,SSL://,two words:9092,ok:1")
        << QStringList{QStringLiteral("ok|1")};
}

void TestPeerCertificates::splitHostPorts()
{
    QFETCH(QString, servers);
    QFETCH(QStringList, expected);
    QStringList actual;
    for (const auto &[host, port] : kw::net::splitHostPorts(servers))
        actual << host + QLatin1Char('|') + QString::number(port);
    QCOMPARE(actual, expected);
}

QTEST_GUILESS_MAIN(TestPeerCertificates)
#include "tst_peercertificates.moc"
