#include "core/net/peercertificates.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslSocket>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <limits>
#include <memory>

namespace kw::net {

namespace {

Q_LOGGING_CATEGORY(lcPeerCertificates, "keywarden.net.certificates", QtInfoMsg)

constexpr qint64 kDayMs = qint64(24) * 60 * 60 * 1000;

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

struct GeneralNamesFree
{
    void operator()(GENERAL_NAMES *names) const { GENERAL_NAMES_free(names); }
};
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, GeneralNamesFree>;

QString endpointName(const QString &host, quint16 port)
{
    return (host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2") : QStringLiteral("%1:%2"))
        .arg(host)
        .arg(port);
}

QString formatDuration(int ms)
{
    if (ms % 1000 == 0)
        return QStringLiteral("%1 s").arg(ms / 1000);
    return QStringLiteral("%1 ms").arg(ms);
}

// Time left before the deadline, for the waitFor* calls (which take -1 as "forever").
int remainingMs(const QDeadlineTimer &deadline)
{
    return int(std::clamp<qint64>(deadline.remainingTime(), 0, std::numeric_limits<int>::max()));
}

// One line, most specific part first, as RFC 4514 writes it ("CN=host, O=Example"), with
// UTF-8 kept readable instead of escaped.
QString nameLine(const X509_NAME *name)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || !name)
        return {};
    const unsigned long flags =
        (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB & ~XN_FLAG_SEP_MASK) | XN_FLAG_SEP_CPLUS_SPC;
    if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0)
        return {};
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return size > 0 ? QString::fromUtf8(data, qsizetype(size)) : QString();
}

QStringList dnsNames(const X509 *certificate)
{
    QStringList out;
    GeneralNamesPtr names(static_cast<GENERAL_NAMES *>(
        X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
    if (!names)
        return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type != GEN_DNS)
            continue;
        const ASN1_STRING *dns = name->d.dNSName;
        out << QString::fromLatin1(reinterpret_cast<const char *>(ASN1_STRING_get0_data(dns)),
                                   ASN1_STRING_length(dns));
    }
    return out;
}

QString keyAlgorithm(const X509 *certificate)
{
    const EVP_PKEY *key = X509_get0_pubkey(certificate);
    if (!key)
        return QStringLiteral("unknown");
    QString name;
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
        name = QStringLiteral("RSA");
        break;
    case EVP_PKEY_RSA_PSS:
        name = QStringLiteral("RSA-PSS");
        break;
    case EVP_PKEY_EC:
        name = QStringLiteral("EC");
        break;
    case EVP_PKEY_DSA:
        name = QStringLiteral("DSA");
        break;
    case EVP_PKEY_ED25519:
        name = QStringLiteral("ED25519");
        break;
    case EVP_PKEY_ED448:
        name = QStringLiteral("ED448");
        break;
    default:
        if (const char *type = EVP_PKEY_get0_type_name(key))
            name = QString::fromLatin1(type);
        else
            name = QStringLiteral("unknown");
        break;
    }
    const int bits = EVP_PKEY_get_bits(key);
    return bits > 0 ? QStringLiteral("%1 %2").arg(name).arg(bits) : name;
}

// The details OpenSSL knows better than QSslCertificate: names in their certificate order, the
// DNS names in theirs, the key type of any algorithm.
bool readDetails(const QSslCertificate &leaf, PeerCertificate &out)
{
    const QByteArray der = leaf.toDer();
    const auto *bytes = reinterpret_cast<const unsigned char *>(der.constData());
    X509Ptr x509(d2i_X509(nullptr, &bytes, long(der.size())));
    if (!x509)
        return false;
    out.subject = nameLine(X509_get_subject_name(x509.get()));
    out.issuer = nameLine(X509_get_issuer_name(x509.get()));
    out.subjectAltNames = dnsNames(x509.get());
    out.keyAlgorithm = keyAlgorithm(x509.get());
    return true;
}

Error handshakeError(const QString &endpoint, const QString &detail)
{
    return makeError(
        QString(ErrorTlsHandshake),
        QStringLiteral("%1 accepted the connection but the TLS handshake failed (%2). Check that "
                       "this port is a TLS listener (not PLAINTEXT, SASL_PLAINTEXT or plain HTTP) "
                       "and whether the server requires a client certificate (mutual TLS), which "
                       "this check does not send.")
            .arg(endpoint, detail));
}

} // namespace

