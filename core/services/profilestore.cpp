#include "core/services/profilestore.h"

#include "core/domain/readyfuture.h"

#include <QJsonDocument>
#include <QSettings>
#include <QUrl>
#include <QUuid>

namespace kw::profiles {

namespace {

const QString ProfilesGroup = QStringLiteral("profiles");
// The settings' "secrets" value for a profile without secrets (else the revision of its
// keychain entry), and the entry's own record of its revision.
constexpr QLatin1String NoSecrets{"none"};
const QString RevisionKey = QStringLiteral("revision");

QString groupFor(const QString &name)
{
    // Names may hold '/' or '\', which QSettings would read as nested groups.
    return ProfilesGroup + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(name));
}

QString authKindName(registry::AuthSettings::Kind kind)
{
    switch (kind) {
    case registry::AuthSettings::Kind::Basic:
        return QStringLiteral("basic");
    case registry::AuthSettings::Kind::Bearer:
        return QStringLiteral("bearer");
    case registry::AuthSettings::Kind::None:
        break;
    }
    return QStringLiteral("none");
}

registry::AuthSettings::Kind authKindFromName(const QString &name)
{
    if (name == QLatin1String("basic"))
        return registry::AuthSettings::Kind::Basic;
    if (name == QLatin1String("bearer"))
        return registry::AuthSettings::Kind::Bearer;
    return registry::AuthSettings::Kind::None;
}

} // namespace

ProfileStore::ProfileStore(std::shared_ptr<SecretStore> secrets, QString settingsFile)
    : m_secrets(std::move(secrets))
    , m_settingsFile(std::move(settingsFile))
{}

std::unique_ptr<QSettings> ProfileStore::settings() const
{
    if (m_settingsFile.isEmpty())
        return std::make_unique<QSettings>();
    return std::make_unique<QSettings>(m_settingsFile, QSettings::IniFormat);
}

QString ProfileStore::secretKey(const QString &profileName)
{
    return QStringLiteral("profile/") + profileName;
}

QStringList ProfileStore::names() const
{
    auto s = settings();
    s->beginGroup(ProfilesGroup);
    QStringList result;
    for (const QString &group : s->childGroups())
        result.append(s->value(group + QStringLiteral("/name")).toString());
    result.removeAll(QString());
    result.sort(Qt::CaseInsensitive);
    return result;
}

bool ProfileStore::contains(const QString &name) const
{
    return names().contains(name);
}

Result<ConnectionProfile> ProfileStore::loadWithoutSecrets(const QString &name) const
{
    auto s = settings();
    s->beginGroup(groupFor(name));
    if (s->value(QStringLiteral("name")).toString() != name || name.isEmpty()) {
        return makeError(QString(ErrorUnknownProfile),
                         QStringLiteral("There is no connection profile named '%1'. Saved "
                                        "profiles: %2.")
                             .arg(name, names().isEmpty() ? QStringLiteral("none")
                                                          : names().join(QStringLiteral(", "))));
    }
    ConnectionProfile p;
    p.name = name;
    p.registry.baseUrl = QUrl(s->value(QStringLiteral("registry/url")).toString());
    p.registry.auth.kind = authKindFromName(s->value(QStringLiteral("registry/auth")).toString());
    p.registry.auth.basicKey = s->value(QStringLiteral("registry/basicKey")).toString();
    p.registry.auth.targetSrCluster =
        s->value(QStringLiteral("registry/targetSrCluster")).toString();
    p.registry.auth.identityPoolIds =
        s->value(QStringLiteral("registry/identityPoolIds")).toStringList();
    p.registry.tls.caFile = s->value(QStringLiteral("registry/caFile")).toString();
    p.registry.tls.clientCertFile = s->value(QStringLiteral("registry/clientCertFile")).toString();
    p.registry.tls.clientKeyFile = s->value(QStringLiteral("registry/clientKeyFile")).toString();
    p.registry.tls.insecureSkipVerify =
        s->value(QStringLiteral("registry/insecureSkipVerify"), false).toBool();
    p.registry.timeoutMs = s->value(QStringLiteral("registry/timeoutMs"), 30000).toInt();
    p.bootstrapServers = s->value(QStringLiteral("kafka/bootstrap")).toString();
    s->beginGroup(QStringLiteral("kafkaProperties"));
    for (const QString &key : s->childKeys())
        p.kafkaProperties.insert(QString::fromUtf8(QByteArray::fromPercentEncoding(key.toLatin1())),
                                 s->value(key).toString());
    s->endGroup();
    s->beginGroup(QStringLiteral("kms"));
    for (const QString &type : s->childGroups()) {
        s->beginGroup(type);
        kms::KmsConfig config;
        for (const QString &key : s->childKeys()) {
            if (key == QLatin1String("_"))
                continue; // placeholder that keeps a type with no plain settings listed
            config.insert(QString::fromUtf8(QByteArray::fromPercentEncoding(key.toLatin1())),
                          s->value(key).toString());
        }
        s->endGroup();
        p.kms.insert(type, config);
    }
    s->endGroup();
    return p;
}

