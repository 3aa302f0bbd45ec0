#include "core/services/secretstore.h"

#include "core/domain/readyfuture.h"

#include <QPromise>
#include <qt6keychain/keychain.h>

#include <openssl/crypto.h>

#include <memory>

namespace kw::profiles {

namespace {

Error keychainError(const QKeychain::Job &job, const QString &key)
{
    switch (job.error()) {
    case QKeychain::EntryNotFound:
        return makeError(QString(ErrorSecretNotFound),
                         QStringLiteral("The keychain has no entry '%1'.").arg(key));
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return makeError(QString(ErrorNoKeychain),
                         QStringLiteral("No keychain service is available (%1). Secrets are kept "
                                        "for this session only and asked for again next time.")
                             .arg(job.errorString()));
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return makeError(
            QString(ErrorKeychain),
            QStringLiteral("The keychain refused access to '%1': %2.").arg(key, job.errorString()));
    default:
        break;
    }
    // QtKeychain reports a missing D-Bus secret service as OtherError on some backends.
    const QString text = job.errorString();
    if (text.contains(QLatin1String("org.freedesktop.secrets"), Qt::CaseInsensitive) ||
        text.contains(QLatin1String("D-Bus"), Qt::CaseInsensitive) ||
        text.contains(QLatin1String("DBus"), Qt::CaseInsensitive)) {
        return makeError(QString(ErrorNoKeychain),
                         QStringLiteral("No keychain service is available (%1). Secrets are kept "
                                        "for this session only and asked for again next time.")
                             .arg(text));
    }
    return makeError(QString(ErrorKeychain),
                     QStringLiteral("The keychain failed on '%1': %2.").arg(key, text));
}

template<typename T, typename Job, typename OnDone>
QFuture<Result<T>> runJob(Job *job, OnDone onDone)
{
    auto promise = std::make_shared<QPromise<Result<T>>>();
    QFuture<Result<T>> future = promise->future();
    promise->start();
    job->setAutoDelete(true);
    QObject::connect(job, &QKeychain::Job::finished, job, [promise, onDone](QKeychain::Job *done) {
        promise->addResult(onDone(*static_cast<Job *>(done)));
        promise->finish();
    });
    job->start();
    return future;
}

} // namespace

SecretStore::~SecretStore() = default;

KeychainSecretStore::KeychainSecretStore(QString service)
    : m_service(std::move(service))
{}

QFuture<Result<QByteArray>> KeychainSecretStore::read(const QString &key)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setInsecureFallback(false);
    job->setKey(key);
    return runJob<QByteArray>(job, [key](QKeychain::ReadPasswordJob &done) -> Result<QByteArray> {
        if (done.error() != QKeychain::NoError)
            return keychainError(done, key);
        return done.binaryData();
    });
}

QFuture<Result<void>> KeychainSecretStore::write(const QString &key, const QByteArray &secret)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setInsecureFallback(false);
    job->setKey(key);
    job->setBinaryData(secret);
    return runJob<void>(job, [key](QKeychain::WritePasswordJob &done) -> Result<void> {
        if (done.error() != QKeychain::NoError)
            return keychainError(done, key);
        return {};
    });
}

QFuture<Result<void>> KeychainSecretStore::remove(const QString &key)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setInsecureFallback(false);
    job->setKey(key);
    return runJob<void>(job, [key](QKeychain::DeletePasswordJob &done) -> Result<void> {
        if (done.error() == QKeychain::NoError || done.error() == QKeychain::EntryNotFound)
            return {};
        return keychainError(done, key);
    });
}

QString KeychainSecretStore::description() const
{
    return QStringLiteral("the system keychain");
}

MemorySecretStore::~MemorySecretStore()
{
    for (auto it = m_secrets.begin(); it != m_secrets.end(); ++it) {
        if (!it->isEmpty())
            OPENSSL_cleanse(it->data(), static_cast<size_t>(it->size()));
    }
}

QFuture<Result<QByteArray>> MemorySecretStore::read(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_secrets.constFind(key);
    if (it == m_secrets.cend()) {
        return readyFuture(Result<QByteArray>(
            makeError(QString(ErrorSecretNotFound),
                      QStringLiteral("No secret '%1' in this session.").arg(key))));
    }
    return readyFuture(Result<QByteArray>(*it));
}

QFuture<Result<void>> MemorySecretStore::write(const QString &key, const QByteArray &secret)
{
    QMutexLocker lock(&m_mutex);
    m_secrets.insert(key, secret);
    return readyFuture(Result<void>());
}

QFuture<Result<void>> MemorySecretStore::remove(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    m_secrets.remove(key);
    return readyFuture(Result<void>());
}

QString MemorySecretStore::description() const
{
    return QStringLiteral("this session only (no keychain)");
}

QStringList MemorySecretStore::keys() const
{
    QMutexLocker lock(&m_mutex);
    return m_secrets.keys();
}

} // namespace kw::profiles
