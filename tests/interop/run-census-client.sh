#!/usr/bin/env bash
# run-census-client.sh SANDBOX NODE INTEROP CLI OUT
#
# The census against Confluent's official JavaScript serializers:
#   1. starts `SANDBOX --seed empty --port 0` (sandbox-lib.sh; stopped on every exit path);
#   2. census-client.mjs serializes batches of records with the official client over REST,
#      rotating DEKs v1 -> v2 -> v3 between batches, and writes OUT: the bytes and how many
#      values it encrypted under each DEK version;
#   3. `INTEROP produce` puts those bytes on the sandbox's Kafka (the JS client has no Kafka
#      client here);
#   4. `CLI census --format json` counts the topics with a fresh state folder;
#   5. census-compare.mjs compares every count with the client's, exactly.
set -euo pipefail

if [[ $# -ne 5 ]]; then
    echo "usage: $0 SANDBOX NODE INTEROP CLI OUT" >&2
    exit 2
fi
sandbox=$1 node=$2 interop=$3 cli=$4 out=$5
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=sandbox-lib.sh
source "$here/sandbox-lib.sh"
start_sandbox "$sandbox" "$node"

rm -f "$out"
echo "=== Confluent JavaScript client encrypts batches, rotating DEKs between them ==="
(cd "$here" && "$node" census-client.mjs "$registry" "$secret" "$out")

echo "=== Keywarden produces the client's bytes to $bootstrap ==="
"$interop" produce "$bootstrap" "$out"

echo "=== keywarden-cli census ==="
census=$work/census.jsonl
"$cli" census --registry "$registry" --bootstrap "$bootstrap" --topic census-avro \
    --topic census-json --topic census-payload --topic census-proto --state "$work/state" --format json >"$census"
cat "$census"

echo "=== census against the client's tally ==="
"$node" "$here/census-compare.mjs" "$out" "$census"
