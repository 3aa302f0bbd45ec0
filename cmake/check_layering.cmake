# The layering check: every #include "..." in core/, models/, widgets/ and app/ names its layer
# (core/registry/..., models/..., widgets/...) or a file beside the includer, and runs only
# down the directions in KeywardenLayers.cmake. core/ and models/ never include QtWidgets,
# QtCharts or KSyntaxHighlighting headers. Fails, naming every offending line, otherwise.
#
#   cmake -DSOURCE_DIR=<tree> [-DSTAMP=<file>] -P check_layering.cmake
#
# The build runs it before compiling anything (target keywarden-layering); tests/build runs it
# on a fixture with wrong-way includes to prove that it fails.
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/KeywardenLayers.cmake")

set(widget_headers "^(QtWidgets|QtCharts|KSyntaxHighlighting|QWidget|QMainWindow|QDialog|QApplication|QAbstractButton|QLabel|QTreeView|QTableView)([/.>]|$)")
set(bad "")
foreach(layer IN LISTS KEYWARDEN_ALL_LAYERS)
    if(NOT IS_DIRECTORY "${SOURCE_DIR}/${layer}")
        continue()
    endif()
    set(allowed ${layer} ${KEYWARDEN_LAYERS_${layer}})
    file(GLOB_RECURSE files RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/${layer}/*.h" "${SOURCE_DIR}/${layer}/*.cpp")
    foreach(f IN LISTS files)
        get_filename_component(dir "${f}" DIRECTORY)
        file(STRINGS "${SOURCE_DIR}/${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
        foreach(line IN LISTS lines)
            string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*" "\\1" inc "${line}")
            if(line MATCHES "include[ \t]*<")
                if(inc MATCHES "${widget_headers}" AND layer MATCHES "^(core/|models$)")
                    list(APPEND bad "${f}: ${layer} must not include <${inc}> (QtWidgets, QtCharts and KSyntaxHighlighting stay above models)")
                endif()
                continue()
            endif()
            if(EXISTS "${SOURCE_DIR}/${dir}/${inc}" AND NOT inc MATCHES "/")
                continue() # a file beside the includer
            endif()
            if(inc MATCHES "^(core/[a-z]+)/")
                set(target "${CMAKE_MATCH_1}")
            elseif(inc MATCHES "^(models|widgets|app)/")
                set(target "${CMAKE_MATCH_1}")
            else()
                list(APPEND bad "${f}: \"${inc}\" does not name its layer (write core/<layer>/..., models/... or widgets/...)")
                continue()
            endif()
            if(NOT target IN_LIST KEYWARDEN_ALL_LAYERS)
                list(APPEND bad "${f}: \"${inc}\" names no layer of KeywardenLayers.cmake")
            elseif(NOT target IN_LIST allowed)
                list(APPEND bad "${f}: ${layer} must not include \"${inc}\" (${target} is not below ${layer})")
            endif()
        endforeach()
    endforeach()
endforeach()
if(bad)
    list(JOIN bad "\n  " bad)
    message(FATAL_ERROR "includes against the layers (cmake/KeywardenLayers.cmake):\n  ${bad}")
endif()
if(STAMP)
    file(TOUCH "${STAMP}")
endif()
