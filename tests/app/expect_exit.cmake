# Runs PROGRAM with ARGS (a ;-list) and checks its exit code and that its combined output
# contains EXPECT_OUTPUT.
execute_process(COMMAND ${PROGRAM} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL EXPECT_EXIT)
    message(FATAL_ERROR "${PROGRAM} exited with ${rc}, expected ${EXPECT_EXIT}\n${out}${err}")
endif()
string(FIND "${out}${err}" "${EXPECT_OUTPUT}" pos)
if(pos EQUAL -1)
    message(FATAL_ERROR "output lacks '${EXPECT_OUTPUT}':\n${out}${err}")
endif()
