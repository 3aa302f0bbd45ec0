#include "core/crypto/securebytes.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace kw::crypto {

SecureBytes::SecureBytes(qsizetype size)
{
    if (size > 0) {
        m_data = std::make_unique<unsigned char[]>(static_cast<size_t>(size)); // zero-filled
        m_size = size;
    }
}

SecureBytes::SecureBytes(const SecureBytes &other)
    : SecureBytes(other.m_size)
{
    if (m_size > 0)
        std::memcpy(m_data.get(), other.m_data.get(), static_cast<size_t>(m_size));
}

SecureBytes::SecureBytes(SecureBytes &&other) noexcept
    : m_data(std::move(other.m_data))
    , m_size(std::exchange(other.m_size, 0))
{}

SecureBytes &SecureBytes::operator=(const SecureBytes &other)
{
    if (this != &other) {
        SecureBytes copy(other);
        *this = std::move(copy);
    }
    return *this;
}

SecureBytes &SecureBytes::operator=(SecureBytes &&other) noexcept
{
    if (this != &other) {
        clear();
        m_data = std::move(other.m_data);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SecureBytes::~SecureBytes()
{
    clear();
}

SecureBytes SecureBytes::fromBytes(QByteArrayView bytes)
{
    SecureBytes result(bytes.size());
    if (!bytes.isEmpty())
        std::memcpy(result.m_data.get(), bytes.data(), static_cast<size_t>(bytes.size()));
    return result;
}

QByteArrayView SecureBytes::view() const
{
    return QByteArrayView(m_data.get(), m_size);
}

void SecureBytes::resize(qsizetype size)
{
    if (size == m_size)
        return;
    SecureBytes resized(size);
    const qsizetype common = std::min(m_size, resized.m_size);
    if (common > 0)
        std::memcpy(resized.m_data.get(), m_data.get(), static_cast<size_t>(common));
    *this = std::move(resized);
}

void SecureBytes::clear()
{
    if (m_data && m_size > 0)
        OPENSSL_cleanse(m_data.get(), static_cast<size_t>(m_size));
    m_data.reset();
    m_size = 0;
}

bool SecureBytes::operator==(const SecureBytes &other) const
{
    if (m_size != other.m_size)
        return false;
    if (m_size == 0)
        return true;
    return CRYPTO_memcmp(m_data.get(), other.m_data.get(), static_cast<size_t>(m_size)) == 0;
}

} // namespace kw::crypto
