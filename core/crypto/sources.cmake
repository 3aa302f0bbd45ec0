target_sources(keywarden-core PRIVATE
    crypto/securebytes.cpp crypto/securebytes.h
    crypto/crypto.cpp crypto/crypto.h crypto/crypto_p.h
    crypto/aessiv.cpp
    crypto/tinkkey.cpp
)
