#!/usr/bin/env bash
# run-sigv4-check.sh SANDBOX NODE INTEROP
#
# Starts `SANDBOX --seed keys --port 0` (the AWS KMS double's demo keys), takes the aws-kms
# settings from its JSON line and runs sigv4-check.mjs: requests Keywarden's aws-kms driver
# signs (`INTEROP aws-wrap` / `aws-unwrap`, captured by a small HTTP server) must carry the
# Authorization header @smithy/signature-v4 computes for them, and be accepted by the double.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 SANDBOX NODE INTEROP" >&2
    exit 2
fi
sandbox=$1 node=$2 interop=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=sandbox-lib.sh
source "$here/sandbox-lib.sh"
start_sandbox "$sandbox" "$node" keys

line=$(head -n 1 "$work/stdout")
settings=$("$node" -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).kms["aws-kms"]))' "$line")
# The demo's treasury key (AwsKmsDouble::TreasuryKeyArn).
keyarn=arn:aws:kms:eu-west-1:111122223333:key/5f1c2a7e-8d4b-4c39-9b1e-2a6f0d3c7e11

(cd "$here" && "$node" sigv4-check.mjs "$interop" "$settings" "$keyarn")
