#!/usr/bin/env bash
# bench_records.sh: keywarden-cli records against kcat on one topic of >= 100,000 encrypted
# records, in the same run on the same machine. Prints both rates and their ratio (goal: the
# CLI, decrypting and printing JSON, at >= 0.5x kcat's raw read).
#
# Usage: benchmarks/bench_records.sh [BUILD_DIR] [RECORDS]
#   BUILD_DIR  where bin/keywarden-cli and bin/keywarden-sandbox are (default: build/dev)
#   RECORDS    records to read (default: 100000)
# Each read runs ROUNDS times (env, default 3); the best time counts. Needs kcat.
# Exit status: 0 when both reads finished, 1 otherwise; a ratio below the goal is reported,
# not failed (machines differ).
#
# Where the CLI's time goes (perf, 2 vCPUs, 100,000 records, late 2026): both cores are busy
# for the whole read. Decoding, decrypting (two AES-SIV fields a record) and writing JSON lines
# about three times the size of the raw values take ~2.5 us of CPU a record on the workers. On a
# virtual machine page faults were the other big cost (~12 us each, ~7,000 a read: librdkafka's
# fetch buffers and the records in flight); keywarden-cli now asks mimalloc for transparent huge
# pages, which cut them to ~1,300 and the read from ~0.23 s to ~0.18 s (see app/cli/main.cpp).
# keywarden-cli links mimalloc when it is installed (glibc's malloc cost ~10% more CPU here).

# How the topic is filled: keywarden-sandbox --seed demo has 10,000 encrypted records in
# "card-payments" (6 partitions, KEK payments-pci, 20 damaged on purpose). kcat copies them back
# into the same topic until it holds RECORDS or more. The same topic, because the DEK subject
# follows the topic name (TopicNameStrategy: card-payments-value); this one, because librdkafka's
# mock cluster keeps only ~5 MB per partition and its ~160-byte records fit 100,000 in 6
# partitions (the 310-byte "customers" records would not).

set -euo pipefail

BUILD_DIR=${1:-build/dev}
RECORDS=${2:-100000}
TOPIC=card-payments
CLI="$BUILD_DIR/bin/keywarden-cli"
SANDBOX="$BUILD_DIR/bin/keywarden-sandbox"
for exe in "$CLI" "$SANDBOX"; do
    [[ -x $exe ]] || { echo "bench_records: $exe not found; build it first" >&2; exit 1; }
done
command -v kcat >/dev/null || { echo "bench_records: kcat not found (apt install kcat)" >&2; exit 1; }

WORK=$(mktemp -d)
# --reveal writes an entry to the audit log per read: this run's go to a log of its own.
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
export LOCAL_SECRET
LOCAL_SECRET=$(field localSecret)
[[ -n $REGISTRY && -n $BOOTSTRAP ]] || { echo "bench_records: the sandbox did not start" >&2; cat "$WORK/sandbox.log" >&2; exit 1; }
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
((have >= RECORDS)) || { echo "bench_records: only $have records in $TOPIC" >&2; exit 1; }

# Best of ROUNDS runs each, alternating, so a burst of other work on the machine skews less.
ROUNDS=${ROUNDS:-3}
kcat_ns=0
cli_ns=0
for ((round = 1; round <= ROUNDS; round++)); do
    # kcat: raw bytes, no decoding; -c stops after RECORDS like --limit does.
    start=$(now_ns)
    kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -e -q -c "$RECORDS" >/dev/null
    ns=$(($(now_ns) - start))
    ((kcat_ns == 0 || ns < kcat_ns)) && kcat_ns=$ns

    # keywarden-cli: decode, decrypt every field, render JSON lines; to /dev/null like kcat's.
    start=$(now_ns)
    "$CLI" records --registry "$REGISTRY" --bootstrap "$BOOTSTRAP" --topic "$TOPIC" \
        --limit "$RECORDS" --reveal --format json --stats >/dev/null 2>"$WORK/cli.err"
    ns=$(($(now_ns) - start))
    ((cli_ns == 0 || ns < cli_ns)) && cli_ns=$ns
    grep -qx "records read: $RECORDS" "$WORK/cli.err" || { echo "bench_records: the CLI did not read $RECORDS records" >&2; cat "$WORK/cli.err" >&2; exit 1; }
done
# Once more, untimed, into a file: one JSON line per record.
"$CLI" records --registry "$REGISTRY" --bootstrap "$BOOTSTRAP" --topic "$TOPIC" \
    --limit "$RECORDS" --reveal --format json >"$WORK/cli.out" 2>/dev/null
lines=$(wc -l <"$WORK/cli.out")
((lines == RECORDS)) || { echo "bench_records: the CLI printed $lines lines, expected $RECORDS" >&2; exit 1; }

awk -v n="$RECORDS" -v k="$kcat_ns" -v c="$cli_ns" 'BEGIN {
    kr = n / (k / 1e9); cr = n / (c / 1e9);
    printf "kcat -C -e:                          %8.0f records/s (%.2f s)\n", kr, k / 1e9;
    printf "keywarden-cli records --reveal json: %8.0f records/s (%.2f s)\n", cr, c / 1e9;
    printf "ratio cli/kcat: %.2f (goal >= 0.5)%s\n", cr / kr, (cr / kr < 0.5 ? "  BELOW GOAL" : "");
}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (other work skews both rates)"
echo "cli --stats:"
sed 's/^/  /' "$WORK/cli.err"
