# keywarden_add_test(<name> SOURCES ... [LIBS ...] [LABELS ...] [TIMEOUT s] [ENV k=v ...])
# One executable per test class (Qt Test). Every test runs headless (QT_QPA_PLATFORM=offscreen)
# with its own throw-away settings and data folders, so tests never touch the user's files.

function(keywarden_add_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    # Tests may use the sandbox (the embedded registry, KMS doubles and mock cluster).
    target_link_libraries(${name} PRIVATE keywarden_flags Qt6::Test ${ARG_LIBS} keywarden-sandboxlib
                                          keywarden-test-support)
    target_include_directories(${name} PRIVATE "${PROJECT_SOURCE_DIR}/tests")
    target_compile_definitions(${name} PRIVATE
        KEYWARDEN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        KEYWARDEN_BINARY_DIR="${PROJECT_BINARY_DIR}")
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    set(_home "${CMAKE_CURRENT_BINARY_DIR}/${name}.home")
    set_tests_properties(${name} PROPERTIES
        TIMEOUT ${ARG_TIMEOUT}
        LABELS "${ARG_LABELS}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;XDG_CONFIG_HOME=${_home}/config;XDG_DATA_HOME=${_home}/data;XDG_CACHE_HOME=${_home}/cache;QT_LOGGING_RULES=*.debug=false;${ARG_ENV}")
endfunction()
