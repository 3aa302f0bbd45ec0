#include "core/kms/kms.h"

#include "core/domain/readyfuture.h"
#include "core/domain/secretproperty.h"
#include "core/kms/awskms.h"
#include "core/kms/azurekms.h"
#include "core/kms/gcpkms.h"
#include "core/kms/hcvault.h"
#include "core/kms/localkms.h"

#include <QDateTime>
#include <QPromise>

#include <algorithm>

namespace kw::kms {

namespace {

// Confluent's clients read this from the KEK's kmsProps, else from the client's config, for
// every KMS type: comma-separated key ids tried in order after the KEK's own, for wrap and
// unwrap alike (csfle-facts.md §6).
constexpr QLatin1String AlternateKeyIds{"encrypt.alternate.kms.key.ids"};

// The KEK's own key, then its alternates: each call tries them in order and answers with the
// first that succeeds; when all fail, with the KEK's own key's error, naming the alternates.
class AlternatesAead final : public KmsAead
{
public:
    AlternatesAead(QList<std::shared_ptr<KmsAead>> aeads, QStringList ids)
        : m_aeads(std::move(aeads))
        , m_ids(std::move(ids))
    {}

    QFuture<kw::Result<QByteArray>> wrap(QByteArray plaintext) override
    {
        return start(&KmsAead::wrap, std::move(plaintext));
    }
    QFuture<kw::Result<QByteArray>> unwrap(QByteArray ciphertext) override
    {
        return start(&KmsAead::unwrap, std::move(ciphertext));
    }

private:
    using Op = QFuture<kw::Result<QByteArray>> (KmsAead::*)(QByteArray);
    struct Call
    {
        QList<std::shared_ptr<KmsAead>> aeads;
        QStringList ids;
        Op op;
        QByteArray input;
        std::optional<kw::Error> first;
        QPromise<kw::Result<QByteArray>> promise;
    };

    QFuture<kw::Result<QByteArray>> start(Op op, QByteArray input)
    {
        auto call = std::make_shared<Call>(Call{m_aeads, m_ids, op, std::move(input), {}, {}});
        call->promise.start();
        QFuture<kw::Result<QByteArray>> future = call->promise.future();
        attempt(call, 0);
        return future;
    }

    static void finish(const std::shared_ptr<Call> &call, kw::Result<QByteArray> result)
    {
        call->input.fill('\0'); // a DEK on its way to a wrap
        call->promise.addResult(std::move(result));
        call->promise.finish();
    }

    static void attempt(const std::shared_ptr<Call> &call, qsizetype index)
    {
        KmsAead *aead = call->aeads.at(index).get();
        (aead->*(call->op))(call->input)
            .then([call, index](kw::Result<QByteArray> result) {
                if (result) {
                    finish(call, std::move(result));
                    return;
                }
                if (!call->first)
                    call->first = result.error();
                if (index + 1 < call->aeads.size()) {
                    attempt(call, index + 1);
                    return;
                }
                kw::Error error = *call->first;
                error.message +=
                    QStringLiteral(" The alternate KMS key ids (%1) failed too; the "
                                   "last said: %2")
                        .arg(call->ids.mid(1).join(QStringLiteral(", ")), result.error().message);
                finish(call, kw::Result<QByteArray>(std::move(error)));
            })
            .onCanceled([call] {
                finish(call, kw::makeError(QStringLiteral("kms.cancelled"),
                                           QStringLiteral("The KMS call was cancelled.")));
            });
    }

    QList<std::shared_ptr<KmsAead>> m_aeads;
    QStringList m_ids;
};

// A key pending deletion: KMSs refuse with words that rarely carry the date (AWS says only
// "is pending deletion"). This asks the KMS for the key's state and adds the date to the error,
// so a person knows how long they have to cancel it.
class DatedDeletionAead final : public KmsAead
{
public:
    DatedDeletionAead(std::shared_ptr<KmsAead> inner, std::shared_ptr<KmsDriver> driver, KekRef kek,
                      KmsConfig config)
        : m_inner(std::move(inner))
        , m_driver(std::move(driver))
        , m_kek(std::move(kek))
        , m_config(std::move(config))
    {}

