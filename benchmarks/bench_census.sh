#!/usr/bin/env bash
# bench_census.sh: keywarden-cli census against kcat on one topic of >= 100,000 encrypted
# records, in the same run on the same machine. Prints both rates, their ratio (goal: the
# census, inspecting every record and committing its counts, at >= 0.9x kcat's raw read) and
# the census's peak resident memory.
#
# Usage: benchmarks/bench_census.sh [BUILD_DIR] [RECORDS]
#   BUILD_DIR  where bin/keywarden-cli and bin/keywarden-sandbox are (default: build/dev)
#   RECORDS    records in the topic, at least (default: 100000)
# Each read runs ROUNDS times (env, default 3); the best time counts. Every census run has a
# fresh --state folder, so it really reads the whole topic. Needs kcat and GNU time
# (/usr/bin/time) for the peak RSS. Exit status: 0 when every read finished and counted every
# record, 1 otherwise; a ratio below the goal is reported, not failed (machines differ).
#
# Figures (2 vCPUs shared with other work, load ~2, 100,000 records, dev build, Dec 2026):
# kcat -C -e 0.68 s (~147,000 records/s), census 0.40 s (~253,000 records/s): ratio ~1.7,
# peak RSS ~88 MiB. kcat -C -e spends ~0.5 s of its time waiting at the end (the empty fetch
# that tells it a partition is done; the broker holds it for fetch.wait.max.ms, 500 ms by
# default: it takes as long for 30,000 records as for 150,000), so the script also times kcat
# with fetch.wait.max.ms=1: ~0.18 s, and the census reaches ~0.46 of that. Where the census's
# time goes: ~0.1 s is starting the process (keywarden-cli --version alone takes that long),
# then reading the DEK Registry's keys (for the versions it does not have), then one consumer
# reads the topic's partitions together, each from its stored position, committing counts and
# positions every 5,000 records; user + system CPU is about 60-80% of the wall time (perf:
# Avro walking, base64, librdkafka, SQLite commits; no single hot spot). Peak RSS is mostly
# the allocator and librdkafka's prefetch: keywarden-cli asks mimalloc for huge pages
# (app/cli/main.cpp); with MIMALLOC_LARGE_OS_PAGES=0 it was ~35 MiB for 100,000 records and
# ~26 MiB for 600 with one consumer per partition.
# The topic is filled as in bench_records.sh: keywarden-sandbox --seed demo has 10,000
# encrypted records in "card-payments" (6 partitions, two AES-SIV fields a record, 20 damaged
# on purpose); kcat copies them back into the same topic until it holds RECORDS or more. Both
# readers read the whole topic to its end (kcat -e; the census reads to the high watermarks).

set -euo pipefail

BUILD_DIR=${1:-build/dev}
RECORDS=${2:-100000}
TOPIC=card-payments
CLI="$BUILD_DIR/bin/keywarden-cli"
SANDBOX="$BUILD_DIR/bin/keywarden-sandbox"
for exe in "$CLI" "$SANDBOX"; do
    [[ -x $exe ]] || { echo "bench_census: $exe not found; build it first" >&2; exit 1; }
done
command -v kcat >/dev/null || { echo "bench_census: kcat not found (apt install kcat)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench_census: /usr/bin/time not found (apt install time)" >&2; exit 1; }

