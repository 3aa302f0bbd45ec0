#pragma once
// The Schema Registry / DEK Registry error codes the sandbox answers with, as kw::Error values
// ("registry.40470"), and the HTTP status that goes with each code.

#include "core/domain/result.h"

#include <QString>

namespace kw::sandbox {

// Error codes, named as in Confluent's Errors.java / DekRegistryErrors.java.
enum RegistryErrorCode : int
{
    ErrSubjectNotFound = 40401,
    ErrVersionNotFound = 40402,
    ErrSchemaNotFound = 40403,
    ErrSubjectSoftDeleted = 40404,
    ErrSubjectNotSoftDeleted = 40405,
    ErrVersionSoftDeleted = 40406,
    ErrVersionNotSoftDeleted = 40407,
    ErrKeyNotFound = 40470,
    ErrKeyNotSoftDeleted = 40471,
    ErrKeyMustBeUndeleted = 40472,
    ErrKeyAccessDenied = 40370,
    ErrKeyExists = 40971,
    ErrTooManyKeys = 40972,
    ErrInvalidSchema = 42201,
    ErrInvalidVersion = 42202,
    ErrReferenceExists = 42206,
    ErrInvalidSubject = 42208,
    ErrInvalidKey = 42271,
    ErrKeyReferenceExists = 42272,
    ErrStore = 50001,
    ErrDekGeneration = 50070,
};

// kw::Error{"registry.<code>", message}.
[[nodiscard]] Error registryError(int code, const QString &message);
// The numeric code of a "registry.<code>" error; 50001 for any other error.
[[nodiscard]] int registryErrorCode(const Error &error);
// HTTP status for a registry error code: 40470 -> 404, 42271 -> 422; 3-digit codes map to
// themselves.
[[nodiscard]] int httpStatusForCode(int code);

// Message builders with Confluent's wording.
[[nodiscard]] Error keyNotFound(const QString &name);
[[nodiscard]] Error invalidKeyField(const QString &field);

} // namespace kw::sandbox
