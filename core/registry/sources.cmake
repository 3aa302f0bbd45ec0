target_sources(keywarden-core PRIVATE
    registry/types.cpp registry/types.h
    registry/connectionsettings.cpp registry/connectionsettings.h
    registry/resttransport.cpp registry/resttransport.h registry/logging_p.h
    registry/clientutil.cpp registry/clientutil_p.h registry/replyparsers_p.h
    registry/schemaregistryclient.cpp registry/schemaregistryclient.h
    registry/dekregistryclient.cpp registry/dekregistryclient.h
    registry/kekusage.cpp registry/kekusage.h
)