    QFuture<kw::Result<QByteArray>> wrap(QByteArray plaintext) override
    {
        return dated(m_inner->wrap(std::move(plaintext)));
    }
    QFuture<kw::Result<QByteArray>> unwrap(QByteArray ciphertext) override
    {
        return dated(m_inner->unwrap(std::move(ciphertext)));
    }

private:
    QFuture<kw::Result<QByteArray>> dated(QFuture<kw::Result<QByteArray>> call) const
    {
        auto promise = std::make_shared<QPromise<kw::Result<QByteArray>>>();
        promise->start();
        QFuture<kw::Result<QByteArray>> future = promise->future();
        const auto finish = [promise](kw::Result<QByteArray> result) {
            promise->addResult(std::move(result));
            promise->finish();
        };
        call.then([finish, driver = m_driver, kek = m_kek,
                   config = m_config](kw::Result<QByteArray> result) {
                if (result || result.error().code != ErrorKeyPendingDeletion) {
                    finish(std::move(result));
                    return;
                }
                kw::Error error = result.error();
                driver->keyState(kek, config)
                    .then([finish, error](kw::Result<KmsKeyState> state) mutable {
                        const QDateTime when =
                            QDateTime::fromMSecsSinceEpoch(state ? state->deletionMs : 0).toUTC();
                        // Unless the driver's message has the date already (Key Vault's does).
                        if (state && state->deletionMs > 0 &&
                            !error.message.contains(when.toString(QStringLiteral("yyyy-MM-dd"))))
                            error.message +=
                                QStringLiteral(" The KMS deletes the key on %1.")
                                    .arg(when.toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")));
                        finish(kw::Result<QByteArray>(std::move(error)));
                    })
                    .onCanceled([finish, error] { finish(kw::Result<QByteArray>(error)); });
            })
            .onCanceled([finish] {
                finish(kw::makeError(QStringLiteral("kms.cancelled"),
                                     QStringLiteral("The KMS call was cancelled.")));
            });
        return future;
    }

    std::shared_ptr<KmsAead> m_inner;
    std::shared_ptr<KmsDriver> m_driver;
    KekRef m_kek;
    KmsConfig m_config;
};

// The types Keywarden will ship drivers for, declared ahead of their drivers with the property
// names Confluent's drivers read, so that profiles can hold their settings already. A built-in
// driver of the same type replaces its entry here (see knownDrivers()). Every type Keywarden
// knows has its driver now.
QList<KmsDriverInfo> plannedDrivers()
{
    return {};
}

} // namespace

const KmsSetting *KmsDriverInfo::setting(QStringView key) const
{
    for (const KmsSetting &s : settings) {
        if (s.key == key)
            return &s;
    }
    return nullptr;
}

QStringList KmsDriverInfo::keys() const
{
    QStringList out;
    out.reserve(settings.size());
    for (const KmsSetting &s : settings)
        out.append(s.key);
    return out;
}

const QList<KmsDriverInfo> &knownDrivers()
{
    static const QList<KmsDriverInfo> known = [] {
        QList<KmsDriverInfo> all = KmsRegistry::withBuiltInDrivers().infos();
        for (KmsDriverInfo &info : all)
            info.hasDriver = true;
        for (const KmsDriverInfo &planned : plannedDrivers()) {
            const bool built = std::any_of(all.cbegin(), all.cend(), [&](const KmsDriverInfo &i) {
                return i.type == planned.type;
            });
            if (!built)
                all.append(planned);
        }
        // A fixed order, whichever of them have drivers yet: local-kms first (the one a new
        // user meets, the demo sandbox uses it), then the clouds and Vault.
        static const QStringList order{QStringLiteral("local-kms"), QStringLiteral("aws-kms"),
                                       QStringLiteral("azure-kms"), QStringLiteral("gcp-kms"),
                                       QStringLiteral("hcvault")};
        const auto rank = [](const KmsDriverInfo &info) {
            const qsizetype at = order.indexOf(info.type);
            return at < 0 ? order.size() : at;
        };
        std::stable_sort(
            all.begin(), all.end(),
            [&](const KmsDriverInfo &a, const KmsDriverInfo &b) { return rank(a) < rank(b); });
        return all;
    }();
    return known;
}

const KmsDriverInfo *driverInfo(QStringView type)
{
    for (const KmsDriverInfo &info : knownDrivers()) {
        if (info.type == type)
            return &info;
    }
    return nullptr;
}

bool isSecretSetting(QStringView type, QStringView key)
{
    if (const KmsDriverInfo *info = driverInfo(type)) {
        if (const KmsSetting *s = info->setting(key))
            return s->secret;
    }
    return kw::isSecretProperty(key);
}

KmsConfig mergeKmsConfig(const KmsConfig &userSettings, const QMap<QString, QString> &kekKmsProps)
{
    KmsConfig merged = userSettings;
    for (auto it = kekKmsProps.cbegin(); it != kekKmsProps.cend(); ++it)
        merged.insert(it.key(), it.value());
    return merged;
}

KmsAead::~KmsAead() = default;

KmsDriver::~KmsDriver() = default;

QFuture<kw::Result<KmsKeyState>> KmsDriver::keyState(const KekRef &, const KmsConfig &) const
{
    KmsKeyState state;
    state.notes.append(QStringLiteral("%1 keys have no state to ask a KMS about.").arg(kmsType()));
    return kw::readyFuture(kw::Result<KmsKeyState>(state));
}

bool KmsKeyState::isRevoked() const
{
    return status == Status::Disabled || status == Status::PendingDeletion ||
           status == Status::Destroyed;
}

QString KmsKeyState::statusName(Status status)
{
    switch (status) {
    case Status::Unknown:
        return QStringLiteral("Unknown");
    case Status::Enabled:
        return QStringLiteral("Enabled");
    case Status::Disabled:
        return QStringLiteral("Disabled");
    case Status::PendingDeletion:
        return QStringLiteral("Pending deletion");
    case Status::Destroyed:
        return QStringLiteral("Destroyed");
    case Status::Transitional:
        return QStringLiteral("Not ready");
    }
    return QStringLiteral("Unknown");
}

QString KmsKeyState::summary() const
{
    QString text = statusName(status);
    if (status == Status::PendingDeletion && deletionMs > 0)
        text +=
            QStringLiteral(" on %1").arg(QDateTime::fromMSecsSinceEpoch(deletionMs)
                                             .toUTC()
                                             .toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")));
    if (!providerState.isEmpty() && providerState != statusName(status))
        text += QStringLiteral(" (%1)").arg(providerState);
    return text;
}

void KmsRegistry::add(std::shared_ptr<KmsDriver> driver)
{
    if (!driver)
        return;
    const QString type = driver->kmsType();
    m_drivers.insert(type, std::move(driver));
}

KmsConfig KmsRegistry::configFor(const KekRef &kek, const KmsSettings &settings)
{
    return mergeKmsConfig(settings.value(kek.kmsType), kek.kmsProps);
}

kw::Result<std::shared_ptr<KmsAead>> KmsRegistry::aeadFor(const KekRef &kek,
                                                          const KmsSettings &settings) const
{
    const auto it = m_drivers.constFind(kek.kmsType);
    if (it == m_drivers.cend()) {
        const QString known =
            m_drivers.isEmpty() ? QStringLiteral("none") : types().join(QStringLiteral(", "));
        if (const KmsDriverInfo *info = driverInfo(kek.kmsType); info && !info->hasDriver) {
            return kw::makeError(QString(ErrorUnsupportedType),
                                 QStringLiteral("KEK '%1' uses KMS type '%2' (%3), which has no "
                                                "driver in Keywarden yet (supported: %4).")
                                     .arg(kek.name, kek.kmsType, info->displayName, known));
        }
        return kw::makeError(QString(ErrorUnsupportedType),
                             QStringLiteral("KEK '%1' uses KMS type '%2', which Keywarden does not "
                                            "support (supported: %3).")
                                 .arg(kek.name, kek.kmsType, known));
    }
    const KmsConfig config = configFor(kek, settings);
    const auto create = [&](const KekRef &ref) -> kw::Result<std::shared_ptr<KmsAead>> {
        auto made = it.value()->create(ref, config);
        if (!made)
            return made;
        return std::shared_ptr<KmsAead>(
            std::make_shared<DatedDeletionAead>(*made, it.value(), ref, config));
    };
    auto primary = create(kek);
    if (!primary)
        return primary;
    QStringList ids{kek.kmsKeyId};
    for (const QString &id : config.value(AlternateKeyIds).split(QLatin1Char(','))) {
        if (!id.trimmed().isEmpty())
            ids.append(id.trimmed());
    }
    if (ids.size() == 1)
        return primary;
    QList<std::shared_ptr<KmsAead>> aeads{*primary};
    for (const QString &id : ids.mid(1)) {
        KekRef alternate = kek;
        alternate.kmsKeyId = id;
        auto aead = create(alternate);
        if (!aead)
            return kw::makeError(aead.error().code,
                                 QStringLiteral("KEK '%1', alternate KMS key id '%2': %3")
                                     .arg(kek.name, id, aead.error().message));
        aeads.append(*aead);
    }
    return std::shared_ptr<KmsAead>(std::make_shared<AlternatesAead>(std::move(aeads), ids));
}

QFuture<kw::Result<KmsKeyState>> KmsRegistry::keyStateFor(const KekRef &kek,
                                                          const KmsSettings &settings) const
{
    const auto it = m_drivers.constFind(kek.kmsType);
    if (it == m_drivers.cend()) {
        // The same message aeadFor gives.
        auto aead = aeadFor(kek, settings);
        return kw::readyFuture(kw::Result<KmsKeyState>(aead.error()));
    }
    return it.value()->keyState(kek, configFor(kek, settings));
}

QStringList KmsRegistry::types() const
{
    return m_drivers.keys(); // QMap keys are sorted
}

QList<KmsDriverInfo> KmsRegistry::infos() const
{
    QList<KmsDriverInfo> out;
    for (const auto &driver : m_drivers)
        out.append(driver->info());
    return out;
}

KmsRegistry KmsRegistry::withBuiltInDrivers()
{
    KmsRegistry registry;
    registry.add(std::make_shared<LocalKmsDriver>());
    registry.add(std::make_shared<HcVaultDriver>());
    registry.add(std::make_shared<AwsKmsDriver>());
    registry.add(std::make_shared<GcpKmsDriver>());
    registry.add(std::make_shared<AzureKmsDriver>());
    return registry;
}

} // namespace kw::kms