QString ProfileStore::secretsRevision(const QString &name) const
{
    return settings()->value(groupFor(name) + QStringLiteral("/secrets")).toString();
}

QFuture<Result<LoadedProfile>> ProfileStore::load(const QString &name)
{
    auto base = loadWithoutSecrets(name);
    if (!base)
        return readyFuture(Result<LoadedProfile>(base.error()));
    const ConnectionProfile profile = *base;
    const QString revision = secretsRevision(name);
    if (revision == NoSecrets)
        return readyFuture(Result<LoadedProfile>(LoadedProfile{profile, {}}));
    const QString key = secretKey(name);
    std::shared_ptr<MemorySecretStore> session = m_session;
    return m_secrets->read(key).then(
        QtFuture::Launch::Sync, [profile, key, session, revision](Result<QByteArray> read) {
            LoadedProfile loaded{profile, {}};
            // Only the secrets saved with these settings belong to them; profiles saved before
            // revisions were recorded take whatever the keychain holds.
            const auto apply = [&loaded, &revision](const QByteArray &blob) {
                const QJsonObject secrets = QJsonDocument::fromJson(blob).object();
                if (!revision.isEmpty() && secrets.value(RevisionKey).toString() != revision)
                    return false;
                applySecrets(loaded.profile, secrets);
                return true;
            };
            if (read && apply(*read))
                return Result<LoadedProfile>(loaded);
            // Secrets entered earlier in this session (no keychain) still count.
            if (Result<QByteArray> kept = session->read(key).result(); kept && apply(*kept))
                return Result<LoadedProfile>(loaded);
            if (!read && read.error().code != QLatin1String(ErrorSecretNotFound)) {
                loaded.secretsError = read.error();
            } else if (!revision.isEmpty()) {
                loaded.secretsError = makeError(
                    QString(ErrorSecretsOutdated),
                    QStringLiteral("The keychain does not hold the secrets of '%1' as last saved "
                                   "(that save could not reach the keychain, or its entry was "
                                   "removed).")
                        .arg(profile.name));
            }
            return Result<LoadedProfile>(loaded);
        });
}

