# Configures the project with one dependency hidden from find_package and checks that
# configure fails and names the Debian package that provides it.
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(
    COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}" -G Ninja
            -DCMAKE_DISABLE_FIND_PACKAGE_${DEPENDENCY}=ON -DKEYWARDEN_BUILD_TESTS=OFF
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REMOVE_RECURSE "${WORK_DIR}")
if(rc EQUAL 0)
    message(FATAL_ERROR "configure succeeded although ${DEPENDENCY} was hidden")
endif()
string(FIND "${err}" "sudo apt-get install" has_hint)
string(REGEX MATCH "apt-get install[^\n]* ${PACKAGE}( |\n|$)" names_pkg "${err}")
if(has_hint EQUAL -1 OR NOT names_pkg)
    message(FATAL_ERROR "configure did not name ${PACKAGE} for ${DEPENDENCY}:\n${err}")
endif()
message(STATUS "hiding ${DEPENDENCY} names ${PACKAGE}: ok")
