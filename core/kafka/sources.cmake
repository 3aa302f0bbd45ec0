target_sources(keywarden-core PRIVATE
    kafka/kafkatypes.h
    kafka/kafkaclient.cpp kafka/kafkaclient.h kafka/kafkaclient_p.h
    kafka/recordreader.cpp kafka/recordreader.h
    kafka/recordpreview.cpp kafka/recordpreview.h
)
