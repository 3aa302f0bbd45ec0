target_sources(keywarden-core PRIVATE
    engine/dekcache.cpp engine/dekcache.h
    engine/memoryregistry.cpp engine/memoryregistry.h
    engine/recorddecryptor.cpp engine/recorddecryptor.h
    engine/recordencryptor.cpp engine/recordencryptor.h
    engine/rules.cpp engine/rules.h
    engine/sources.h
)
