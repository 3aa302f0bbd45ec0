#!/usr/bin/env bash
# Refreshes the README's screenshots: builds Keywarden, opens it on the embedded demo estate
# under a virtual X server, walks a KEK, a DEK version, a schema and a records preview, and
# saves a PNG of the window at each stop into docs/screenshots/.
#
# Usage: scripts/screenshots.sh [OUTPUT_DIR]   (default: docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/screenshots}

installer/install-deps.sh

if command -v ccache >/dev/null 2>&1; then
    export KEYWARDEN_COMPILER_LAUNCHER=ccache
fi
cmake --preset dev > /dev/null
cmake --build --preset dev --target keywarden

# A fixed screen and a throw-away settings folder, so the pictures do not depend on the
# caller's desktop, saved window geometry or theme.
SETTINGS=$(mktemp -d)
trap 'rm -rf "$SETTINGS"' EXIT
XDG_CONFIG_HOME="$SETTINGS/config" XDG_DATA_HOME="$SETTINGS/data" \
    xvfb-run -a -s "-screen 0 1600x1000x24" \
    build/dev/bin/keywarden --demo --screenshots "$OUT"
