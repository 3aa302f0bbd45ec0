#!/usr/bin/env bash
# A fuzzing campaign: builds the `fuzz` preset and runs each libFuzzer target for EXECUTIONS
# executions (default 10,000,000), one target at a time, one process, at low priority. Prints
# per target the executions, exec/s, coverage (cov: edges, ft: features, from libFuzzer's final
# stats) and crashes (0, or the crash files), then a table. Exits non-zero on any crash, leak,
# time-out or out-of-memory.
#
#   scripts/fuzz-campaign.sh [EXECUTIONS]
#   FUZZ_TARGETS="fuzz_schema"   only these targets (default: all three)
#   FUZZ_WORK=/tmp/kw-fuzz       where corpora, crash files and logs go (default: a new temp
#                                dir); never inside the repository's sources
#   FUZZ_BUILD_JOBS=2            parallel build jobs (default: cmake's)
#   FUZZ_MAX_SECONDS=1800        also stop each target after this long (default: no limit);
#                                the table then gives the executions it reached
#
# CI does not run this; it runs `ctest --preset fuzz` (each target for a bounded time).
set -euo pipefail
cd "$(dirname "$0")/.."

executions=${1:-10000000}
[[ "$executions" =~ ^[0-9]+$ ]] || { echo "usage: $0 [EXECUTIONS]" >&2; exit 2; }
targets=${FUZZ_TARGETS:-fuzz_record fuzz_registry_json fuzz_schema}
work=${FUZZ_WORK:-$(mktemp -d /tmp/kw-fuzz-campaign.XXXXXX)}
mkdir -p "$work"

if command -v ccache >/dev/null 2>&1; then
    export KEYWARDEN_COMPILER_LAUNCHER=${KEYWARDEN_COMPILER_LAUNCHER:-ccache}
fi
cmake --preset fuzz > "$work/configure.log"
cmake --build --preset fuzz ${FUZZ_BUILD_JOBS:+-j "$FUZZ_BUILD_JOBS"} > "$work/build.log" ||
    { tail -n 30 "$work/build.log"; exit 1; }

# As the fuzz test preset: leaks are not checked (Qt and the engine's caches keep memory for
# the life of the process by design); every sanitizer report is fatal.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "campaign: $executions executions per target; work dir $work"
rows=()
failed=0
for target in $targets; do
    bin=build/fuzz/bin/$target
    [[ -x "$bin" ]] || { echo "$target: not built ($bin)" >&2; exit 1; }
    dir=$work/$target
    mkdir -p "$dir/corpus" "$dir/artifacts"
    echo
    echo "=== $target: started $(date -u +%H:%M:%S) UTC, log $dir/fuzz.log"
    set +e
    nice -n 10 "$bin" -runs="$executions" ${FUZZ_MAX_SECONDS:+-max_total_time="$FUZZ_MAX_SECONDS"} \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
        "$dir/corpus" "tests/fuzz/corpus/$target" > "$dir/fuzz.log" 2>&1
    rc=$?
    set -e
    # The last status line ("#N DONE cov: C ft: F corp: ...") and the final stats.
    status=$(grep -E '^#[0-9]+.*cov: ' "$dir/fuzz.log" | tail -n 1 || true)
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$status")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$status")
    corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9a-zA-Z]+).*/\1/p' <<<"$status")
    runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$dir/fuzz.log" | tail -n 1)
    rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$dir/fuzz.log" | tail -n 1)
    mapfile -t crashes < <(find "$dir/artifacts" -type f | sort)
    if ((rc != 0)) || ((${#crashes[@]} > 0)); then
        failed=1
        echo "$target: FAILED (exit $rc); crash files: ${crashes[*]:-none}"
        grep -E 'ERROR: |SUMMARY: |runtime error' "$dir/fuzz.log" | head -n 5 || true
    fi
    echo "$target: executions ${runs:-?}, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}," \
         "corpus ${corp:-?}, crashes ${#crashes[@]}"
    # Per-function coverage of the grown corpus (COVERED_FUNC: hits, edges covered/total).
    nice -n 10 "$bin" -runs=0 -print_coverage=1 "$dir/corpus" > "$dir/coverage.txt" 2>&1 || true
    echo "$target: $(grep -c '^COVERED_FUNC' "$dir/coverage.txt") functions covered;" \
         "per-function coverage in $dir/coverage.txt"
    rows+=("$(printf '%-20s %12s %8s %7s %7s %12s %8s' "$target" "${runs:-?}" "${rate:-?}" \
              "${cov:-?}" "${ft:-?}" "${corp:-?}" "${#crashes[@]}")")
done

echo
printf '%-20s %12s %8s %7s %7s %12s %8s\n' target executions exec/s cov ft corpus crashes
printf '%s\n' "${rows[@]}"
echo "work dir: $work"
exit "$failed"
