#include "core/services/reportkey.h"

#include "core/crypto/signing.h"

#include <QPromise>

#include <memory>

namespace kw::report {

namespace {

// DER of SubjectPublicKeyInfo{AlgorithmIdentifier{id-Ed25519 (1.3.101.112)}, BIT STRING} before
// the 32 key bytes (RFC 8410 §4).
const QByteArray SpkiPrefix = QByteArray::fromHex("302a300506032b6570032100");

Error badKey(const QString &why)
{
    return makeError(QString(ErrorBadPublicKey),
                     QStringLiteral("That is not an Ed25519 public key Keywarden reads: %1. Give "
                                    "the PEM file 'keywarden-cli report key' writes, or the "
                                    "base64 key a report prints.")
                         .arg(why));
}

} // namespace

QString ReportKey::entryName()
{
    return QStringLiteral("report-signing-key");
}

QFuture<Result<crypto::SecureBytes>>
ReportKey::loadOrCreate(std::shared_ptr<profiles::SecretStore> store)
{
    using Seed = Result<crypto::SecureBytes>;
    auto promise = std::make_shared<QPromise<Seed>>();
    promise->start();
    const auto answer = [promise](Seed seed) {
        promise->addResult(std::move(seed));
        promise->finish();
    };
    store->read(entryName()).then([store, answer](Result<QByteArray> read) {
        if (read) {
            const crypto::SecureBytes seed = crypto::SecureBytes::fromBytes(*read);
            read->fill('\0');
            if (seed.size() == crypto::Ed25519SeedSize)
                return answer(seed);
            return answer(makeError(
                QString(profiles::ErrorKeychain),
                QStringLiteral("The keychain's report-signing key is %1 bytes, not 32: it was "
                               "changed outside Keywarden. Remove the entry '%2' to make a new "
                               "key (reports signed with the old one then no longer match this "
                               "installation's key).")
                    .arg(seed.size())
                    .arg(entryName())));
        }
        if (read.error().code != profiles::ErrorSecretNotFound)
            return answer(read.error());
        const crypto::SecureBytes seed = crypto::newEd25519Seed();
        QByteArray bytes(reinterpret_cast<const char *>(seed.data()), seed.size());
        auto written = store->write(entryName(), bytes);
        bytes.fill('\0');
        written.then([answer, seed](Result<void> stored) {
            answer(stored ? Seed(seed) : Seed(stored.error()));
        });
    });
    return promise->future();
}

QFuture<Result<QByteArray>>
ReportKey::existingPublicKey(std::shared_ptr<profiles::SecretStore> store)
{
    return store->read(entryName()).then([](Result<QByteArray> read) -> Result<QByteArray> {
        if (!read)
            return read.error();
        const crypto::SecureBytes seed = crypto::SecureBytes::fromBytes(*read);
        read->fill('\0');
        return crypto::ed25519PublicKey(seed);
    });
}

QByteArray publicKeyPem(const QByteArray &publicKey)
{
    return "-----BEGIN PUBLIC KEY-----\n" + QByteArray(SpkiPrefix + publicKey).toBase64() +
           "\n-----END PUBLIC KEY-----\n";
}

Result<QByteArray> publicKeyFromText(const QByteArray &text)
{
    QByteArray body = text.trimmed();
    const bool pem = body.startsWith("-----BEGIN PUBLIC KEY-----");
    if (pem) {
        if (!body.endsWith("-----END PUBLIC KEY-----"))
            return badKey(QStringLiteral("its PEM block is not closed"));
        body = body.mid(26, body.size() - 26 - 24);
    }
    body.replace('\n', QByteArray()).replace('\r', QByteArray()).replace(' ', QByteArray());
    const auto decoded =
        QByteArray::fromBase64Encoding(body, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return badKey(QStringLiteral("it is not base64"));
    const QByteArray &der = *decoded;
    if (pem) {
        if (der.size() != SpkiPrefix.size() + crypto::Ed25519PublicKeySize ||
            !der.startsWith(SpkiPrefix))
            return badKey(QStringLiteral("its PEM block is not an Ed25519 SubjectPublicKeyInfo"));
        return der.mid(SpkiPrefix.size());
    }
    if (der.size() != crypto::Ed25519PublicKeySize)
        return badKey(QStringLiteral("it decodes to %1 bytes, not 32").arg(der.size()));
    return der;
}

} // namespace kw::report
