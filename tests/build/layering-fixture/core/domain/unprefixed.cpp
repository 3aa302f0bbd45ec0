// Fixture: an include that does not say which layer it comes from.
#include "registry/types.h"
