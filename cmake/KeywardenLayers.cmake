# The layers and the only directions they may depend in (../shared/design/architecture.md).
# KEYWARDEN_LAYERS_<layer> lists every layer that <layer> may include and link, besides itself.
# The core libraries link exactly these (keywarden_core_library), and cmake/check_layering.cmake
# fails the build on an include that runs against them. Read by CMake and by `cmake -P`.

set(_kw_base core/domain)
set(KEYWARDEN_LAYERS_core/domain "")
set(KEYWARDEN_LAYERS_core/crypto ${_kw_base})
set(KEYWARDEN_LAYERS_core/serde ${_kw_base})
set(KEYWARDEN_LAYERS_core/net ${_kw_base})
set(KEYWARDEN_LAYERS_core/store ${_kw_base})
set(KEYWARDEN_LAYERS_core/kms ${_kw_base} core/crypto core/net)
set(KEYWARDEN_LAYERS_core/registry ${_kw_base} core/serde core/net)
set(KEYWARDEN_LAYERS_core/kafka ${_kw_base} core/serde)
set(KEYWARDEN_LAYERS_core/engine ${_kw_base} core/crypto core/serde core/net core/kms core/registry)
set(KEYWARDEN_LAYERS_core/census ${_kw_base} core/crypto core/serde core/net core/store
    core/kms core/registry core/kafka core/engine)
set(KEYWARDEN_LAYERS_core/audit ${_kw_base} core/crypto core/store)
# Rotate, rewrap, switch and delete: plans built from the registries, run from a journal.
set(KEYWARDEN_LAYERS_core/workflows ${_kw_base} core/crypto core/serde core/net core/store
    core/kms core/registry core/kafka core/engine core/census core/audit)
# Compliance reports: their data, the writers per format and the seal that signs them.
set(KEYWARDEN_LAYERS_core/report ${_kw_base} core/crypto core/serde core/net core/store
    core/kms core/registry core/kafka core/engine core/census core/audit core/workflows)
set(KEYWARDEN_LAYERS_core/services ${_kw_base} core/crypto core/serde core/net core/store
    core/kms core/registry core/kafka core/engine core/census core/audit core/workflows
    core/report)
# The embedded registry, KMS doubles and mock cluster: linked by keywarden-sandbox, the GUI's
# --demo and tests, never by the libraries the product is made of.
set(KEYWARDEN_LAYERS_core/sandbox ${_kw_base} core/crypto core/serde core/net core/store
    core/kms core/registry core/kafka core/engine)
set(KEYWARDEN_LAYERS_models ${KEYWARDEN_LAYERS_core/services} core/services)
set(KEYWARDEN_LAYERS_widgets ${KEYWARDEN_LAYERS_models} models)
set(KEYWARDEN_LAYERS_app ${KEYWARDEN_LAYERS_widgets} widgets core/sandbox)

# Every layer, bottom up.
set(KEYWARDEN_CORE_LAYERS domain crypto serde net store kms registry kafka engine census audit workflows
    report services
    sandbox)
set(KEYWARDEN_ALL_LAYERS)
foreach(_kw_layer IN LISTS KEYWARDEN_CORE_LAYERS)
    list(APPEND KEYWARDEN_ALL_LAYERS core/${_kw_layer})
endforeach()
list(APPEND KEYWARDEN_ALL_LAYERS models widgets app)
