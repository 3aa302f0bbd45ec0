// Fixture: the product's Kafka layer reaching into the sandbox.
#include "beside.h"
#include "core/sandbox/mockkafkacluster.h"
