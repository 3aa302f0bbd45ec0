target_sources(keywarden-core PRIVATE
    registry/types.cpp registry/types.h
)
