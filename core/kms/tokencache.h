#pragma once
// Bearer tokens of the OAuth-style KMS drivers (gcp-kms, azure-kms), kept per token endpoint,
// principal and secret until shortly before they expire, so each wrap does not log in again.
// Thread-safe: AEADs of several KEKs ask from pool threads at once.

#include <QByteArrayView>
#include <QHash>
#include <QMutex>
#include <QString>

#include <optional>

namespace kw::kms {

class TokenCache
{
public:
    // Who the token is for: the endpoint, the principal and a hash of its secret (so a
    // changed secret never reuses the old token and the secret itself is not kept here).
    [[nodiscard]] static QString keyFor(const QString &tokenUrl, const QString &principal,
                                        QByteArrayView secret);

    // The token for `key` while it is valid beyond nowMs + marginMs; none otherwise.
    [[nodiscard]] std::optional<QString> find(const QString &key, qint64 nowMs,
                                              qint64 marginMs) const;
    void insert(const QString &key, const QString &token, qint64 expiresMs);
    // After the KMS rejected the token (401): the next call logs in again.
    void remove(const QString &key);
    void clear();

private:
    struct Entry
    {
        QString token;
        qint64 expiresMs = 0;
    };
    mutable QMutex m_mutex;
    QHash<QString, Entry> m_entries;
};

} // namespace kw::kms