WORK=$(mktemp -d)
export XDG_DATA_HOME=$WORK/data
SANDBOX_PID=
cleanup() {
    [[ -n $SANDBOX_PID ]] && kill "$SANDBOX_PID" 2>/dev/null && wait "$SANDBOX_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

"$SANDBOX" --seed demo --port 0 >"$WORK/sandbox.json" 2>"$WORK/sandbox.log" &
SANDBOX_PID=$!
for _ in $(seq 1 120); do
    [[ -s $WORK/sandbox.json ]] && break
    sleep 0.5
done
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$WORK/sandbox.json"; }
REGISTRY=$(field registry)
BOOTSTRAP=$(field bootstrap)
[[ -n $REGISTRY && -n $BOOTSTRAP ]] || { echo "bench_census: the sandbox did not start" >&2; cat "$WORK/sandbox.log" >&2; exit 1; }
echo "sandbox: registry $REGISTRY, kafka $BOOTSTRAP"

count() { kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -e -q -f 'x\n' | wc -l; }
now_ns() { date +%s%N; }

# Key and value of each record, with delimiters no Avro record will contain by chance.
KEY_DELIM=$'\x1d''KW-KEY'$'\x1f'
MSG_DELIM=$'\x1e''KW-REC'$'\x1f'
kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -e -q -f "%k${KEY_DELIM}%s${MSG_DELIM}" >"$WORK/records.bin"
original=$(count)
have=$original
while ((have < RECORDS)); do
    kcat -P -b "$BOOTSTRAP" -t "$TOPIC" -K "$KEY_DELIM" -D "$MSG_DELIM" -l "$WORK/records.bin"
    have=$((have + original))
done
have=$(count)
echo "topic $TOPIC: $have records ($original from the demo seed, the rest copies)"
((have >= RECORDS)) || { echo "bench_census: only $have records in $TOPIC" >&2; exit 1; }

# Best of ROUNDS runs each, alternating, so a burst of other work on the machine skews less.
ROUNDS=${ROUNDS:-3}
kcat_ns=0
kcat_fast_ns=0
census_ns=0
census_rss=0
for ((round = 1; round <= ROUNDS; round++)); do
    # kcat: raw bytes of the whole topic, no decoding.
    start=$(now_ns)
    kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -e -q >/dev/null
    ns=$(($(now_ns) - start))
    ((kcat_ns == 0 || ns < kcat_ns)) && kcat_ns=$ns

    # kcat again without the idle wait at the end: -e exits on the empty fetch that tells it
    # a partition is at its end, which the broker holds for fetch.wait.max.ms (500 ms by
    # default). The census reads to the high watermarks it looked up first and never waits.
    start=$(now_ns)
    kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -e -q -X fetch.wait.max.ms=1 >/dev/null
    ns=$(($(now_ns) - start))
    ((kcat_fast_ns == 0 || ns < kcat_fast_ns)) && kcat_fast_ns=$ns

    # keywarden-cli census: inspect every record, count, commit; a fresh state each round.
    state=$WORK/state-$round
    start=$(now_ns)
    /usr/bin/time -f 'maxrss_kb %M' -o "$WORK/time.txt" \
        "$CLI" census --registry "$REGISTRY" --bootstrap "$BOOTSTRAP" --topic "$TOPIC" \
        --state "$state" --format json >"$WORK/census.jsonl" 2>"$WORK/census.err"
    ns=$(($(now_ns) - start))
    ((census_ns == 0 || ns < census_ns)) && census_ns=$ns
    rss=$(sed -n 's/^maxrss_kb //p' "$WORK/time.txt")
    ((rss > census_rss)) && census_rss=$rss
    grep -q "census: $have records read in this run" "$WORK/census.err" || {
        echo "bench_census: the census did not read $have records" >&2
        cat "$WORK/census.err" >&2
        exit 1
    }
    counted=$(sed -n 's/.*"records":\([0-9]*\),"topic":"'"$TOPIC"'".*/\1/p' "$WORK/census.jsonl")
    [[ $counted == "$have" ]] || { echo "bench_census: the census counted ${counted:-no} records, the topic has $have" >&2; cat "$WORK/census.jsonl" >&2; exit 1; }
done

awk -v n="$have" -v k="$kcat_ns" -v f="$kcat_fast_ns" -v c="$census_ns" -v rss="$census_rss" 'BEGIN {
    kr = n / (k / 1e9); fr = n / (f / 1e9); cr = n / (c / 1e9);
    printf "kcat -C -e:                              %8.0f records/s (%.2f s)\n", kr, k / 1e9;
    printf "kcat -C -e -X fetch.wait.max.ms=1:       %8.0f records/s (%.2f s)\n", fr, f / 1e9;
    printf "keywarden-cli census:                    %8.0f records/s (%.2f s)\n", cr, c / 1e9;
    printf "ratio census/kcat: %.2f (goal >= 0.9)%s\n", cr / kr, (cr / kr < 0.9 ? "  BELOW GOAL" : "");
    printf "ratio census/kcat without the idle wait: %.2f%s\n", cr / fr, (cr / fr < 0.9 ? "  below 0.9" : "");
    printf "census peak RSS: %.1f MiB (largest of the runs)\n", rss / 1024;
}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (other work skews both rates)"
echo "census output (last run):"
grep '"type":"dek"' "$WORK/census.jsonl" | sed 's/^/  /'
grep '"type":"topic"' "$WORK/census.jsonl" | sed 's/^/  /'
