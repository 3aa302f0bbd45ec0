# Starts the GUI on the offscreen platform with --demo and lets it run for a few seconds: it
# must still be running (no crash at start-up), and is then stopped by the timeout.
set(ENV{QT_QPA_PLATFORM} offscreen)
execute_process(COMMAND ${PROGRAM} --demo TIMEOUT 4 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc MATCHES "timeout")
    message(FATAL_ERROR "keywarden --demo ended by itself (${rc}) instead of running:\n${out}${err}")
endif()
