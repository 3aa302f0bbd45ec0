# keywarden_flags: the one INTERFACE target every Keywarden target links for language level,
# warnings, Qt strictness and hardening.

add_library(keywarden_flags INTERFACE)
target_compile_features(keywarden_flags INTERFACE cxx_std_20)

target_compile_options(keywarden_flags INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wold-style-cast -Wnon-virtual-dtor
        -Woverloaded-virtual -Wcast-qual -Wformat=2 -Wimplicit-fallthrough -Wundef>
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra>
    -fstack-protector-strong
    -fstack-clash-protection
    $<$<BOOL:${KEYWARDEN_WERROR}>:-Werror>)

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|i.86")
    target_compile_options(keywarden_flags INTERFACE -fcf-protection)
endif()

# _FORTIFY_SOURCE needs optimisation; glibc warns (and -Werror fails) without it.
target_compile_options(keywarden_flags INTERFACE
    $<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2>)

target_link_options(keywarden_flags INTERFACE
    LINKER:-z,relro LINKER:-z,now LINKER:-z,noexecstack LINKER:--as-needed)

target_compile_definitions(keywarden_flags INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_FOREACH
    QT_NO_KEYWORDS
    QT_USE_QSTRINGBUILDER
    KEYWARDEN_VERSION_STRING="${PROJECT_VERSION}"
    KEYWARDEN_APP_ID="${KEYWARDEN_APP_ID}")

include(CheckPIESupported)
check_pie_supported()

# Fails configure if a lower layer links a higher one: core and models never link QtWidgets.
function(keywarden_assert_no_widgets target)
    get_target_property(_libs ${target} LINK_LIBRARIES)
    get_target_property(_ilibs ${target} INTERFACE_LINK_LIBRARIES)
    foreach(_lib IN LISTS _libs _ilibs)
        if(_lib MATCHES "Widgets|keywarden-widgets|KF6::SyntaxHighlighting|Qt6::Charts")
            message(FATAL_ERROR "${target} must not link ${_lib}: core and models stay free of QtWidgets")
        endif()
    endforeach()
endfunction()
