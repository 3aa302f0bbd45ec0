#pragma once
// Wildcard matching of dotted field names, as used by schema metadata.tags patterns
// ("**.ssn", "bank.Customer.*", "bank.?ustomer.ssn").

#include "core/serde/fieldvisit.h"

#include <QStringList>
#include <QStringView>

namespace kw::serde {

// True when `path` matches `pattern` in full. `*` matches any run of characters inside one
// dot-separated segment, `**` any run including dots, `?` one character other than '.', and a
// backslash makes the next character literal. All other characters match themselves.
bool wildcardMatch(QStringView pattern, QStringView path);

// The tags of every metadata.tags pattern that matches `fullName`, without duplicates, in
// pattern order.
QStringList tagsForPath(const MetadataTags &metadataTags, QStringView fullName);

} // namespace kw::serde
