#include "core/crypto/crypto.h"
#include "core/sandbox/keyrules_p.h"
#include "core/sandbox/registryerrors.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QVariant>

#include <algorithm>

namespace kw::sandbox::detail {

namespace {
bool isIsoControl(QChar c)
{
    const char16_t u = c.unicode();
    return u < 0x20 || (u >= 0x7f && u <= 0x9f);
}
} // namespace

const QString DefaultAlgorithm = QStringLiteral("AES256_GCM");

bool isValidKekName(const QString &name)
{
    if (name.isEmpty() || name.size() > 256)
        return false;
    const QChar first = name.front();
    if (!first.isLetter() && first != QLatin1Char('_'))
        return false;
    return std::all_of(name.cbegin() + 1, name.cend(), [](QChar c) {
        return c.isLetter() || c.isDigit() || c == QLatin1Char('_') || c == QLatin1Char('-');
    });
}

bool isValidDekSubject(const QString &subject)
{
    return !subject.isEmpty() && !containsIsoControl(subject);
}

bool containsIsoControl(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(), isIsoControl);
}

QString normaliseKmsType(const QString &type)
{
    const QString lower = type.toLower();
    if (lower.startsWith(QLatin1String("aws")))
        return QStringLiteral("aws-kms");
    if (lower.startsWith(QLatin1String("azure")))
        return QStringLiteral("azure-kms");
    if (lower.startsWith(QLatin1String("gcp")))
        return QStringLiteral("gcp-kms");
    return type;
}

bool kmsKeyIdFitsType(const QString &type, const QString &keyId)
{
    if (type == QLatin1String("aws-kms"))
        return keyId.startsWith(QLatin1String("arn:aws:kms:"));
    if (type == QLatin1String("azure-kms"))
        return keyId.startsWith(QLatin1String("https://"));
    if (type == QLatin1String("gcp-kms"))
        return keyId.startsWith(QLatin1String("projects/"));
    if (type == QLatin1String("hcvault"))
        return keyId.startsWith(QLatin1String("http://")) ||
               keyId.startsWith(QLatin1String("https://"));
    return true;
}

bool equivalent(const registry::Kek &a, const registry::Kek &b)
{
    return a.kmsType == b.kmsType && a.kmsKeyId == b.kmsKeyId && a.kmsProps == b.kmsProps &&
           a.doc == b.doc && a.shared == b.shared;
}

QString propsToJson(const QMap<QString, QString> &props)
{
    QJsonObject o;
    for (auto it = props.cbegin(); it != props.cend(); ++it)
        o.insert(it.key(), it.value());
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QMap<QString, QString> propsFromJson(const QString &text)
{
    QMap<QString, QString> props;
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    for (auto it = o.begin(); it != o.end(); ++it)
        props.insert(it.key(), it.value().toString());
    return props;
}

Error keyExists(const QString &name)
{
    return registryError(
        ErrKeyExists, QStringLiteral("Key '%1' already exists; use a different value").arg(name));
}

Error notSoftDeleted(const QString &name)
{
    return registryError(
        ErrKeyNotSoftDeleted,
        QStringLiteral("Key '%1' was not deleted first before being permanently deleted")
            .arg(name));
}

Error mustUndeleteFirst(const QString &name)
{
    return registryError(ErrKeyMustBeUndeleted,
                         QStringLiteral("Key '%1' must be undeleted first").arg(name));
}

Error referencesExist(const QString &name)
{
    return registryError(ErrKeyReferenceExists,
                         QStringLiteral("One or more references exist to the key '%1'").arg(name));
}

QList<int> page(QList<int> items, int offset, int limit)
{
    offset = std::max(offset, 0);
    if (offset >= items.size())
        return {};
    return items.mid(offset, limit > 0 ? limit : -1);
}

QStringList page(QStringList items, int offset, int limit)
{
    offset = std::max(offset, 0);
    if (offset >= items.size())
        return {};
    return items.mid(offset, limit > 0 ? limit : -1);
}

Result<QString> checkAlgorithm(const QString &algorithm)
{
    const QString name = algorithm.isEmpty() ? DefaultAlgorithm : algorithm;
    if (!crypto::parseAlgorithm(name))
        return invalidKeyField(QStringLiteral("algorithm"));
    return name;
}

registry::Dek dekFromQuery(const QSqlQuery &q)
{
    registry::Dek d;
    d.kekName = q.value(0).toString();
    d.subject = q.value(1).toString();
    d.algorithm = q.value(2).toString();
    d.version = q.value(3).toInt();
    d.encryptedKeyMaterial = QByteArray::fromBase64(q.value(4).toString().toLatin1());
    d.ts = q.value(5).toLongLong();
    d.deleted = q.value(6).toBool();
    return d;
}

const QString DekColumns =
    QStringLiteral("kek_name, subject, algorithm, version, encrypted_key_material, ts, deleted");

Error tooManyKeys(int maxKeys)
{
    return registryError(ErrTooManyKeys,
                         QStringLiteral("A maximum of %1 keys already exist").arg(maxKeys));
}

} // namespace kw::sandbox::detail
