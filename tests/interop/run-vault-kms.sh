#!/usr/bin/env bash
# run-vault-kms.sh SANDBOX NODE INTEROP FIXTURE
#
# Starts `SANDBOX --seed keys --port 0` (the keys seed makes the Vault double's keys), takes
# the hcvault settings from its JSON line (keywarden.vault.address, token.id), then:
#   1. vault-kms.mjs: Confluent's official hcvault client (through a /v1 -> /vault/v1 proxy, as
#      it keeps only the key id's origin) wraps a DEK; `INTEROP vault-unwrap` (Keywarden's
#      hcvault driver) unwraps it to the same bytes;
#   2. `INTEROP vault-wrap` wraps a DEK; vault-kms.mjs unwrap opens it with the official client;
#   3. vault-kms.mjs serde: Confluent's serializer with its HcVaultDriver writes records under an
#      hcvault KEK whose key id is the proxy's (http://127.0.0.1:<proxy>/transit/keys/loans);
#      `INTEROP decrypt FIXTURE` (Keywarden's hcvault driver, keywarden.vault.address from the
#      fixture's kmsSettings standing in for the key id's origin) decrypts every record.
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
read -r address token < <("$node" -e '
    const v = JSON.parse(process.argv[1]).kms.hcvault;
    console.log(v["keywarden.vault.address"], v["token.id"]);' "$line")
key=loans
keyid="https://vault.northwind.internal:8200/transit/keys/$key"

echo "=== Confluent's hcvault client wraps, Keywarden unwraps ==="
out=$(cd "$here" && "$node" vault-kms.mjs "$address" "$token" "$key")
echo "$out"
read -r wrapped dek < <("$node" -e '
    const j = JSON.parse(process.argv[1].trim().split("\n").pop()); console.log(j.jsWrapped, j.dekHex);' "$out")
"$interop" vault-unwrap "$address" "$token" "$keyid" "$wrapped" "$dek"

echo "=== Keywarden wraps, Confluent's hcvault client unwraps ==="
dek=$("$node" -e 'console.log(require("crypto").randomBytes(34).toString("hex"))')
wrapped=$("$interop" vault-wrap "$address" "$token" "$keyid" "$dek")
(cd "$here" && "$node" vault-kms.mjs "$address" "$token" "$key" unwrap "$wrapped" "$dek")

echo "=== Confluent's serializer (HcVaultDriver) writes, Keywarden decrypts ==="
rm -f "$fixture"
(cd "$here" && "$node" vault-kms.mjs "$address" "$token" "$key" serde "$registry" "$fixture")
"$interop" decrypt "$fixture"
