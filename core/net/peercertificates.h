#pragma once
// Reads the TLS certificate a server presents (the Schema Registry's, a Kafka broker's) for the
// compliance report: who issued it, for whom, until when, and whether it verifies. Blocking.

#include "core/domain/result.h"

#include <QLatin1String>
#include <QList>
#include <QPair>
#include <QSslCertificate>
#include <QString>
#include <QStringList>

namespace kw::net {

// Error codes of readPeerCertificate (kw::Error::code).
inline constexpr QLatin1String ErrorUnreachable{"net.unreachable"};
inline constexpr QLatin1String ErrorTlsHandshake{"net.tls_handshake"};
inline constexpr QLatin1String ErrorTlsUnavailable{"net.tls_unavailable"};

struct PeerCertificate
{
    QString endpoint;            // "host:port", "[::1]:port" for IPv6 addresses
    QString subject;             // the leaf's subject, RFC 4514 order: "CN=host, O=Example"
    QString issuer;              // the leaf's issuer, same form
    QStringList subjectAltNames; // the leaf's DNS names, in certificate order
    qint64 notBeforeMs = 0;      // UTC ms since the epoch
    qint64 notAfterMs = 0;
    QString sha256Fingerprint; // "AB:CD:...", as openssl x509 -fingerprint -sha256 prints it
    QString keyAlgorithm;      // "RSA 2048", "EC 256", "ED25519 256", ...
    int chainLength = 0;       // certificates the server sent, the leaf included
    // The chain verifies against the system CAs (plus the extra CAs) and names the host.
    bool verified = false;
    QString verifyError; // the first verification error when not verified

    // Whole days until notAfter, rounded down; negative once expired.
    [[nodiscard]] int daysLeft(qint64 nowMs) const;
    // True when the certificate expires no later than `days` days from now (or has expired).
    [[nodiscard]] bool expiresWithin(int days, qint64 nowMs) const;
};

// Connects to host:port over TLS (SNI = host), completes the handshake even when verification
// fails (the errors are recorded in the result, since an auditor needs to see an expired or
// self-signed certificate), reads the leaf of the peer's chain and closes. Nothing is sent
// after the handshake.
// Blocking (its own QSslSocket and waitFor*): call it from a worker thread, and from a pool
// thread release OpenSSL's thread state afterwards (kw::crypto::releaseThreadState()).
// Fails with ErrorUnreachable (no TCP connection within the time-out), ErrorTlsHandshake (the
// server does not speak TLS or the handshake failed) or ErrorTlsUnavailable (no TLS backend).
[[nodiscard]] Result<PeerCertificate>
readPeerCertificate(const QString &host, quint16 port,
                    const QList<QSslCertificate> &extraCaCertificates = {}, int timeoutMs = 10000);

// Splits Kafka's bootstrap.servers ("host:port[,host:port...]") into pairs. Tolerates spaces, a
// listener scheme ("SSL://host:9093") and IPv6 addresses in brackets ("[::1]:9093", returned
// without the brackets). Entries without a valid host or port (1-65535) are skipped.
[[nodiscard]] QList<QPair<QString, quint16>> splitHostPorts(const QString &servers);

} // namespace kw::net
