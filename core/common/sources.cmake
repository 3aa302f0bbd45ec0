target_sources(keywarden-core PRIVATE
    common/base64.cpp common/base64.h
    common/clock.h
    common/readyfuture.h
)
