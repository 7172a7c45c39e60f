#!/usr/bin/env bash
# The soak: `csp-policy serve` with the durable SQLite log under steady load for
# $MINUTES (10) minutes, on loopback. Samples the server's resident memory (VmRSS of
# /proc/PID/status) and the log's size (database + WAL) every $EVERY (10) seconds,
# then reports first/min/max/last RSS and whether memory is flat: the mean of the last
# 10 % of the samples must be within 10 % of the mean around the 20 % mark (the
# samples between 15 % and 25 % of the run, after warm-up). Exits 1 if memory grew
# (or the server died, or a request failed).
#
#   bash benches/load/soak.sh                       # 10 minutes at 2,000 requests/s
#   MINUTES=2 RATE=5000 bash benches/load/soak.sh
#
# The load is oha at a fixed rate ($RATE/s, $CONNS connections), each request a
# different line of a `csp-corpus` corpus. The samples go to $OUT/soak.csv.
# NO_BUILD=1 uses the release binaries already built.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
MINUTES=${MINUTES:-10}
RATE=${RATE:-2000}
CONNS=${CONNS:-64}
EVERY=${EVERY:-10}
PORT=${PORT:-18182}
COUNT=${COUNT:-100000}
OUT=${OUT:-$ROOT/target/load}
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/csp-soak.XXXXXX")
SERVER_PID="" LOAD_PID=""
cleanup() {
    for pid in $LOAD_PID $SERVER_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
say() { echo "soak: $*" >&2; }

export PATH="$HOME/.cargo/bin:$PATH"
command -v oha >/dev/null || cargo install --locked oha >&2
[ "${NO_BUILD:-0}" = 1 ] || cargo build --release -q -p csp-policy -p csp-corpus >&2
BIN=$ROOT/target/release
"$BIN/csp-corpus" --seed 42 --count "$COUNT" > "$WORK/requests.jsonl"

DB=$WORK/decisions.db
"$BIN/csp-policy" serve --listen "127.0.0.1:$PORT" --now 2026-11-25T12:00:00Z --no-watch \
    --decision-log "$DB" 2> "$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 300); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null && break
    sleep 0.1
done

SECONDS_TOTAL=$((MINUTES * 60))
say "$MINUTES min at $RATE requests/s ($CONNS connections); sampling every $EVERY s"
oha --no-tui --output-format json -m POST -T application/json -Z "$WORK/requests.jsonl" \
    -c "$CONNS" -q "$RATE" -z "${SECONDS_TOTAL}s" -w "http://127.0.0.1:$PORT/v1/decide" \
    > "$WORK/oha.json" &
LOAD_PID=$!

CSV=$OUT/soak.csv
echo "seconds,rss_kib,log_bytes" > "$CSV"
start=$(date +%s)
while kill -0 "$LOAD_PID" 2>/dev/null; do
    sleep "$EVERY"
    kill -0 "$SERVER_PID" 2>/dev/null || { say "the server died"; cat "$WORK/server.log" >&2; exit 1; }
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
    size=$(cat "$DB" "$DB-wal" 2>/dev/null | wc -c)
    echo "$(($(date +%s) - start)),$rss,$size" >> "$CSV"
done
wait "$LOAD_PID"
LOAD_PID=""

answered=$(jq '.statusCodeDistribution["200"] // 0' "$WORK/oha.json")
failed=$(jq '[.statusCodeDistribution | to_entries[] | select(.key != "200") | .value] | add // 0' "$WORK/oha.json")
errors=$(jq '[.errorDistribution | to_entries[] | .value] | add // 0' "$WORK/oha.json")
p99=$(jq '.latencyPercentiles.p99 * 1000 | . * 1000 | round / 1000' "$WORK/oha.json")
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || { say "the server did not stop cleanly"; exit 1; }
SERVER_PID=""
logged=$("$BIN/csp-policy" log --decision-log "$DB" | wc -l)

# first/min/max/last, and flat: the last 10 % against the 20 % mark.
read -r first min max last early late n <<< "$(tail -n +2 "$CSV" | awk -F, '
    { rss[NR] = $2 }
    END {
        n = NR; min = rss[1]; max = rss[1]
        for (i = 1; i <= n; i++) { if (rss[i] < min) min = rss[i]; if (rss[i] > max) max = rss[i] }
        lo = int(n * 0.15) + 1; hi = int(n * 0.25); if (hi < lo) hi = lo
        s = 0; c = 0; for (i = lo; i <= hi; i++) { s += rss[i]; c++ }; early = s / c
        from = n - int(n * 0.10); if (from > n) from = n
        s = 0; c = 0; for (i = from; i <= n; i++) { s += rss[i]; c++ }; late = s / c
        printf "%d %d %d %d %.0f %.0f %d\n", rss[1], min, max, rss[n], early, late, n
    }')"
final_size=$(tail -n 1 "$CSV" | cut -d, -f3)
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
echo "| soak | value |"
echo "|---|---|"
echo "| duration, load | $MINUTES min at $RATE requests/s, $CONNS connections, durable SQLite log |"
echo "| answered (200) / failed / errors | $answered / $failed / $errors |"
echo "| entries in the log after SIGTERM | $logged |"
echo "| p99 latency | $p99 ms |"
echo "| RSS first / min / max / last | $(mib "$first") / $(mib "$min") / $(mib "$max") / $(mib "$last") |"
echo "| RSS mean at the 20 % mark / last 10 % | $(mib "$early") / $(mib "$late") ($n samples) |"
echo "| log size at the end (database + WAL) | $(awk -v b="$final_size" 'BEGIN { printf "%.0f MiB", b / 1048576 }') |"
say "samples: $CSV"
if [ "$failed" != 0 ] || [ "$errors" != 0 ] || [ "$logged" -lt "$answered" ]; then
    say "FAILED: requests failed, or answered decisions are missing from the log"
    exit 1
fi
if awk -v e="$early" -v l="$late" 'BEGIN { exit !(l > e * 1.10) }'; then
    say "FAILED: memory grew (last 10 % mean $(mib "$late") > 110 % of $(mib "$early"))"
    exit 1
fi
say "memory is flat"
