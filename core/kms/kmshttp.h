#pragma once
// The HTTP side every cloud KMS driver shares: one RestTransport per endpoint (origin, base path
// and TLS trust), all living on one thread of their own with an event loop, so a driver can be
// called from any thread, the GUI's included, and its futures finish there.

#include "core/domain/result.h"
#include "core/net/resttransport.h"

#include <QFuture>
#include <QString>
#include <QUrl>

#include <memory>

namespace kw::kms {

struct KmsEndpoint
{
    QUrl baseUrl;   // origin and base path: "https://kms.eu-west-1.amazonaws.com"
    QString caFile; // PEM CA certificates trusted besides the system's (a TLS proxy)
    bool insecureSkipVerify = false;
    int timeoutMs = 30000; // one call, every retry included
    int maxRetries = 3;
    int retryBaseMs = 200;
    int retryMaxMs = 5000;
};

class KmsHttp
{
public:
    KmsHttp();
    // Aborts calls in flight (their futures finish with "registry.cancelled") and stops the
    // thread. Destroy it in a thread other than its own.
    ~KmsHttp();
    KmsHttp(const KmsHttp &) = delete;
    KmsHttp &operator=(const KmsHttp &) = delete;

    // Thread-safe. Sends `request` (its path appended to the endpoint's base path) through the
    // endpoint's transport, made on first use. Set request.registryHeaders = false and
    // request.service to the KMS's name; headers and rawBody carry the rest.
    [[nodiscard]] QFuture<Result<registry::Reply>> send(const KmsEndpoint &endpoint,
                                                        registry::RestRequest request);

    // The instance the built-in drivers share: made when none is alive, and gone (its thread
    // stopped, OpenSSL's per-thread state released) when the last driver holding it is.
    [[nodiscard]] static std::shared_ptr<KmsHttp> shared();

    // Stops and waits for every KmsHttp thread and deletes those whose KmsHttp is gone. Runs
    // when the application object ends (a KmsHttp alive after that sends nothing more).
    static void stopAllThreads();
    // KmsHttp threads not deleted yet, running or not (for tests).
    [[nodiscard]] static int threadCount();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace kw::kms
