#!/usr/bin/env bash
# The README's test command: installs what is missing, builds the dev preset and runs every
# test. CI=true turns compiler warnings into errors.
set -euo pipefail
cd "$(dirname "$0")/.."

installer/install-deps.sh

if command -v ccache >/dev/null 2>&1; then
    export KEYWARDEN_COMPILER_LAUNCHER=ccache
fi
werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON

cmake --preset dev -DKEYWARDEN_WERROR="$werror" > build-configure.log 2>&1 || { cat build-configure.log; exit 1; }
grep -E '^-- Keywarden ' build-configure.log || true
rm -f build-configure.log
cmake --build --preset dev
ctest --preset dev
