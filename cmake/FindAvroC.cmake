# Finds the Avro C library. Provides AvroC::avro and AvroC_VERSION.

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
    pkg_check_modules(PC_AvroC QUIET avro-c)
endif()

find_path(AvroC_INCLUDE_DIR NAMES avro.h HINTS ${PC_AvroC_INCLUDE_DIRS})
find_library(AvroC_LIBRARY NAMES avro HINTS ${PC_AvroC_LIBRARY_DIRS})
set(AvroC_VERSION "${PC_AvroC_VERSION}")

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(AvroC
    REQUIRED_VARS AvroC_LIBRARY AvroC_INCLUDE_DIR
    VERSION_VAR AvroC_VERSION)

if(AvroC_FOUND AND NOT TARGET AvroC::avro)
    add_library(AvroC::avro UNKNOWN IMPORTED)
    set_target_properties(AvroC::avro PROPERTIES
        IMPORTED_LOCATION "${AvroC_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${AvroC_INCLUDE_DIR}")
endif()
mark_as_advanced(AvroC_INCLUDE_DIR AvroC_LIBRARY)
