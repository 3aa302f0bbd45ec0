#!/usr/bin/env bash
# The README's demo command: installs what is missing, builds Keywarden and opens it on the
# embedded demo estate.
set -euo pipefail
cd "$(dirname "$0")/.."

installer/install-deps.sh

if command -v ccache >/dev/null 2>&1; then
    export KEYWARDEN_COMPILER_LAUNCHER=ccache
fi
cmake --preset dev > /dev/null
cmake --build --preset dev --target keywarden keywarden-sandbox

exec build/dev/bin/keywarden --demo "$@"
