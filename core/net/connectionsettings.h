#pragma once
// How to reach one Schema Registry (and its DEK Registry): URL, credentials, TLS trust and
// client certificate, time-outs, retries and size limits. A plain value; holds secrets, so it
// has no debug output and none of its secrets ever reach a log.

#include "core/domain/result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace kw::registry {

struct AuthSettings
{
    enum class Kind
    {
        None,
        Basic,  // Authorization: Basic base64(key:secret), e.g. a Confluent Cloud SR API key
        Bearer, // Authorization: Bearer <token>, plus target-sr-cluster / identity pool headers
    };

    Kind kind = Kind::None;
    QString basicKey;
    QString basicSecret; // secret
    QString bearerToken; // secret
    QString targetSrCluster;
    QStringList identityPoolIds;

    static AuthSettings none();
    static AuthSettings basic(const QString &key, const QString &secret);
    static AuthSettings bearer(const QString &token, const QString &targetSrCluster = {},
                               const QStringList &identityPoolIds = {});
};

struct TlsSettings
{
    // A PEM file with one or more CA certificates, trusted in addition to the system CAs.
    QString caFile;
    // Client certificate and private key (PEM) for mutual TLS; both or neither.
    QString clientCertFile;
    QString clientKeyFile;
    QByteArray clientKeyPassphrase; // secret; empty when the key is not encrypted
    // Explicit, per-connection opt-out of certificate verification. Shown to the user.
    bool insecureSkipVerify = false;
};

struct ConnectionSettings
{
    QUrl baseUrl; // e.g. https://psrc-123.eu-west-1.aws.confluent.cloud or http://host:8081/sr
    AuthSettings auth;
    TlsSettings tls;
    // The deadline of one request, everything included: connecting, every retry and its
    // back-off, and reading the whole reply. Nothing the caller waits for takes longer.
    int timeoutMs = 30000;
    int maxRetries = 3;    // extra attempts for idempotent requests (GET, PUT, DELETE)
    int retryBaseMs = 200; // backoff before retry n: jittered, base * 2^(n-1), capped
    int retryMaxMs = 5000;
    qint64 maxResponseBytes = qint64(64) * 1024 * 1024;
    QList<QPair<QByteArray, QByteArray>> extraHeaders; // values never logged

    [[nodiscard]] bool usesTls() const;
    // True when the connection is TLS and the server certificate is verified.
    [[nodiscard]] bool verifiesTls() const;
    // One line for the UI, e.g. "TLS verified with system CAs + custom CA; basic auth".
    [[nodiscard]] QString securitySummary() const;
    // Checks the settings before any request is made (URL shape, credentials, limits).
    [[nodiscard]] Result<void> validate() const;
};

} // namespace kw::registry
