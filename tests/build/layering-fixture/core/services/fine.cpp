// Fixture: includes that follow the layers; the check must not name this file.
#include "core/engine/recorddecryptor.h"
#include "core/kafka/kafkasettings.h"

#include <QString>
