// RestTransport over HTTPS against a QSslServer with a throw-away CA made by the openssl CLI:
// unknown CAs fail closed, a custom CA file or an explicit opt-out connect, and mutual TLS
// needs the client certificate.

#include "core/net/resttransport.h"
#include "fakehttpserver.h"
#include "registrytestutil.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace kw;
using namespace kw::registry;
using kw::test::FakeHttpServer;
using kw::test::FakeResponse;
using kw::test::wait;

class TestTls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void unknownCaFailsClosed();
    void customCaConnects();
    void hostNameMismatchFailsClosed();
    void insecureSkipVerifyConnectsAndSaysSo();
    void mutualTlsNeedsClientCertificate_data();
    void mutualTlsNeedsClientCertificate();
    void mutualTlsWithEncryptedKey();
    void unusableTlsFilesFailEveryRequest_data();
    void unusableTlsFilesFailEveryRequest();

private:
    bool openssl(const QStringList &arguments);
    QString path(const QString &name) const { return m_dir.filePath(name); }
    std::unique_ptr<FakeHttpServer> startServer(bool requireClientCert,
                                                QSsl::SslProtocol protocol = QSsl::SecureProtocols);
    ConnectionSettings settings(const FakeHttpServer &server) const;

    QTemporaryDir m_dir;
    QString m_openssl;
};

bool TestTls::openssl(const QStringList &arguments)
{
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(m_openssl, arguments);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning().noquote() << "openssl" << arguments.join(QLatin1Char(' '))
                             << "failed:" << p.readAll();
        return false;
    }
    return true;
}

