target_sources(keywarden-core PRIVATE
    profiles/connectionprofile.cpp profiles/connectionprofile.h
    profiles/connectiontester.cpp profiles/connectiontester.h
    profiles/keychainauditvault.cpp profiles/keychainauditvault.h
    profiles/profilestore.cpp profiles/profilestore.h
    profiles/propertiesimport.cpp profiles/propertiesimport.h
    profiles/secretstore.cpp profiles/secretstore.h
)
