#pragma once
// The installation's report-signing key: an Ed25519 seed kept in the OS keychain (entry
// "report-signing-key"), made on first use. Compliance reports are sealed with it
// (core/report/seal.h); its public half is printed in every report and exported as PEM for
// auditors, who pass it to `keywarden-cli report verify --public-key`.

#include "core/crypto/securebytes.h"
#include "core/domain/result.h"
#include "core/services/secretstore.h"

#include <QByteArray>
#include <QFuture>
#include <QLatin1String>
#include <QString>

#include <memory>

namespace kw::report {

// The text is not a public key Keywarden reads.
inline constexpr QLatin1String ErrorBadPublicKey{"report.bad_public_key"};

class ReportKey
{
public:
    static QString entryName();

    // The seed, created and stored when the keychain has none. Fails with the store's error
    // (profiles.no_keychain when there is no keychain: reports are then not signed).
    static QFuture<Result<crypto::SecureBytes>>
    loadOrCreate(std::shared_ptr<profiles::SecretStore> store);
    // The public key, without creating one: profiles.secret_not_found when there is none yet.
    static QFuture<Result<QByteArray>>
    existingPublicKey(std::shared_ptr<profiles::SecretStore> store);
};

// An Ed25519 public key as PEM (SubjectPublicKeyInfo, as `openssl pkey -pubout` writes it).
QByteArray publicKeyPem(const QByteArray &publicKey);
// A public key from PEM, or from the base64 of its 32 raw bytes (as a report prints it).
Result<QByteArray> publicKeyFromText(const QByteArray &text);

} // namespace kw::report