void TestTls::initTestCase()
{
    // Both come with installer/install-deps.sh: a machine without them fails here rather than
    // passing with the TLS paths untested.
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend here (the openssl TLS plugin of "
                                        "libqt6network6 is missing).");
    m_openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    QVERIFY2(!m_openssl.isEmpty(), "The openssl command is not installed (Debian package "
                                   "openssl; installer/install-deps.sh installs it).");
    QVERIFY(m_dir.isValid());

    const QStringList ec{QStringLiteral("-newkey"), QStringLiteral("ec"),
                         QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"),
                         QStringLiteral("-nodes")};
    // CA
    QVERIFY(openssl(
        QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec +
        QStringList{QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"),
                    QStringLiteral("ca.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                    QStringLiteral("-subj"), QStringLiteral("/CN=Keywarden Test CA"),
                    QStringLiteral("-addext"), QStringLiteral("basicConstraints=critical,CA:TRUE"),
                    QStringLiteral("-addext"),
                    QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")}));
    // Server certificate for 127.0.0.1 (SAN), EC key.
    QVERIFY(openssl(QStringList{QStringLiteral("req")} + ec +
                    QStringList{QStringLiteral("-keyout"), QStringLiteral("server.key"),
                                QStringLiteral("-out"), QStringLiteral("server.csr"),
                                QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")}));
    {
        QFile ext(path(QStringLiteral("server.ext")));
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write("basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage="
                  "serverAuth\n");
    }
    QVERIFY(openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                     QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                     QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                     QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                     QStringLiteral("server.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                     QStringLiteral("-extfile"), QStringLiteral("server.ext")}));
    // Client certificate, RSA key, plus a passphrase-protected copy of the key.
    QVERIFY(
        openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                 QStringLiteral("-nodes"), QStringLiteral("-keyout"), QStringLiteral("client.key"),
                 QStringLiteral("-out"), QStringLiteral("client.csr"), QStringLiteral("-subj"),
                 QStringLiteral("/CN=keywarden-client")}));
    {
        QFile ext(path(QStringLiteral("client.ext")));
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
    }
    QVERIFY(openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                     QStringLiteral("client.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                     QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                     QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                     QStringLiteral("client.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                     QStringLiteral("-extfile"), QStringLiteral("client.ext")}));
    QVERIFY(openssl({QStringLiteral("pkey"), QStringLiteral("-in"), QStringLiteral("client.key"),
                     QStringLiteral("-aes256"), QStringLiteral("-passout"),
                     QStringLiteral("pass:hunter2"), QStringLiteral("-out"),
                     QStringLiteral("client-encrypted.key")}));
}

std::unique_ptr<FakeHttpServer> TestTls::startServer(bool requireClientCert,
                                                     QSsl::SslProtocol protocol)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setProtocol(protocol);
    config.setLocalCertificateChain(QSslCertificate::fromPath(path(QStringLiteral("server.pem"))));
    QFile keyFile(path(QStringLiteral("server.key")));
    if (!keyFile.open(QIODevice::ReadOnly))
        return nullptr;
    config.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Ec, QSsl::Pem));
    if (requireClientCert) {
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        config.setCaCertificates(QSslCertificate::fromPath(path(QStringLiteral("ca.pem"))));
    } else {
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    auto *ssl = new QSslServer;
    ssl->setSslConfiguration(config);
    auto server = std::make_unique<FakeHttpServer>(ssl);
    server->setHandler(
        [](const kw::test::FakeRequest &) { return FakeResponse::json(200, "[\"ok\"]"); });
    if (!server->listen())
        return nullptr;
    return server;
}

ConnectionSettings TestTls::settings(const FakeHttpServer &server) const
{
    ConnectionSettings s;
    s.baseUrl = server.url(QStringLiteral("https"));
    s.maxRetries = 0;
    s.timeoutMs = 10000;
    return s;
}

void TestTls::unknownCaFailsClosed()
{
    auto server = startServer(false);
    QVERIFY(server);
    RestTransport transport(settings(*server));
    QVERIFY(transport.settings().verifiesTls());
    QSignalSpy retries(&transport, &RestTransport::retryScheduled);
    auto reply = wait(transport.send(RestRequest::make("GET", {QStringLiteral("subjects")})));
    KW_VERIFY_ERROR(reply, "registry.tls");
    QVERIFY2(reply.error().message.contains(QStringLiteral("CA file")),
             qPrintable(reply.error().message));
    QVERIFY2(reply.error().message.contains(QStringLiteral("certificate")),
             qPrintable(reply.error().message));
    QCOMPARE(server->requests.size(), 0); // nothing was sent over the unverified connection
    QCOMPARE(retries.size(), 0);
}

void TestTls::customCaConnects()
{
    auto server = startServer(false);
    QVERIFY(server);
    ConnectionSettings s = settings(*server);
    s.tls.caFile = path(QStringLiteral("ca.pem"));
    QCOMPARE(s.securitySummary(),
             QStringLiteral("TLS verified with system CAs + custom CA; no authentication"));
    RestTransport transport(s);
    auto reply = wait(transport.send(RestRequest::make("GET", {QStringLiteral("subjects")})));
    KW_VERIFY_OK(reply);
    QCOMPARE(reply->json.array().at(0).toString(), QStringLiteral("ok"));
    QCOMPARE(server->requests.size(), 1);
}

void TestTls::hostNameMismatchFailsClosed()
{
    auto server = startServer(false);
    QVERIFY(server);
    ConnectionSettings s = settings(*server);
    s.tls.caFile = path(QStringLiteral("ca.pem"));
    s.baseUrl.setHost(QStringLiteral("localhost")); // the certificate names 127.0.0.1 only
    RestTransport transport(s);
    auto reply = wait(transport.send(RestRequest::make("GET", {QStringLiteral("subjects")})));
    QVERIFY(!reply);
    if (reply.error().code == QLatin1String("registry.unreachable"))
        QSKIP("localhost does not resolve to 127.0.0.1 here.");
    QCOMPARE(reply.error().code, QStringLiteral("registry.tls"));
    QCOMPARE(server->requests.size(), 0);
}

void TestTls::insecureSkipVerifyConnectsAndSaysSo()
{
    auto server = startServer(false);
    QVERIFY(server);
    ConnectionSettings s = settings(*server);
    s.tls.insecureSkipVerify = true;
    QVERIFY(!s.verifiesTls());
    QVERIFY2(s.securitySummary().contains(QStringLiteral("TLS verification DISABLED")),
             qPrintable(s.securitySummary()));
    RestTransport transport(s);
    auto reply = wait(transport.send(RestRequest::make("GET", {QStringLiteral("subjects")})));
    KW_VERIFY_OK(reply);
    QCOMPARE(server->requests.size(), 1);
}

void TestTls::mutualTlsNeedsClientCertificate_data()
{
    QTest::addColumn<int>("protocol");
    // TLS 1.2 fails the handshake itself; TLS 1.3 closes the connection after it.
    QTest::newRow("TLS 1.2") << int(QSsl::TlsV1_2);
    QTest::newRow("TLS 1.3") << int(QSsl::TlsV1_3);
}

void TestTls::mutualTlsNeedsClientCertificate()
{
    QFETCH(int, protocol);
    auto server = startServer(true, QSsl::SslProtocol(protocol));
    QVERIFY(server);
    ConnectionSettings s = settings(*server);
    s.tls.caFile = path(QStringLiteral("ca.pem"));
    {
        RestTransport transport(s);
        QSignalSpy retries(&transport, &RestTransport::retryScheduled);
        auto reply = wait(transport.send(RestRequest::make("GET", {QStringLiteral("subjects")})));
        QVERIFY2(!reply, "expected a failure");
        QVERIFY2(reply.error().code == QLatin1String("registry.tls"),
                 kw::test::describe(reply.error()));
        QVERIFY2(reply.error().message.contains(QStringLiteral("client certificate")),
                 qPrintable(reply.error().message));
        QCOMPARE(server->requests.size(), 0);
        QCOMPARE(retries.size(), 0);
    }
    s.tls.clientCertFile = path(QStringLiteral("client.pem"));
    s.tls.clientKeyFile = path(QStringLiteral("client.key"));
    QVERIFY(s.securitySummary().contains(QStringLiteral("client certificate (mTLS)")));
    RestTransport transport(s);
    auto reply = wait(transport.send(RestRequest::make("GET", {QStringLiteral("subjects")})));
    KW_VERIFY_OK(reply);
    QCOMPARE(server->requests.size(), 1);
}

void TestTls::mutualTlsWithEncryptedKey()
{
    auto server = startServer(true);
    QVERIFY(server);
    ConnectionSettings s = settings(*server);
    s.tls.caFile = path(QStringLiteral("ca.pem"));
    s.tls.clientCertFile = path(QStringLiteral("client.pem"));
    s.tls.clientKeyFile = path(QStringLiteral("client-encrypted.key"));
    s.tls.clientKeyPassphrase = "hunter2";
    RestTransport transport(s);
    auto reply = wait(transport.send(RestRequest::make("GET", {QStringLiteral("subjects")})));
    KW_VERIFY_OK(reply);
}

void TestTls::unusableTlsFilesFailEveryRequest_data()
{
    QTest::addColumn<QString>("caFile");
    QTest::addColumn<QString>("certFile");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QByteArray>("passphrase");
    QTest::newRow("missing CA file")
        << QStringLiteral("nope.pem") << QString() << QString() << QByteArray();
    QTest::newRow("CA file is a key")
        << QStringLiteral("ca.key") << QString() << QString() << QByteArray();
    QTest::newRow("wrong passphrase")
        << QStringLiteral("ca.pem") << QStringLiteral("client.pem")
        << QStringLiteral("client-encrypted.key") << QByteArray("wrong");
    QTest::newRow("missing key") << QStringLiteral("ca.pem") << QStringLiteral("client.pem")
                                 << QStringLiteral("nope.key") << QByteArray();
}

void TestTls::unusableTlsFilesFailEveryRequest()
{
    QFETCH(QString, caFile);
    QFETCH(QString, certFile);
    QFETCH(QString, keyFile);
    QFETCH(QByteArray, passphrase);
    ConnectionSettings s;
    s.baseUrl = QUrl(QStringLiteral("https://127.0.0.1:1"));
    s.tls.caFile = path(caFile);
    if (!certFile.isEmpty()) {
        s.tls.clientCertFile = path(certFile);
        s.tls.clientKeyFile = path(keyFile);
        s.tls.clientKeyPassphrase = passphrase;
    }
    RestTransport transport(s);
    auto future = transport.send(RestRequest::make("GET", {QStringLiteral("subjects")}));
    QVERIFY(future.isFinished());
    KW_VERIFY_ERROR(future.result(), "registry.tls_config");
    QVERIFY(!future.result().error().message.contains(QStringLiteral("hunter2")));
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
