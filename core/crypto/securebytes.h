#pragma once
// SecureBytes owns key material: a plain heap buffer (never implicitly shared) that is wiped
// with OPENSSL_cleanse whenever its contents are released, replaced or resized.

#include <QByteArrayView>

#include <memory>

namespace kw::crypto {

class SecureBytes
{
public:
    SecureBytes() = default;
    // Zero-filled buffer of `size` bytes (negative sizes give an empty buffer).
    explicit SecureBytes(qsizetype size);
    SecureBytes(const SecureBytes &other);
    SecureBytes(SecureBytes &&other) noexcept;
    SecureBytes &operator=(const SecureBytes &other);
    SecureBytes &operator=(SecureBytes &&other) noexcept;
    ~SecureBytes();

    static SecureBytes fromBytes(QByteArrayView bytes);

    [[nodiscard]] const unsigned char *data() const { return m_data.get(); }
    [[nodiscard]] unsigned char *data() { return m_data.get(); }
    [[nodiscard]] qsizetype size() const { return m_size; }
    [[nodiscard]] bool isEmpty() const { return m_size == 0; }
    [[nodiscard]] QByteArrayView view() const;

    // Resizes to `size` bytes, keeping the common prefix and zero-filling the rest. The old
    // buffer is wiped before it is freed.
    void resize(qsizetype size);
    // Wipes and frees the buffer.
    void clear();

    // Constant time in the contents (the sizes are compared first; they are not secret).
    [[nodiscard]] bool operator==(const SecureBytes &other) const;

private:
    std::unique_ptr<unsigned char[]> m_data;
    qsizetype m_size = 0;
};

} // namespace kw::crypto
