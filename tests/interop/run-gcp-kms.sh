#!/usr/bin/env bash
# run-gcp-kms.sh SANDBOX NODE INTEROP FIXTURE
#
# Starts `SANDBOX --seed keys --port 0` (the keys seed makes the GCP KMS double's keys), takes
# the gcp-kms settings from its JSON line (the sandbox's service account, keywarden.endpoint),
# then, with the demo's events key:
#   1. gcp-kms.mjs wrap: Google's official @google-cloud/kms client (REST fallback mode, pointed
#      at the double through a /v1 -> /gcp-kms/v1 proxy, authenticating with the service
#      account as Confluent's driver configures it) encrypts a DEK; `INTEROP gcp-unwrap`
#      (Keywarden's gcp-kms driver) unwraps it to the same bytes;
#   2. `INTEROP gcp-wrap` wraps a DEK; gcp-kms.mjs unwrap decrypts it with the official client;
#   3. gcp-kms.mjs serde: Confluent's serializer with its GcpKmsDriver (whose KMS client is
#      swapped for the REST-mode one above) writes records under a gcp-kms KEK; `INTEROP
#      decrypt FIXTURE` (Keywarden's gcp-kms driver) decrypts every record.
# Confluent's own GcpKmsDriver cannot be pointed at a double (gRPC to cloudkms.googleapis.com
# only): see gcp-kms.mjs.
set -euo pipefail

if [[ $# -ne 4 ]]; then
    echo "usage: $0 SANDBOX NODE INTEROP FIXTURE" >&2
    exit 2
fi
sandbox=$1 node=$2 interop=$3 fixture=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=sandbox-lib.sh
source "$here/sandbox-lib.sh"
start_sandbox "$sandbox" "$node" keys

line=$(head -n 1 "$work/stdout")
settings=$("$node" -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).kms["gcp-kms"]))' "$line")
# The demo's events key (GcpKmsDouble::EventsKey).
key=projects/northwind-analytics/locations/europe-west1/keyRings/csfle/cryptoKeys/events

echo "=== @google-cloud/kms encrypts, Keywarden unwraps ==="
out=$(cd "$here" && "$node" gcp-kms.mjs wrap "$settings" "$key")
echo "$out"
read -r wrapped dek < <("$node" -e '
    const j = JSON.parse(process.argv[1].trim().split("\n").pop()); console.log(j.wrapped, j.dekHex);' "$out")
"$interop" gcp-unwrap "$settings" "$key" "$wrapped" "$dek"

echo "=== Keywarden wraps, @google-cloud/kms decrypts ==="
dek=$("$node" -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
wrapped=$("$interop" gcp-wrap "$settings" "$key" "$dek")
(cd "$here" && "$node" gcp-kms.mjs unwrap "$settings" "$key" "$wrapped" "$dek")

echo "=== Confluent's serializer (GcpKmsDriver, REST-mode client) writes, Keywarden decrypts ==="
rm -f "$fixture"
(cd "$here" && "$node" gcp-kms.mjs serde "$settings" "$key" "$registry" "$fixture")
"$interop" decrypt "$fixture"
