#!/usr/bin/env bash
# run-sandbox-client.sh SANDBOX NODE INTEROP FIXTURE
#
# Starts `SANDBOX --seed empty --port 0`, reads its JSON line
# ({"registry","bootstrap","localSecret"}), runs sandbox-client.mjs (Confluent's
# official JavaScript client over REST) against it, which writes FIXTURE, then
# has Keywarden decrypt every record of FIXTURE with `INTEROP decrypt`. The
# sandbox is stopped with SIGTERM on every exit path (sandbox-lib.sh).
#
# Environment: SANDBOX_START_TIMEOUT (seconds to wait for the JSON line, default 30).
set -euo pipefail

if [[ $# -ne 4 ]]; then
    echo "usage: $0 SANDBOX NODE INTEROP FIXTURE" >&2
    exit 2
fi
sandbox=$1 node=$2 interop=$3 fixture=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=sandbox-lib.sh
source "$here/sandbox-lib.sh"
start_sandbox "$sandbox" "$node"

rm -f "$fixture"
echo "=== Confluent JavaScript client against the sandbox ==="
(cd "$here" && "$node" sandbox-client.mjs "$registry" "$secret" "$fixture")

echo "=== Keywarden decrypts the JavaScript client's records ==="
"$interop" decrypt "$fixture"
