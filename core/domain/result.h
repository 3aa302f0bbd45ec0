#pragma once
// Errors are values: Result<T> holds either a T or an Error that says what failed, on which
// object and what to do next. Nothing in core throws across its API.

#include <QString>

#include <utility>
#include <variant>

namespace kw {

struct Error
{
    // A stable, machine-readable code ("kms.access_denied", "registry.40470", ...).
    QString code;
    // One sentence for the user: what failed, on which object, what to do next.
    QString message;

    [[nodiscard]] bool isEmpty() const { return code.isEmpty() && message.isEmpty(); }
    bool operator==(const Error &) const = default;
};

template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_value(std::in_place_index<0>, std::move(value))
    {}
    Result(Error error)
        : m_value(std::in_place_index<1>, std::move(error))
    {}

    [[nodiscard]] bool hasValue() const { return m_value.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    [[nodiscard]] const T &value() const & { return std::get<0>(m_value); }
    [[nodiscard]] T &value() & { return std::get<0>(m_value); }
    [[nodiscard]] T &&value() && { return std::get<0>(std::move(m_value)); }
    [[nodiscard]] const T &operator*() const & { return value(); }
    [[nodiscard]] T &operator*() & { return value(); }
    [[nodiscard]] const T *operator->() const { return &value(); }
    [[nodiscard]] T *operator->() { return &value(); }

    // The error; an empty Error when the result holds a value (so a failure message can be
    // built unconditionally, as test macros and log lines do).
    [[nodiscard]] const Error &error() const
    {
        static const Error none;
        return hasValue() ? none : std::get<1>(m_value);
    }

private:
    std::variant<T, Error> m_value;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_failed(true)
    {}

    [[nodiscard]] bool hasValue() const { return !m_failed; }
    explicit operator bool() const { return hasValue(); }
    [[nodiscard]] const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_failed = false;
};

inline Error makeError(QString code, QString message)
{
    return Error{std::move(code), std::move(message)};
}

} // namespace kw
