#pragma once
// Shared plumbing of the two registry clients: send a request and parse its reply into a typed
// result, the common reply shapes, and the offset/limit page walker.

#include "core/domain/readyfuture.h"
#include "core/net/resttransport.h"

#include <QJsonArray>
#include <QPointer>
#include <QPromise>

#include <functional>
#include <memory>

namespace kw::registry::detail {

// What a reply answered, for error messages: "DEK Registry", "GET /dek-registry/v1/keks".
struct RequestContext
{
    QString service;
    QString what;
};

Error malformed(const RequestContext &ctx, const QString &expected);
// Adds the request to a parse error of a value type ("... — GET /x").
Error inContext(const Error &error, const RequestContext &ctx);
Error transportGone(const QString &service);

Result<QStringList> parseStringList(const Reply &reply, const RequestContext &ctx);
Result<QList<int>> parseIntList(const Reply &reply, const RequestContext &ctx);
Result<QJsonObject> parseObject(const Reply &reply, const RequestContext &ctx);
Result<void> parseNothing(const Reply &reply, const RequestContext &ctx);

template<typename T>
QFuture<Result<T>> readyResult(Result<T> result)
{
    return kw::readyFuture(std::move(result));
}

// Sends `request` and parses the reply with `parse(const Reply &, const RequestContext &)`.
// The continuation runs in the transport's thread and captures no client, so a client may be
// destroyed while its requests are in flight.
template<typename T, typename Parser>
QFuture<Result<T>> sendAndParse(const QPointer<RestTransport> &transport, RestRequest request,
                                Parser parse)
{
    if (!transport)
        return readyResult<T>(transportGone(request.service));
    RequestContext ctx{request.service, transport->describe(request)};
    return transport->send(std::move(request))
        .then([ctx = std::move(ctx), parse](Result<Reply> reply) -> Result<T> {
            if (!reply)
                return reply.error();
            return parse(*reply, ctx);
        });
}

// Walks offset/limit pages until a short page. Stops early, keeping what it has, when the
// server ignores paging (a page longer than asked, or the same page twice).
template<typename T>
class PageWalker : public std::enable_shared_from_this<PageWalker<T>>
{
public:
    using Fetch = std::function<QFuture<Result<QList<T>>>(int offset, int limit)>;

    static QFuture<Result<QList<T>>> walk(Fetch fetch, int pageSize)
    {
        auto walker = std::make_shared<PageWalker<T>>();
        walker->m_fetch = std::move(fetch);
        walker->m_pageSize = std::max(1, pageSize);
        walker->m_promise.start();
        QFuture<Result<QList<T>>> future = walker->m_promise.future();
        walker->step();
        return future;
    }

private:
    static constexpr int kMaxPages = 100000;

    void step()
    {
        auto self = this->shared_from_this();
        m_fetch(m_offset, m_pageSize).then([self](Result<QList<T>> page) {
            self->onPage(std::move(page));
        });
    }

    void onPage(Result<QList<T>> page)
    {
        if (!page) {
            done(page.error());
            return;
        }
        const QList<T> &items = *page;
        if (m_pages > 0 && !items.isEmpty() && items == m_previous) {
            done(m_items); // the server ignores offset
            return;
        }
        m_items += items;
        ++m_pages;
        if (items.size() != m_pageSize || m_pages >= kMaxPages) {
            done(m_items);
            return;
        }
        m_previous = items;
        m_offset += int(items.size());
        step();
    }

    void done(Result<QList<T>> result)
    {
        m_promise.addResult(std::move(result));
        m_promise.finish();
    }

    Fetch m_fetch;
    int m_pageSize = 1;
    int m_offset = 0;
    int m_pages = 0;
    QList<T> m_items;
    QList<T> m_previous;
    QPromise<Result<QList<T>>> m_promise;
};

} // namespace kw::registry::detail