QFuture<Result<void>> ProfileStore::save(const ConnectionProfile &profile,
                                         const QString &previousName)
{
    if (profile.name.trimmed().isEmpty() || profile.name != profile.name.trimmed()) {
        return readyFuture(Result<void>(makeError(
            QString(ErrorInvalidProfile),
            QStringLiteral("A profile needs a name without leading or trailing spaces."))));
    }
    if (profile.sandbox) {
        return readyFuture(Result<void>(
            makeError(QString(ErrorInvalidProfile),
                      QStringLiteral("The demo sandbox connection is not saved as a profile."))));
    }
    // Settings first, tagged with the revision of the secrets saved with them: when the keychain
    // write then fails, an older keychain entry never comes back with the newer settings.
    QJsonObject secrets = secretsOf(profile);
    const QString revision =
        secrets.isEmpty() ? QString(NoSecrets) : QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        auto s = settings();
        if (!previousName.isEmpty() && previousName != profile.name)
            s->remove(groupFor(previousName));
        s->remove(groupFor(profile.name));
        s->beginGroup(groupFor(profile.name));
        s->setValue(QStringLiteral("name"), profile.name);
        s->setValue(QStringLiteral("registry/url"), profile.registry.baseUrl.toString());
        s->setValue(QStringLiteral("registry/auth"), authKindName(profile.registry.auth.kind));
        s->setValue(QStringLiteral("registry/basicKey"), profile.registry.auth.basicKey);
        s->setValue(QStringLiteral("registry/targetSrCluster"),
                    profile.registry.auth.targetSrCluster);
        s->setValue(QStringLiteral("registry/identityPoolIds"),
                    profile.registry.auth.identityPoolIds);
        s->setValue(QStringLiteral("registry/caFile"), profile.registry.tls.caFile);
        s->setValue(QStringLiteral("registry/clientCertFile"), profile.registry.tls.clientCertFile);
        s->setValue(QStringLiteral("registry/clientKeyFile"), profile.registry.tls.clientKeyFile);
        s->setValue(QStringLiteral("registry/insecureSkipVerify"),
                    profile.registry.tls.insecureSkipVerify);
        s->setValue(QStringLiteral("registry/timeoutMs"), profile.registry.timeoutMs);
        s->setValue(QStringLiteral("kafka/bootstrap"), profile.bootstrapServers);
        s->setValue(QStringLiteral("secrets"), revision);
        const ConnectionProfile plain = withoutSecrets(profile);
        for (auto it = plain.kafkaProperties.cbegin(); it != plain.kafkaProperties.cend(); ++it) {
            s->setValue(QStringLiteral("kafkaProperties/") +
                            QString::fromLatin1(QUrl::toPercentEncoding(it.key())),
                        it.value());
        }
        for (auto type = plain.kms.cbegin(); type != plain.kms.cend(); ++type) {
            const QString prefix = QStringLiteral("kms/") +
                                   QString::fromLatin1(QUrl::toPercentEncoding(type.key())) +
                                   QLatin1Char('/');
            if (type->isEmpty())
                s->setValue(prefix + QStringLiteral("_"), QString()); // keep the type listed
            for (auto it = type->cbegin(); it != type->cend(); ++it)
                s->setValue(prefix + QString::fromLatin1(QUrl::toPercentEncoding(it.key())),
                            it.value());
        }
        s->endGroup();
        s->sync();
        if (s->status() != QSettings::NoError) {
            return readyFuture(Result<void>(makeError(
                QString(ErrorInvalidProfile),
                QStringLiteral("Could not write the settings file %1.").arg(s->fileName()))));
        }
    }
    const QString key = secretKey(profile.name);
    std::shared_ptr<MemorySecretStore> session = m_session;
    std::shared_ptr<SecretStore> keychain = m_secrets;
    QFuture<Result<void>> dropOld = readyFuture(Result<void>());
    if (!previousName.isEmpty() && previousName != profile.name) {
        (void)session->remove(secretKey(previousName));
        dropOld = keychain->remove(secretKey(previousName));
    }
    if (secrets.isEmpty()) {
        // Nothing to keep; an entry left behind (no keychain now) is never read for "none".
        (void)session->remove(key);
        return dropOld
            .then(QtFuture::Launch::Sync,
                  [keychain, key](Result<void>) { return keychain->remove(key); })
            .unwrap()
            .then(QtFuture::Launch::Sync, [](Result<void>) { return Result<void>(); });
    }
    secrets.insert(RevisionKey, revision);
    const QByteArray blob = QJsonDocument(secrets).toJson(QJsonDocument::Compact);
    return dropOld
        .then(QtFuture::Launch::Sync,
              [keychain, key, blob](Result<void>) { return keychain->write(key, blob); })
        .unwrap()
        .then(QtFuture::Launch::Sync, [session, key, blob](Result<void> written) {
            if (!written) {
                (void)session->write(key, blob);
                return written; // the caller says why the secrets are session-only
            }
            (void)session->remove(key);
            return written;
        });
}

