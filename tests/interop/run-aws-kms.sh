#!/usr/bin/env bash
# run-aws-kms.sh SANDBOX NODE INTEROP FIXTURE
#
# Starts `SANDBOX --seed keys --port 0` (the keys seed makes the AWS KMS double's keys), takes
# the aws-kms settings from its JSON line (endpoint.override, access.key.id, secret.access.key),
# then:
#   1. aws-kms.mjs: Confluent's official serializer with its aws-kms driver (@aws-sdk/client-kms,
#      pointed at the double with AWS_ENDPOINT_URL_KMS) writes records under an aws-kms KEK of
#      the demo's treasury key; the double's SigV4 verifier accepts every SDK-signed call;
#      `INTEROP decrypt FIXTURE` (Keywarden's aws-kms driver) decrypts every record;
#   2. `INTEROP aws-wrap` wraps a DEK; aws-kms.mjs unwrap opens it with the SDK's
#      DecryptCommand and with the official driver.
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
settings=$("$node" -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).kms["aws-kms"]))' "$line")
read -r endpoint access secret_key < <("$node" -e '
    const a = JSON.parse(process.argv[1]);
    console.log(a["endpoint.override"], a["access.key.id"], a["secret.access.key"]);' "$settings")
# The demo's treasury key (AwsKmsDouble::TreasuryKeyArn).
keyarn=arn:aws:kms:eu-west-1:111122223333:key/5f1c2a7e-8d4b-4c39-9b1e-2a6f0d3c7e11

echo "=== Confluent's serializer (aws-kms driver) writes, Keywarden decrypts ==="
rm -f "$fixture"
(cd "$here" && "$node" aws-kms.mjs "$registry" "$endpoint" "$access" "$secret_key" "$keyarn" "$fixture")
"$interop" decrypt "$fixture"

echo "=== Keywarden wraps, @aws-sdk/client-kms unwraps ==="
dek=$("$node" -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
wrapped=$("$interop" aws-wrap "$settings" "$keyarn" "$dek")
(cd "$here" && "$node" aws-kms.mjs unwrap "$endpoint" "$access" "$secret_key" "$keyarn" "$wrapped" "$dek")
