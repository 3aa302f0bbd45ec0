# format / format-check targets over every C++ source the project owns.

find_program(CLANG_FORMAT_EXECUTABLE NAMES clang-format clang-format-19 clang-format-16 clang-format-14)

if(CLANG_FORMAT_EXECUTABLE)
    file(GLOB_RECURSE KEYWARDEN_FORMAT_SOURCES CONFIGURE_DEPENDS
        "${PROJECT_SOURCE_DIR}/core/*.cpp" "${PROJECT_SOURCE_DIR}/core/*.h"
        "${PROJECT_SOURCE_DIR}/models/*.cpp" "${PROJECT_SOURCE_DIR}/models/*.h"
        "${PROJECT_SOURCE_DIR}/widgets/*.cpp" "${PROJECT_SOURCE_DIR}/widgets/*.h"
        "${PROJECT_SOURCE_DIR}/app/*.cpp" "${PROJECT_SOURCE_DIR}/app/*.h"
        "${PROJECT_SOURCE_DIR}/tests/*.cpp" "${PROJECT_SOURCE_DIR}/tests/*.h"
        "${PROJECT_SOURCE_DIR}/benchmarks/*.cpp" "${PROJECT_SOURCE_DIR}/benchmarks/*.h")
    list(FILTER KEYWARDEN_FORMAT_SOURCES EXCLUDE REGEX "/node_modules/")
    add_custom_target(format
        COMMAND ${CLANG_FORMAT_EXECUTABLE} -i ${KEYWARDEN_FORMAT_SOURCES}
        WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
        COMMENT "Formatting sources with the root .clang-format"
        VERBATIM)
    add_custom_target(format-check
        COMMAND ${CLANG_FORMAT_EXECUTABLE} --dry-run -Werror ${KEYWARDEN_FORMAT_SOURCES}
        WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
        COMMENT "Checking formatting against the root .clang-format"
        VERBATIM)
else()
    message(STATUS "clang-format not found: the format and format-check targets are unavailable")
endif()
