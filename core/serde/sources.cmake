target_sources(keywarden-core PRIVATE
    serde/framing.cpp serde/framing.h
)
if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/sources-walkers.cmake")
    include("${CMAKE_CURRENT_LIST_DIR}/sources-walkers.cmake")
endif()
