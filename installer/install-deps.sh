#!/usr/bin/env bash
# Installs everything Keywarden needs to build, test and run on Debian 12/13 or Ubuntu 24.04.
# Idempotent: packages already present are skipped, and when nothing is missing it returns in
# well under a second without touching apt. Uses sudo when not run as root.
#
#   installer/install-deps.sh          build, test and run dependencies
#   installer/install-deps.sh --ci     also what CI needs (debootstrap, clang for the fuzzers)
#   installer/install-deps.sh --without-node   skip Node.js (only the interop tests need it)
#   installer/install-deps.sh --list   print the package list for this system and exit
set -euo pipefail

want_ci=false
want_node=true
list_only=false
for arg in "$@"; do
    case "$arg" in
        --ci) want_ci=true ;;
        --without-node) want_node=false ;;
        --list) list_only=true ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install-deps.sh: unknown option '$arg' (try --help)" >&2; exit 64 ;;
    esac
done

if [[ ! -r /etc/os-release ]]; then
    echo "install-deps.sh: /etc/os-release is missing; this script supports Debian 12/13 and Ubuntu 24.04." >&2
    exit 1
fi
# shellcheck disable=SC1091
. /etc/os-release
case "${ID}:${VERSION_ID:-}" in
    debian:12|debian:13|ubuntu:24.04) ;;
    debian:*) echo "install-deps.sh: Debian ${VERSION_ID:-testing} is not tested; trying the Debian 13 package set." >&2 ;;
    *) echo "install-deps.sh: ${PRETTY_NAME:-this system} is not supported (Debian 12/13, Ubuntu 24.04)." >&2; exit 1 ;;
esac

packages=(
    # toolchain
    build-essential cmake ninja-build ccache pkg-config git clang-format
    # Qt 6 (Charts and HttpServer -dev packages miss a CMake dependency each, added here)
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev
    qt6-httpserver-dev qt6-websockets-dev qt6-svg-dev libqt6svg6 libqt6sql6-sqlite libgl-dev
    qtkeychain-qt6-dev
    # crypto, Kafka, Avro, Protobuf (libprotoc: the .proto parser; protoc: the interop tests' descriptor sets)
    libssl-dev openssl librdkafka-dev libavro-dev libprotobuf-dev libprotoc-dev protobuf-compiler
    # the CLI's allocator (bulk record reads)
    libmimalloc-dev
    # tests, demo screenshots and packaging
    xvfb xauth kcat dpkg-dev file
    # pdftotext and pdftoppm: the PDF report's text and pages (tst_reportdocument,
    # tst_cli_report_generate); Python's csv and jsonschema read the CSV and JSON reports
    poppler-utils python3 python3-jsonschema
    # the audit log's keyed path against a real Secret Service (tst_cli_audit_secret_service):
    # a private D-Bus session with gnome-keyring; libsecret is what QtKeychain talks through
    dbus-daemon gnome-keyring libsecret-1-0
)
if $want_node && { ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; }; then
    packages+=(nodejs npm)
fi
if $want_ci; then
    packages+=(debootstrap clang libclang-rt-dev)
fi

# KF6 SyntaxHighlighting is optional: installed where the distribution has it.
optional=(libkf6syntaxhighlighting-dev)

missing=()
is_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}
for p in "${packages[@]}"; do
    is_installed "$p" || missing+=("$p")
done

run_root() {
    if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_updated=false
apt_update() {
    $apt_updated && return 0
    run_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=true
}

for p in "${optional[@]}"; do
    is_installed "$p" && continue
    if [[ -z "$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')" ]] && ((${#missing[@]})); then
        apt_update
    fi
    candidate=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [[ -n "$candidate" && "$candidate" != "(none)" ]]; then
        missing+=("$p")
    fi
done

if $list_only; then
    printf '%s\n' "${packages[@]}"
    exit 0
fi

if ((${#missing[@]} == 0)); then
    echo "install-deps.sh: all dependencies are installed."
    exit 0
fi

echo "install-deps.sh: installing ${#missing[@]} package(s): ${missing[*]}"
apt_update
run_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    > /tmp/keywarden-install-deps.log 2>&1 || {
    echo "install-deps.sh: apt-get install failed; its output:" >&2
    tail -n 40 /tmp/keywarden-install-deps.log >&2
    exit 1
}
echo "install-deps.sh: done."
