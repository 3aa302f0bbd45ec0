target_sources(keywarden-core PRIVATE
    common/base64.cpp common/base64.h
    common/processhardening.cpp common/processhardening.h
    common/clock.h
    common/displaytext.cpp common/displaytext.h
    common/futurewatch.h
    common/privatefiles.cpp common/privatefiles.h
    common/readyfuture.h
    common/wholenumber.cpp common/wholenumber.h
)