int PeerCertificate::daysLeft(qint64 nowMs) const
{
    const qint64 left = notAfterMs - nowMs;
    qint64 days = left / kDayMs;
    if (left % kDayMs != 0 && left < 0)
        --days; // rounded down, not towards zero
    return int(
        std::clamp<qint64>(days, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

bool PeerCertificate::expiresWithin(int days, qint64 nowMs) const
{
    return notAfterMs - nowMs <= qint64(days) * kDayMs;
}

Result<PeerCertificate> readPeerCertificate(const QString &host, quint16 port,
                                            const QList<QSslCertificate> &extraCaCertificates,
                                            int timeoutMs)
{
    const QString endpoint = endpointName(host, port);
    if (!QSslSocket::supportsSsl())
        return makeError(QString(ErrorTlsUnavailable),
                         QStringLiteral("Cannot read the certificate of %1: Qt has no TLS backend "
                                        "here. Install the OpenSSL TLS plugin of Qt Network.")
                             .arg(endpoint));
    const QDeadlineTimer deadline(std::max(timeoutMs, 1));

    QSslSocket socket;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    // Setting CAs explicitly turns off Qt's on-demand loading of the system roots, so the
    // system CAs are added too: the extra CAs extend them, as in the registry's TLS settings.
    if (!extraCaCertificates.isEmpty())
        config.setCaCertificates(QSslConfiguration::systemCaCertificates() + extraCaCertificates);
    socket.setSslConfiguration(config);
    socket.setPeerVerifyName(host);
    // Verification errors are findings, not failures: record them and finish the handshake.
    // Nothing but the handshake goes over this connection.
    QList<QSslError> verifyErrors;
    QObject::connect(&socket, &QSslSocket::sslErrors, &socket,
                     [&socket, &verifyErrors](const QList<QSslError> &errors) {
                         verifyErrors += errors;
                         socket.ignoreSslErrors();
                     });

    socket.connectToHost(host, port);
    if (!socket.waitForConnected(remainingMs(deadline))) {
        const QString detail = socket.error() == QAbstractSocket::SocketTimeoutError
                                   ? QStringLiteral("no connection within %1")
                                         .arg(formatDuration(std::max(timeoutMs, 1)))
                                   : socket.errorString();
        return makeError(QString(ErrorUnreachable),
                         QStringLiteral("%1 is unreachable (%2). Check the host name and port, "
                                        "the network and firewalls, and whether the service is "
                                        "running there.")
                             .arg(endpoint, detail));
    }
    socket.startClientEncryption();
    if (!socket.waitForEncrypted(remainingMs(deadline))) {
        QString detail;
        if (socket.error() == QAbstractSocket::SocketTimeoutError)
            detail = QStringLiteral("no TLS answer within %1")
                         .arg(formatDuration(std::max(timeoutMs, 1)));
        else if (socket.error() == QAbstractSocket::RemoteHostClosedError)
            detail = QStringLiteral("the server closed the connection during the handshake");
        else
            detail = socket.errorString();
        return handshakeError(endpoint, detail);
    }

    PeerCertificate out;
    out.endpoint = endpoint;
    const QSslCertificate leaf = socket.peerCertificate();
    out.chainLength = int(socket.peerCertificateChain().size());
    if (verifyErrors.isEmpty()) // in case a Qt version records them without the signal
        verifyErrors = socket.sslHandshakeErrors();
    socket.disconnectFromHost();
    if (socket.state() != QAbstractSocket::UnconnectedState)
        socket.waitForDisconnected(std::min(remainingMs(deadline), 1000));
    socket.abort();

    if (leaf.isNull())
        return handshakeError(endpoint, QStringLiteral("the server sent no certificate"));
    if (!readDetails(leaf, out))
        return handshakeError(endpoint,
                              QStringLiteral("the server's certificate could not be parsed"));
    out.notBeforeMs = leaf.effectiveDate().toMSecsSinceEpoch();
    out.notAfterMs = leaf.expiryDate().toMSecsSinceEpoch();
    out.sha256Fingerprint =
        QString::fromLatin1(leaf.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
    out.verified = verifyErrors.isEmpty();
    if (!out.verified)
        out.verifyError = verifyErrors.constFirst().errorString();
    qCDebug(lcPeerCertificates).noquote()
        << endpoint << "presents" << out.subject << "issued by" << out.issuer
        << (out.verified ? QStringLiteral("(verified)") : QStringLiteral("(not verified)"));
    return out;
}

QList<QPair<QString, quint16>> splitHostPorts(const QString &servers)
{
    QList<QPair<QString, quint16>> out;
    const QStringList entries = servers.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &raw : entries) {
        QString entry = raw.trimmed();
        // A listener name or scheme, as in "SSL://broker:9093" or "SASL_SSL://broker:9093".
        if (const qsizetype scheme = entry.indexOf(QStringLiteral("://")); scheme >= 0)
            entry = entry.mid(scheme + 3).trimmed();
        while (entry.endsWith(QLatin1Char('/')))
            entry.chop(1);
        QString host;
        QString portText;
        if (entry.startsWith(QLatin1Char('['))) {
            const qsizetype close = entry.indexOf(QLatin1Char(']'));
            if (close < 0 || entry.mid(close + 1).trimmed().left(1) != QLatin1String(":"))
                continue;
            host = entry.mid(1, close - 1).trimmed();
            portText = entry.mid(close + 1).trimmed().mid(1);
        } else {
            const qsizetype colon = entry.lastIndexOf(QLatin1Char(':'));
            if (colon < 0)
                continue;
            host = entry.left(colon).trimmed();
            portText = entry.mid(colon + 1);
            if (host.contains(QLatin1Char(':')))
                continue; // an IPv6 address needs brackets to tell it from its port
        }
        portText = portText.trimmed();
        const bool digitsOnly =
            !portText.isEmpty() && portText.size() <= 5 &&
            std::all_of(portText.cbegin(), portText.cend(), [](QChar c) { return c.isDigit(); });
        const uint port = digitsOnly ? portText.toUInt() : 0;
        const bool hostOk =
            !host.isEmpty() && std::none_of(host.cbegin(), host.cend(), [](QChar c) {
                return c.isSpace() || c == QLatin1Char('[') || c == QLatin1Char(']') ||
                       c == QLatin1Char('/');
            });
        if (!hostOk || port == 0 || port > 65535)
            continue;
        out.append({host, quint16(port)});
    }
    return out;
}

} // namespace kw::net
