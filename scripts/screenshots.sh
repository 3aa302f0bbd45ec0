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

# The compliance report of the demo estate: a page of the PDF (pdftoppm) and the top of the HTML
# (headless Chromium, when installed: it is not one of Keywarden's dependencies). The report key
# lives in a throw-away keyring in a private D-Bus session.
cmake --build --preset dev --target keywarden-cli keywarden-sandbox
REPORTS="$SETTINGS/reports"
mkdir -p "$REPORTS" "$SETTINGS/cache" "$SETTINGS/data"
cat > "$SETTINGS/report.sh" <<'SCRIPT'
set -euo pipefail
printf screenshots | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
build/dev/bin/keywarden-sandbox --seed demo --port 0 > "$REPORTS/sandbox.json" &
SANDBOX=$!
trap 'kill $SANDBOX' EXIT
for _ in $(seq 1 240); do [[ -s "$REPORTS/sandbox.json" ]] && break; sleep 0.5; done
field() { python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])" "$REPORTS/sandbox.json" "$1"; }
export LOCAL_SECRET; LOCAL_SECRET=$(field localSecret)
CONNECTION=(--registry "$(field registry)" --bootstrap "$(field bootstrap)")
build/dev/bin/keywarden-cli census "${CONNECTION[@]}" --state "$REPORTS/census" > /dev/null
for format in pdf html; do
    build/dev/bin/keywarden-cli report "${CONNECTION[@]}" --state "$REPORTS/census" \
        --format "$format" -o "$REPORTS/report.$format" > /dev/null
done
SCRIPT
XDG_CONFIG_HOME="$SETTINGS/config" XDG_DATA_HOME="$SETTINGS/data" XDG_CACHE_HOME="$SETTINGS/cache" \
    REPORTS="$REPORTS" dbus-run-session -- bash "$SETTINGS/report.sh"
# The page with the rotation schedule's timeline.
pdftotext -layout "$REPORTS/report.pdf" "$REPORTS/report.txt"
page=$(awk -v RS='\f' '/DEK versions over time/ { print NR; exit }' "$REPORTS/report.txt")
pdftoppm -png -r 90 -f "$page" -l "$page" -singlefile "$REPORTS/report.pdf" "$OUT/keywarden-report-pdf"
if command -v chromium >/dev/null 2>&1; then
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1500 \
        --screenshot="$OUT/keywarden-report-html.png" "file://$REPORTS/report.html" 2>/dev/null
else
    echo "screenshots.sh: chromium is not installed; keywarden-report-html.png was not refreshed." >&2
fi
