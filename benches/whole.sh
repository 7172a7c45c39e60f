#!/usr/bin/env bash
# The whole command line beside Cedar's in-process loop (issue 12, BENCHMARKS.md "The
# whole process"), from the repository root:
#
#   bash benches/whole.sh              # 2,000 corpus requests (with malformed ones)
#   COUNT=10000 SEED=7 bash benches/whole.sh
#
# One corpus (`csp-corpus --seed $SEED --count $COUNT`: every action, about 1.5 %
# malformed records), then:
#   - Cedar's in-process loop over exactly those requests (`csp-peers-compare`: JSON
#     text to decision, one thread, after a warm-up; the best of $PEER_RUNS runs), and
#   - `csp-policy eval FILE > /dev/null`, the whole process (start-up, reading, deciding,
#     writing, exit) on the embedded policy, with hyperfine (`-N`, $RUNS runs), once
#     with the default threads and once with `--jobs 1`;
# and prints how many times Cedar's loop the whole process is (the aim: 25x).
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-2000}
SEED=${SEED:-42}
RUNS=${RUNS:-100}
PEER_RUNS=${PEER_RUNS:-5}
NOW=2026-11-25T12:00:00Z
WORK=$(mktemp -d "${TMPDIR:-/tmp}/csp-whole.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [ "${NO_BUILD:-0}" != 1 ]; then
  cargo build -q --release -p csp-policy -p csp-corpus -p csp-peers --bin csp-policy \
    --bin csp-corpus --bin csp-peers-compare
fi
bin=target/release
"$bin/csp-corpus" --seed "$SEED" --count "$COUNT" > "$WORK/requests.jsonl"

# Cedar's ns/decision from the compare's table, the best of several runs.
cedar_ns=""
for _ in $(seq "$PEER_RUNS"); do
  ns=$("$bin/csp-peers-compare" --count "$COUNT" --seed "$SEED" \
    | awk -F'|' '$2 ~ /^ cedar / { gsub(/ /, "", $4); print $4 }')
  if [ -z "$ns" ]; then
    echo "whole: csp-peers-compare printed no Cedar row" >&2
    exit 1
  fi
  if [ -z "$cedar_ns" ] || [ "$ns" -lt "$cedar_ns" ]; then cedar_ns=$ns; fi
done
cedar_ms=$(awk -v ns="$cedar_ns" -v n="$COUNT" 'BEGIN { printf "%.2f", ns * n / 1e6 }')

# eval exits 1 when a request is denied: -i keeps hyperfine going.
hyperfine -N -i --warmup 10 --runs "$RUNS" --export-json "$WORK/eval.json" \
  "$bin/csp-policy eval --now $NOW $WORK/requests.jsonl" \
  "$bin/csp-policy eval --jobs 1 --now $NOW $WORK/requests.jsonl" > /dev/null

echo "| what | time for $COUNT requests | Cedar's loop / this |"
echo "|---|---:|---:|"
echo "| Cedar, in process (JSON text to decision, best of $PEER_RUNS) | $cedar_ms ms | 1.0x |"
jq -r --argjson cedar "$cedar_ms" '.results[] |
  (if (.command | test("--jobs 1")) then "csp-policy eval, one thread" else "csp-policy eval, default threads" end) as $name |
  "| \($name): whole process, mean / min | \(.mean * 1000 * 100 | round / 100) / \(.min * 1000 * 100 | round / 100) ms | \($cedar / (.mean * 1000) * 10 | round / 10)x / \($cedar / (.min * 1000) * 10 | round / 10)x |"' \
  "$WORK/eval.json"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