QFuture<Result<void>> ProfileStore::remove(const QString &name)
{
    if (!contains(name)) {
        return readyFuture(
            Result<void>(makeError(QString(ErrorUnknownProfile),
                                   QStringLiteral("There is no profile named '%1'.").arg(name))));
    }
    {
        auto s = settings();
        s->remove(groupFor(name));
        s->sync();
    }
    (void)m_session->remove(secretKey(name));
    return m_secrets->remove(secretKey(name));
}

QString ProfileStore::unusedCopyName(const QString &name) const
{
    const QStringList existing = names();
    QString candidate = name + QStringLiteral(" (copy)");
    for (int n = 2; existing.contains(candidate); ++n)
        candidate = QStringLiteral("%1 (copy %2)").arg(name).arg(n);
    return candidate;
}

QString ProfileStore::secretsDescription() const
{
    return m_secrets->description();
}

QJsonObject ProfileStore::secretsOf(const ConnectionProfile &profile)
{
    QJsonObject s;
    const auto &auth = profile.registry.auth;
    if (!auth.basicSecret.isEmpty())
        s.insert(QStringLiteral("registry.basicSecret"), auth.basicSecret);
    if (!auth.bearerToken.isEmpty())
        s.insert(QStringLiteral("registry.bearerToken"), auth.bearerToken);
    if (!profile.registry.tls.clientKeyPassphrase.isEmpty())
        s.insert(QStringLiteral("registry.clientKeyPassphrase"),
                 QString::fromUtf8(profile.registry.tls.clientKeyPassphrase));
    for (auto it = profile.kafkaProperties.cbegin(); it != profile.kafkaProperties.cend(); ++it) {
        if (isSecretProperty(it.key()))
            s.insert(QStringLiteral("kafka.") + it.key(), it.value());
    }
    for (auto type = profile.kms.cbegin(); type != profile.kms.cend(); ++type) {
        for (auto it = type->cbegin(); it != type->cend(); ++it) {
            if (kms::isSecretSetting(type.key(), it.key())) // as the driver declares it
                s.insert(QStringLiteral("kms.") + type.key() + QLatin1Char('\n') + it.key(),
                         it.value());
        }
    }
    return s;
}

void ProfileStore::applySecrets(ConnectionProfile &profile, const QJsonObject &secrets)
{
    for (auto it = secrets.begin(); it != secrets.end(); ++it) {
        const QString key = it.key();
        const QString value = it.value().toString();
        if (key == QLatin1String("registry.basicSecret")) {
            profile.registry.auth.basicSecret = value;
        } else if (key == QLatin1String("registry.bearerToken")) {
            profile.registry.auth.bearerToken = value;
        } else if (key == QLatin1String("registry.clientKeyPassphrase")) {
            profile.registry.tls.clientKeyPassphrase = value.toUtf8();
        } else if (key.startsWith(QLatin1String("kafka."))) {
            profile.kafkaProperties.insert(key.mid(6), value);
        } else if (key.startsWith(QLatin1String("kms."))) {
            const qsizetype split = key.indexOf(QLatin1Char('\n'));
            if (split > 4)
                profile.kms[key.mid(4, split - 4)].insert(key.mid(split + 1), value);
        }
    }
}

ConnectionProfile ProfileStore::withoutSecrets(const ConnectionProfile &profile)
{
    ConnectionProfile p = profile;
    p.registry.auth.basicSecret.clear();
    p.registry.auth.bearerToken.clear();
    p.registry.tls.clientKeyPassphrase.clear();
    for (auto it = p.kafkaProperties.begin(); it != p.kafkaProperties.end();) {
        if (isSecretProperty(it.key()))
            it = p.kafkaProperties.erase(it);
        else
            ++it;
    }
    for (auto type = p.kms.begin(); type != p.kms.end(); ++type) {
        for (auto it = type->begin(); it != type->end();) {
            if (kms::isSecretSetting(type.key(), it.key()))
                it = type->erase(it);
            else
                ++it;
        }
    }
    return p;
}

} // namespace kw::profiles
