target_sources(keywarden-core PRIVATE
    common/clock.h
    common/readyfuture.h
)
