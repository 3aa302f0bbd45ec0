#pragma once
// Fixture: a KMS driver reaching up into services, which the check must refuse.
#include "core/domain/result.h"
#include "core/services/connectionprofile.h"
