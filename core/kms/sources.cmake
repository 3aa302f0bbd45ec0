target_sources(keywarden-core PRIVATE
    kms/kms.cpp kms/kms.h
    kms/localkms.cpp kms/localkms.h
)
