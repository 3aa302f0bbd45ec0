#pragma once
// Validation and small helpers shared by the DEK Registry half of SandboxStore: KEK name and
// DEK subject rules, kmsType normalisation, the registry's error messages, paging.

#include "core/domain/registrytypes.h"
#include "core/domain/result.h"

#include <QList>
#include <QMap>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

namespace kw::sandbox::detail {

extern const QString DefaultAlgorithm;
extern const QString DekColumns;

bool isValidKekName(const QString &name);
bool isValidDekSubject(const QString &subject);
// True when `text` holds a C0 control, DEL or a C1 control (Java's Character.isISOControl).
bool containsIsoControl(const QString &text);
QString normaliseKmsType(const QString &type);
bool kmsKeyIdFitsType(const QString &type, const QString &keyId);
bool equivalent(const registry::Kek &a, const registry::Kek &b);
QString propsToJson(const QMap<QString, QString> &props);
QMap<QString, QString> propsFromJson(const QString &text);
Error keyExists(const QString &name);
Error notSoftDeleted(const QString &name);
Error mustUndeleteFirst(const QString &name);
Error referencesExist(const QString &name);
Error tooManyKeys(int maxKeys);
QList<int> page(QList<int> items, int offset, int limit);
QStringList page(QStringList items, int offset, int limit);
// Resolves an algorithm argument; empty means AES256_GCM. 42271 for unknown names.
Result<QString> checkAlgorithm(const QString &algorithm);
// A row selected with DekColumns.
registry::Dek dekFromQuery(const QSqlQuery &q);

} // namespace kw::sandbox::detail
