#include "core/domain/dekalgorithm.h"

namespace kw {

QString algorithmName(DekAlgorithm algorithm)
{
    switch (algorithm) {
    case DekAlgorithm::Aes128Gcm:
        return QStringLiteral("AES128_GCM");
    case DekAlgorithm::Aes256Gcm:
        return QStringLiteral("AES256_GCM");
    case DekAlgorithm::Aes256Siv:
        return QStringLiteral("AES256_SIV");
    }
    return {};
}

QStringList dekAlgorithmNames()
{
    return {algorithmName(DekAlgorithm::Aes128Gcm), algorithmName(DekAlgorithm::Aes256Gcm),
            algorithmName(DekAlgorithm::Aes256Siv)};
}

std::optional<DekAlgorithm> parseAlgorithm(QStringView name)
{
    for (auto algorithm :
         {DekAlgorithm::Aes128Gcm, DekAlgorithm::Aes256Gcm, DekAlgorithm::Aes256Siv}) {
        if (name == algorithmName(algorithm))
            return algorithm;
    }
    return std::nullopt;
}

} // namespace kw
