# Schema-aware record walkers (Avro via Avro C, JSON Schema) and metadata.tags wildcards.
target_sources(keywarden-core PRIVATE
    serde/fieldvisit.h
    serde/wildcard.cpp serde/wildcard.h
    serde/avroschema.cpp serde/avroschema.h
    serde/avromodel.cpp serde/avromodel.h
    serde/avrobinary.cpp serde/avrobinary.h
    serde/jsontext.cpp serde/jsontext.h
    serde/avrovalue.cpp serde/avrovalue.h
    serde/jsonschema.cpp serde/jsonschema.h
)
