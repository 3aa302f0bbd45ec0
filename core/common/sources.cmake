target_sources(keywarden-core PRIVATE
    common/base64.cpp common/base64.h
    common/clock.h
    common/futurewatch.h
    common/privatefiles.cpp common/privatefiles.h
    common/readyfuture.h
)
