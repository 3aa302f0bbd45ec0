#!/usr/bin/env bash
# run-workflow-client.sh SANDBOX NODE INTEROP CLI
#
# Keywarden's key workflows against Confluent's official JavaScript client:
#   1. starts `SANDBOX --seed empty --port 0` (sandbox-lib.sh; stopped on every exit path);
#   2. the official serializer (a fresh process) writes batch 1: it creates the non-shared
#      local-kms KEK wf-kek and DEK version 1 itself;
#   3. `CLI kek rewrap wf-kek --yes`; a fresh official deserializer still reads batch 1;
#   4. `CLI dek rotate --kek wf-kek --subject wf-avro-value --yes`; a fresh official
#      serializer writes batch 2 under version 2, and a fresh deserializer reads both batches;
#   5. `CLI kek rewrap wf-kek --yes` again (now two versions); a fresh deserializer reads both;
#   6. both batches go to the sandbox's Kafka (`INTEROP produce`) and `CLI records --reveal`
#      must decrypt every record to its value, each under its batch's DEK version.
set -euo pipefail

if [[ $# -ne 4 ]]; then
    echo "usage: $0 SANDBOX NODE INTEROP CLI" >&2
    exit 2
fi
sandbox=$1 node=$2 interop=$3 cli=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=sandbox-lib.sh
source "$here/sandbox-lib.sh"
start_sandbox "$sandbox" "$node"

export LOCAL_SECRET=$secret XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config
client() { (cd "$here" && "$node" workflow-client.mjs "$@"); }
expect_line() { # expect_line TEXT COMMAND...
    local want=$1 out
    shift
    out=$("$@")
    echo "$out"
    grep -qxF "$want" <<<"$out" || { echo "FAIL: expected the line '$want'" >&2; exit 1; }
}

echo "=== the official serializer writes batch 1 (it creates wf-kek and DEK version 1) ==="
client produce "$registry" "$secret" "$work/b1.json" 1 1

echo "=== keywarden-cli kek rewrap, then a fresh official deserializer reads batch 1 ==="
expect_line "Rewrapped 1 DEK version of KEK wf-kek." \
    "$cli" kek rewrap wf-kek --yes --registry "$registry"
client consume "$registry" "$secret" "$work/b1.json"

echo "=== keywarden-cli dek rotate, then a fresh official serializer writes under version 2 ==="
expect_line "Rotated DEK subject wf-avro-value under KEK wf-kek (AES256_GCM): version 2 created." \
    "$cli" dek rotate --kek wf-kek --subject wf-avro-value --yes --registry "$registry"
client produce "$registry" "$secret" "$work/b2.json" 2 2
client consume "$registry" "$secret" "$work/b1.json" "$work/b2.json"

echo "=== keywarden-cli kek rewrap of both versions, then a fresh deserializer reads both ==="
expect_line "Rewrapped 2 DEK versions of KEK wf-kek." \
    "$cli" kek rewrap wf-kek --yes --registry "$registry"
client consume "$registry" "$secret" "$work/b1.json" "$work/b2.json"

echo "=== Keywarden decrypts both batches from Kafka ==="
"$interop" produce "$bootstrap" "$work/b1.json"
"$interop" produce "$bootstrap" "$work/b2.json"
"$cli" records --topic wf-avro --reveal --format json --limit 1000 --registry "$registry" \
    --bootstrap "$bootstrap" >"$work/keywarden.jsonl"
client compare "$work/keywarden.jsonl" "$work/b1.json" "$work/b2.json"
