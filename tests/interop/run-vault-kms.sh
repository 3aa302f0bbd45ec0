#!/usr/bin/env bash
# run-vault-kms.sh SANDBOX NODE INTEROP
#
# Starts `SANDBOX --seed demo --port 0` (the demo seed makes the Vault double's keys), takes
# the hcvault settings from its JSON line (keywarden.vault.address, token.id), then:
#   1. vault-kms.mjs: Confluent's official hcvault client (through a /v1 -> /vault/v1 proxy, as
#      it keeps only the key id's origin) wraps a DEK; `INTEROP vault-unwrap` (Keywarden's
#      hcvault driver) unwraps it to the same bytes;
#   2. `INTEROP vault-wrap` wraps a DEK; vault-kms.mjs unwrap opens it with the official client.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 SANDBOX NODE INTEROP" >&2
    exit 2
fi
sandbox=$1 node=$2 interop=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=sandbox-lib.sh
source "$here/sandbox-lib.sh"
start_sandbox "$sandbox" "$node" demo

line=$(head -n 1 "$work/stdout")
read -r address token < <("$node" -e '
    const v = JSON.parse(process.argv[1]).kms.hcvault;
    console.log(v["keywarden.vault.address"], v["token.id"]);' "$line")
key=loans
keyid="https://vault.northwind.internal:8200/transit/keys/$key"

echo "=== Confluent's hcvault client wraps, Keywarden unwraps ==="
out=$(cd "$here" && "$node" vault-kms.mjs "$address" "$token" "$key")
read -r wrapped dek < <("$node" -e '
    const j = JSON.parse(process.argv[1]); console.log(j.jsWrapped, j.dekHex);' "$out")
"$interop" vault-unwrap "$address" "$token" "$keyid" "$wrapped" "$dek"

echo "=== Keywarden wraps, Confluent's hcvault client unwraps ==="
dek=$("$node" -e 'console.log(require("crypto").randomBytes(34).toString("hex"))')
wrapped=$("$interop" vault-wrap "$address" "$token" "$keyid" "$dek")
(cd "$here" && "$node" vault-kms.mjs "$address" "$token" "$key" unwrap "$wrapped" "$dek")
