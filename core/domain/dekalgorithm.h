#pragma once
// The DEK algorithms of the DEK Registry and their names, as schemas' rules and DEK records
// spell them. A domain value: rules name one (core/domain/rules.h), the crypto layer implements
// them (core/crypto/crypto.h).

#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace kw {

enum class DekAlgorithm
{
    Aes128Gcm,
    Aes256Gcm,
    Aes256Siv,
};

// "AES128_GCM", "AES256_GCM", "AES256_SIV" (the DEK Registry's spelling).
[[nodiscard]] QString algorithmName(DekAlgorithm algorithm);
// Every name above, in that order (the REST API lists DEKs one algorithm at a time).
[[nodiscard]] QStringList dekAlgorithmNames();
// Exact, case-sensitive match of the names above.
[[nodiscard]] std::optional<DekAlgorithm> parseAlgorithm(QStringView name);

} // namespace kw
