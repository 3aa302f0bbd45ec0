// Fixture: a widget including the application layer above it.
#include "app/cli/commands.h"
