#pragma once
// A QFuture that already holds its value, for async interfaces answered at once. Qt 6.6
// renamed QtFuture::makeReadyFuture (now deprecated) to makeReadyValueFuture.

#include <QFuture>

#include <utility>

namespace kw {

template<typename T>
QFuture<std::decay_t<T>> readyFuture(T &&value)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    return QtFuture::makeReadyValueFuture(std::forward<T>(value));
#else
    return QtFuture::makeReadyFuture(std::forward<T>(value));
#endif
}

} // namespace kw
