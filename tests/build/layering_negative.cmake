# The layering check must fail on the fixture tree (wrong-way includes planted in it), name
# every planted line, and leave the line that follows the layers alone.
execute_process(
    COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${FIXTURE} -P ${CHECK}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(rc EQUAL 0)
    message(FATAL_ERROR "the layering check passed a tree with wrong-way includes:\n${all}")
endif()
foreach(expected
        "core/kms/wrongway.h: core/kms must not include \"core/services/connectionprofile.h\""
        "core/kafka/sandboxed.cpp: core/kafka must not include \"core/sandbox/mockkafkacluster.h\""
        "core/domain/unprefixed.cpp: \"registry/types.h\" does not name its layer"
        "models/widgety.h: models must not include <QWidget>"
        "widgets/records/upward.cpp: widgets must not include \"app/cli/commands.h\"")
    string(FIND "${all}" "${expected}" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "the layering check did not report: ${expected}\nit said:\n${all}")
    endif()
endforeach()
foreach(unexpected "core/services/fine.cpp" "beside.h" "core/domain/result.h")
    string(FIND "${all}" "${unexpected}" at)
    if(NOT at EQUAL -1)
        message(FATAL_ERROR "the layering check flagged an include that follows the layers (${unexpected}):\n${all}")
    endif()
endforeach()
message(STATUS "the layering check refused all 5 planted includes")
