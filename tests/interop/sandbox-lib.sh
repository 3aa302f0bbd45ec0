# sandbox-lib.sh: sourced by the run-*.sh scripts of the interop tests.
#
#   start_sandbox SANDBOX NODE [SEED]
#       starts `SANDBOX --seed SEED --port 0` (SEED defaults to empty), waits for its JSON line
#       and sets $registry, $bootstrap and $secret from it. Installs an EXIT trap that stops
#       the sandbox with SIGTERM (SIGKILL after 10 s) on every exit path and removes $work.
#   $work: a scratch directory, removed on exit.
#
# Environment: SANDBOX_START_TIMEOUT (seconds to wait for the JSON line, default 120: the demo
# seed alone takes 30 s on a busy 2-core machine).

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

start_sandbox() {
    local sandbox=$1 node=$2 seed=${3:-empty}
    local start_timeout=${SANDBOX_START_TIMEOUT:-120}
    "$sandbox" --seed "$seed" --port 0 >"$work/stdout" 2>"$work/stderr" &
    sandbox_pid=$!

    # Wait for the first complete line on stdout.
    local deadline=$((SECONDS + start_timeout)) line=
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

    # Pull the fields out with node (always available here; no jq needed).
    read -r registry bootstrap secret < <("$node" -e '
        const j = JSON.parse(process.argv[1]);
        for (const f of ["registry", "bootstrap", "localSecret"])
            if (typeof j[f] !== "string" || j[f] === "" || /\s/.test(j[f]))
                throw new Error("unexpected sandbox line: " + process.argv[1]);
        console.log(j.registry, j.bootstrap, j.localSecret);' "$line") || true
    if [[ -z ${registry:-} || -z ${bootstrap:-} || -z ${secret:-} ]]; then
        echo "cannot parse the sandbox line: $line" >&2
        exit 1
    fi
}
