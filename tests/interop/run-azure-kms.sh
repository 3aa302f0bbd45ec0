#!/usr/bin/env bash
# run-azure-kms.sh SANDBOX NODE INTEROP FIXTURE
#
# Starts `SANDBOX --seed keys --port 0` (the keys seed makes the Azure Key Vault double's
# keys), takes the azure-kms settings from its JSON line (tenant.id, client.id, client.secret,
# keywarden.authority.host, keywarden.vault.url), makes a self-signed certificate for
# 127.0.0.1 with the openssl CLI, then:
#   1. azure-kms.mjs: the official Azure SDK's CryptographyClient (through an https proxy; see
#      the script for why not Confluent's AzureKmsDriver itself) wraps a DEK with
#      RSA-OAEP-256; `INTEROP azure-unwrap` (Keywarden's azure-kms driver) unwraps it;
#   2. `INTEROP azure-wrap` wraps a DEK; azure-kms.mjs unwrap opens it with the SDK;
#   3. azure-kms.mjs serde: Confluent's serializer with its AzureKmsDriver (whose
#      CryptographyClient is swapped for the proxied one above) writes records under an
#      azure-kms KEK of the demo's key; `INTEROP decrypt FIXTURE` (Keywarden's azure-kms driver,
#      with only the fixture's kmsSettings: the AZURE_* variables are unset for it) decrypts
#      every record.
# The credentials travel in the environment (AZURE_*), never on a command line.
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
read -r tenant client authority vaulturl < <("$node" -e '
    const a = JSON.parse(process.argv[1]).kms["azure-kms"];
    console.log(a["tenant.id"], a["client.id"], a["keywarden.authority.host"],
                a["keywarden.vault.url"]);' "$line")
AZURE_CLIENT_SECRET=$("$node" -e '
    console.log(JSON.parse(process.argv[1]).kms["azure-kms"]["client.secret"]);' "$line")
export AZURE_TENANT_ID=$tenant AZURE_CLIENT_ID=$client AZURE_CLIENT_SECRET
export KEYWARDEN_AZURE_AUTHORITY=$authority KEYWARDEN_AZURE_VAULT_URL=$vaulturl
token_url="$authority/$tenant/oauth2/v2.0/token"
vault="${vaulturl//\{vault\}/northwind-risk}"
key=csfle-kek
version=0a1b2c3d4e5f60718293a4b5c6d7e8f9
keyid="https://northwind-risk.vault.azure.net/keys/$key/$version"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$work/tls-key.pem" -out "$work/tls-cert.pem" 2>/dev/null
export TLS_KEY=$work/tls-key.pem TLS_CERT=$work/tls-cert.pem NODE_EXTRA_CA_CERTS=$work/tls-cert.pem

echo "=== the Azure SDK wraps, Keywarden unwraps ==="
out=$(cd "$here" && "$node" azure-kms.mjs "$token_url" "$vault" "$key" "$version")
echo "$out"
read -r wrapped dek < <("$node" -e '
    const j = JSON.parse(process.argv[1].trim().split("\n").pop()); console.log(j.jsWrapped, j.dekHex);' "$out")
"$interop" azure-unwrap "$keyid" "$wrapped" "$dek"
# The versionless id resolves to the same (current) version.
"$interop" azure-unwrap "https://northwind-risk.vault.azure.net/keys/$key" "$wrapped" "$dek"

echo "=== Keywarden wraps, the Azure SDK unwraps ==="
dek=$("$node" -e 'console.log(require("crypto").randomBytes(34).toString("hex"))')
wrapped=$("$interop" azure-wrap "$keyid" "$dek")
(cd "$here" && "$node" azure-kms.mjs "$token_url" "$vault" "$key" "$version" unwrap "$wrapped" "$dek")

echo "=== Confluent's serializer (AzureKmsDriver, proxied CryptographyClient) writes, Keywarden decrypts ==="
rm -f "$fixture"
(cd "$here" && "$node" azure-kms.mjs "$token_url" "$vault" "$key" "$version" serde "$keyid" "$registry" "$fixture")
env -u AZURE_TENANT_ID -u AZURE_CLIENT_ID -u AZURE_CLIENT_SECRET \
    -u KEYWARDEN_AZURE_AUTHORITY -u KEYWARDEN_AZURE_VAULT_URL "$interop" decrypt "$fixture"
