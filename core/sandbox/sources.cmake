# The embedded Schema Registry + DEK Registry server and the librdkafka mock cluster.
target_sources(keywarden-core PRIVATE
    sandbox/registryerrors.cpp sandbox/registryerrors.h
    sandbox/keyrules.cpp sandbox/keyrules_p.h
    sandbox/sandboxstore.cpp sandbox/sandboxstore.h
    sandbox/sandboxstore_keys.cpp
    sandbox/sandboxstore_deks.cpp
    sandbox/sandboxstore_schemas.cpp
    sandbox/httpexchange.cpp sandbox/httpexchange.h
    sandbox/dekroutes.cpp sandbox/dekroutes.h
    sandbox/schemaroutes.cpp sandbox/schemaroutes.h
    sandbox/sandboxserver.cpp sandbox/sandboxserver.h
    sandbox/mockkafkacluster.cpp sandbox/mockkafkacluster.h
    sandbox/demoseed.cpp sandbox/demoseed.h
    sandbox/demoestate.cpp sandbox/demoestate.h
    sandbox/sandbox.cpp sandbox/sandbox.h
    sandbox/sandboxhost.cpp sandbox/sandboxhost.h
    sandbox/scaleseed.cpp sandbox/scaleseed.h sandbox/sandboxstore_bulk.cpp
)
# Core links QtHttpServer for the sandbox only.
target_link_libraries(keywarden-core PUBLIC Qt6::HttpServer)
