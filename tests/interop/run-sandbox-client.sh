#!/usr/bin/env bash
# run-sandbox-client.sh SANDBOX NODE INTEROP FIXTURE
#
# Starts `SANDBOX --seed empty --port 0`, reads its JSON line
# ({"registry","bootstrap","localSecret"}), runs sandbox-client.mjs (Confluent's
# official JavaScript client over REST) against it, which writes FIXTURE, then
# has Keywarden decrypt every record of FIXTURE with `INTEROP decrypt`. The
# sandbox is stopped with SIGTERM on every exit path.
#
# Environment: SANDBOX_START_TIMEOUT (seconds to wait for the JSON line, default 30).
set -euo pipefail

if [[ $# -ne 4 ]]; then
    echo "usage: $0 SANDBOX NODE INTEROP FIXTURE" >&2
    exit 2
fi
sandbox=$1 node=$2 interop=$3 fixture=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
start_timeout=${SANDBOX_START_TIMEOUT:-30}

work=$(mktemp -d "${TMPDIR:-/tmp}/kw-sandbox-client.XXXXXX")
sandbox_pid=

stop_sandbox() {
    local status=$?
    if [[ -n $sandbox_pid ]] && kill -0 "$sandbox_pid" 2>/dev/null; then
        kill -TERM "$sandbox_pid" 2>/dev/null || true
        # Give it 10 s to shut down cleanly, then make sure it is gone.
        for _ in $(seq 100); do
            kill -0 "$sandbox_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$sandbox_pid" 2>/dev/null; then
            echo "sandbox (pid $sandbox_pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
            kill -KILL "$sandbox_pid" 2>/dev/null || true
            status=1
        fi
        local rc=0
        wait "$sandbox_pid" 2>/dev/null || rc=$?
        echo "sandbox stopped (exit status $rc)"
    fi
    if [[ $status -ne 0 && -s $work/stderr ]]; then
        echo "--- sandbox stderr ---" >&2
        cat "$work/stderr" >&2
    fi
    rm -rf "$work"
    exit "$status"
}
trap stop_sandbox EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

"$sandbox" --seed empty --port 0 >"$work/stdout" 2>"$work/stderr" &
sandbox_pid=$!

# Wait for the first complete line on stdout.
deadline=$((SECONDS + start_timeout))
line=
while :; do
    if [[ $(wc -l <"$work/stdout") -ge 1 ]]; then
        IFS= read -r line <"$work/stdout"
        break
    fi
    if ! kill -0 "$sandbox_pid" 2>/dev/null; then
        echo "sandbox exited before printing its JSON line" >&2
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        echo "no JSON line from the sandbox within ${start_timeout} s" >&2
        exit 1
    fi
    sleep 0.1
done
echo "sandbox: $line"

# Pull the two fields out with node (always available here; no jq needed).
read -r registry secret < <("$node" -e '
    const j = JSON.parse(process.argv[1]);
    if (typeof j.registry !== "string" || typeof j.localSecret !== "string" || /\s/.test(j.localSecret))
        throw new Error("unexpected sandbox line: " + process.argv[1]);
    console.log(j.registry, j.localSecret);' "$line") || true
if [[ -z ${registry:-} || -z ${secret:-} ]]; then
    echo "cannot parse the sandbox line: $line" >&2
    exit 1
fi

rm -f "$fixture"
echo "=== Confluent JavaScript client against the sandbox ==="
(cd "$here" && "$node" sandbox-client.mjs "$registry" "$secret" "$fixture")

echo "=== Keywarden decrypts the JavaScript client's records ==="
"$interop" decrypt "$fixture"
