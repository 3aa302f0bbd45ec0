# Finds every third-party dependency. A missing one does not stop at the first failure:
# configure collects them all and then stops with the Debian/Ubuntu packages to install.

set(_kw_missing_packages "")
set(_kw_missing_names "")

macro(_kw_missing what)
    list(APPEND _kw_missing_names "${what}")
    list(APPEND _kw_missing_packages ${ARGN})
endmacro()

set(KEYWARDEN_QT_MIN_VERSION 6.4)
set(_kw_qt_components
    Core:qt6-base-dev Gui:qt6-base-dev Widgets:qt6-base-dev Network:qt6-base-dev
    Sql:qt6-base-dev Concurrent:qt6-base-dev Test:qt6-base-dev
    # Debian's Charts and HttpServer -dev packages miss a dependency of their CMake files.
    Charts:qt6-charts-dev+libqt6opengl6-dev HttpServer:qt6-httpserver-dev+qt6-websockets-dev
    # QSvgGenerator: the HTML report's charts.
    Svg:qt6-svg-dev)

find_package(Qt6 ${KEYWARDEN_QT_MIN_VERSION} QUIET COMPONENTS Core)
if(NOT Qt6_FOUND)
    _kw_missing("Qt ${KEYWARDEN_QT_MIN_VERSION} or newer" qt6-base-dev)
else()
    foreach(_entry IN LISTS _kw_qt_components)
        string(REPLACE ":" ";" _pair "${_entry}")
        list(GET _pair 0 _component)
        list(GET _pair 1 _package)
        string(REPLACE "+" ";" _package "${_package}")
        find_package(Qt6${_component} ${KEYWARDEN_QT_MIN_VERSION} QUIET)
        if(NOT Qt6${_component}_FOUND)
            _kw_missing("Qt6 ${_component}" "${_package}")
        endif()
    endforeach()
endif()

find_package(OpenSSL 3.0 QUIET)
if(NOT OPENSSL_FOUND)
    _kw_missing("OpenSSL 3 (libcrypto)" libssl-dev)
endif()

find_package(RdKafka 1.9 QUIET)
if(NOT RdKafka_FOUND)
    _kw_missing("librdkafka with rdkafka_mock.h" librdkafka-dev)
endif()

find_package(AvroC QUIET)
if(NOT AvroC_FOUND)
    _kw_missing("Avro C" libavro-dev)
endif()

# Protobuf records: libprotoc's .proto parser; libprotobuf's descriptors, dynamic messages and
# JSON mapping.
find_package(Protobuf 3.12 QUIET)
if(NOT Protobuf_FOUND)
    _kw_missing("Protocol Buffers (libprotobuf)" libprotobuf-dev)
elseif(NOT TARGET protobuf::libprotoc)
    _kw_missing("the Protocol Buffers compiler library (libprotoc)" libprotoc-dev)
endif()

find_package(Qt6Keychain QUIET)
if(NOT Qt6Keychain_FOUND)
    _kw_missing("QtKeychain (Qt 6 build)" qtkeychain-qt6-dev)
endif()

set(KEYWARDEN_HIGHLIGHTER "built-in")
if(NOT KEYWARDEN_SYNTAX_HIGHLIGHTING STREQUAL "OFF")
    find_package(KF6SyntaxHighlighting QUIET)
    if(KF6SyntaxHighlighting_FOUND)
        set(KEYWARDEN_HIGHLIGHTER "KF6 SyntaxHighlighting ${KF6SyntaxHighlighting_VERSION}")
    elseif(KEYWARDEN_SYNTAX_HIGHLIGHTING STREQUAL "ON")
        _kw_missing("KF6 SyntaxHighlighting" libkf6syntaxhighlighting-dev)
    endif()
endif()

# mimalloc replaces glibc's malloc in keywarden-cli, whose bulk reads allocate from several
# threads at once (about 10% faster records). Never with sanitizers: they bring their own.
set(KEYWARDEN_ALLOCATOR "glibc malloc")
string(FIND "${CMAKE_CXX_FLAGS} ${CMAKE_EXE_LINKER_FLAGS}" "-fsanitize" _kw_sanitized)
if(KEYWARDEN_MIMALLOC STREQUAL "ON" OR
   (KEYWARDEN_MIMALLOC STREQUAL "AUTO" AND _kw_sanitized EQUAL -1 AND NOT KEYWARDEN_BUILD_FUZZERS))
    find_package(mimalloc QUIET)
    if(mimalloc_FOUND)
        set(KEYWARDEN_ALLOCATOR "mimalloc ${mimalloc_VERSION}")
    elseif(KEYWARDEN_MIMALLOC STREQUAL "ON")
        _kw_missing("mimalloc" libmimalloc-dev)
    endif()
endif()

if(_kw_missing_names)
    list(REMOVE_DUPLICATES _kw_missing_packages)
    list(JOIN _kw_missing_names "\n  - " _names)
    list(JOIN _kw_missing_packages " " _packages)
    message(FATAL_ERROR
        "Keywarden cannot be configured; these dependencies were not found:\n  - ${_names}\n"
        "Install them on Debian or Ubuntu with:\n"
        "  sudo apt-get install ${_packages}\n"
        "or run installer/install-deps.sh, which installs everything the build needs.")
endif()
