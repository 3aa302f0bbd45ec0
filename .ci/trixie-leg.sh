#!/usr/bin/env bash
# Builds and tests the source tree in a Debian 13 (trixie) chroot made with debootstrap:
# Qt 6.8 and KF6 SyntaxHighlighting, installed by the project's own installer script.
# The prepared root is cached as a tarball keyed by the installer's content, so later runs on
# the same machine skip debootstrap and apt; a fresh machine builds it (about 2-3 minutes).
set -euo pipefail
src=$(cd "$1" && pwd)
cache=${KEYWARDEN_CI_CACHE:-/var/cache/keywarden-ci}
mkdir -p "$cache" "$src/build"

if [[ $EUID -ne 0 ]]; then
    echo "trixie leg: needs root for debootstrap and chroot" >&2
    exit 1
fi

# The archive this machine already uses (read from its apt sources, so no host is hard-coded).
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
if [[ -z "$mirror" ]]; then
    mirror=$(awk '/^deb / && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
[[ -n "$mirror" ]] || { echo "trixie leg: no Debian mirror found in the apt sources" >&2; exit 1; }

key=$(cat "$src/installer/install-deps.sh" "$src/.ci/trixie-leg.sh" | sha256sum | cut -c1-16)
tarball="$cache/trixie-$key.tar"
root="$cache/trixie-root"

cleanup() {
    for m in "$root/ccache" "$root/src" "$root/dev/pts" "$root/dev" "$root/proc"; do
        mountpoint -q "$m" 2>/dev/null && umount -l "$m" || true
    done
}
trap cleanup EXIT
cleanup
rm -rf "$root"
mkdir -p "$root"

if [[ -f "$tarball" ]]; then
    echo "trixie leg: reusing cached root $tarball"
    tar -C "$root" -xf "$tarball"
else
    echo "trixie leg: debootstrap trixie from the machine's Debian mirror"
    t0=$(date +%s)
    debootstrap --variant=minbase trixie "$root" "$mirror" > "$cache/debootstrap.log" 2>&1 || {
        tail -n 30 "$cache/debootstrap.log"; exit 1; }
    echo "trixie leg: debootstrap took $(( $(date +%s) - t0 ))s"
fi

mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mkdir -p "$root/src" "$root/ccache" "$root/build"
mount --bind "$src" "$root/src"
mkdir -p "${CCACHE_DIR:-$HOME/.cache/ccache}-trixie"
mount --bind "${CCACHE_DIR:-$HOME/.cache/ccache}-trixie" "$root/ccache"
cp /etc/resolv.conf "$root/etc/resolv.conf"

in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    CI=true CCACHE_DIR=/ccache KEYWARDEN_COMPILER_LAUNCHER=ccache "$@"; }

if [[ ! -f "$tarball" ]]; then
    t0=$(date +%s)
    in_root /src/installer/install-deps.sh --without-node
    in_root apt-get clean
    echo "trixie leg: dependencies took $(( $(date +%s) - t0 ))s"
    umount "$root/ccache" "$root/src" "$root/dev" "$root/proc"
    rm -f "$cache"/trixie-*.tar
    tar -C "$root" --exclude=./build -cf "$tarball" .
    mount -t proc proc "$root/proc"
    mount --bind /dev "$root/dev"
    mount --bind "$src" "$root/src"
    mount --bind "${CCACHE_DIR:-$HOME/.cache/ccache}-trixie" "$root/ccache"
else
    in_root /src/installer/install-deps.sh --without-node
fi

in_root /bin/sh -c 'qmake6 -query QT_VERSION 2>/dev/null || true' | sed 's/^/trixie leg: Qt /'
in_root cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DKEYWARDEN_WERROR=ON -DKEYWARDEN_SYNTAX_HIGHLIGHTING=ON > "$src/build/trixie-configure.log" 2>&1 || {
    cat "$src/build/trixie-configure.log"; exit 1; }
grep -E '^-- Keywarden ' "$src/build/trixie-configure.log"
in_root cmake --build /build
set +e
in_root ctest --test-dir /build -j2 --output-on-failure --no-tests=error 2>&1 | tee "$src/build/trixie-ctest.log"
rc=${PIPESTATUS[0]}
set -e
grep -E 'tests passed' "$src/build/trixie-ctest.log" | tail -n 1 > "$src/build/trixie-summary.txt" || true
exit "$rc"
