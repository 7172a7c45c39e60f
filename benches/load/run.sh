#!/usr/bin/env bash
# The load benchmark of `csp-policy serve`, beside cedar-agent, on loopback only.
#
#   bash benches/load/run.sh                 # 30 s per step (~7 min with cedar-agent)
#   DURATION=10 bash benches/load/run.sh     # 10 s per step
#   QUICK=1 bash benches/load/run.sh         # ~2 s per step, under a minute once built
#
# Builds the release binaries, generates one corpus (`csp-corpus`, seed 42) and its
# Cedar encoding for cedar-agent (`csp-peers-agent`: the same requests), then for each
# server: csp-policy with (a) the durable SQLite log, (b) the asynchronous log,
# (c) no log, and (d) cedar-agent loaded with `peers/`'s Cedar policy and market
# entities, runs
#   - the most decisions/s at $CONNS (64) keep-alive connections, and
#   - latency (p50/p99/p99.9) at fixed rates ($RATES: 1,000 and 10,000 requests/s),
#     with oha's fixed rate (`-q`, wrk2-style) and `--latency-correction` (latency is
#     counted from when each request was due, not when it was sent: no coordinated
#     omission).
# The load generator is oha (crates.io; `cargo install --locked oha` when missing):
# it sends a different corpus line as each request's body (`-Z`). It runs on the same
# cores as the server, as any single-machine benchmark does.
#
# Prints a Markdown table on stdout, and writes it as CSV to $OUT/load.csv.
# Environment: DURATION (s), QUICK=1, CONNS, RATES, COUNT (corpus size),
# ENGINES (subset of "durable async nolog cedar-agent"), PORT, AGENT_PORT, OUT,
# NO_BUILD=1 (use the binaries already built).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    DURATION=${DURATION:-2}
    COUNT=${COUNT:-5000}
else
    DURATION=${DURATION:-30}
    COUNT=${COUNT:-100000}
fi
CONNS=${CONNS:-64}
RATES=${RATES:-"1000 10000"}
ENGINES=${ENGINES:-"durable async nolog cedar-agent"}
PORT=${PORT:-18181}
AGENT_PORT=${AGENT_PORT:-18180}
OUT=${OUT:-$ROOT/target/load}
NOW=2026-11-25T12:00:00Z
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/csp-load.XXXXXX")

SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

say() { echo "load: $*" >&2; }

# ---------------------------------------------------------------- tools and binaries
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v oha >/dev/null; then
    say "installing oha (cargo install --locked oha)"
    cargo install --locked oha >&2
fi
if ! command -v jq >/dev/null; then
    say "jq is needed to read oha's JSON: apt-get install jq"
    exit 2
fi
case " $ENGINES " in
*" cedar-agent "*)
    if ! command -v cedar-agent >/dev/null; then
        if [ "$QUICK" = 1 ]; then
            say "cedar-agent is not installed: left out in QUICK mode (cargo install --locked cedar-agent)"
            ENGINES=${ENGINES/cedar-agent/}
        else
            say "installing cedar-agent (cargo install --locked cedar-agent)"
            cargo install --locked cedar-agent >&2
        fi
    fi
    ;;
esac

BIN=$ROOT/target/release
if [ "${NO_BUILD:-0}" != 1 ]; then
    say "building the release binaries"
    cargo build --release -q -p csp-policy -p csp-corpus >&2
    # Only writes files: its speed does not matter.
    cargo build -q -p csp-peers --bin csp-peers-agent >&2
fi

say "generating $COUNT requests (csp-corpus --seed 42) and their Cedar encoding"
"$BIN/csp-corpus" --seed 42 --count "$COUNT" > "$WORK/requests.jsonl"
"$ROOT/target/debug/csp-peers-agent" "$WORK" < "$WORK/requests.jsonl" > "$WORK/agent.jsonl"

# ---------------------------------------------------------------- servers
wait_for() { # URL: until it answers 200, at most 30 s
    for _ in $(seq 300); do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then say "the server died"; return 1; fi
        sleep 0.1
    done
    say "$1 did not answer"
    return 1
}

start() { # ENGINE: starts it; sets SERVER_PID, URL, BODIES
    local engine=$1
    case $engine in
    durable | async | nolog)
        local log=()
        [ "$engine" = nolog ] || log=(--decision-log "$WORK/decisions.db")
        [ "$engine" = async ] && log+=(--decision-log-async)
        rm -f "$WORK"/decisions.db*
        "$BIN/csp-policy" serve --listen "127.0.0.1:$PORT" --now "$NOW" --no-watch "${log[@]}" \
            2> "$WORK/server.log" &
        SERVER_PID=$!
        URL="http://127.0.0.1:$PORT/v1/decide"
        BODIES=$WORK/requests.jsonl
        wait_for "http://127.0.0.1:$PORT/health"
        ;;
    cedar-agent)
        cedar-agent --addr 127.0.0.1 --port "$AGENT_PORT" --log-level error \
            --policies "$WORK/policies.json" --data "$WORK/data.json" \
            > "$WORK/server.log" 2>&1 &
        SERVER_PID=$!
        URL="http://127.0.0.1:$AGENT_PORT/v1/is_authorized"
        BODIES=$WORK/agent.jsonl
        wait_for "http://127.0.0.1:$AGENT_PORT/v1/"
        # The stores must hold what the files gave (it logs a failed load and goes on).
        local policies entities
        policies=$(curl -fsS "http://127.0.0.1:$AGENT_PORT/v1/policies" | jq length)
        entities=$(curl -fsS "http://127.0.0.1:$AGENT_PORT/v1/data" | jq length)
        if [ "$policies" != "$(jq length "$WORK/policies.json")" ] || [ "$entities" != "$(jq length "$WORK/data.json")" ]; then
            say "cedar-agent did not load the policies ($policies) or the entities ($entities):"
            cat "$WORK/server.log" >&2
            return 1
        fi
        ;;
    esac
}

stop() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# ---------------------------------------------------------------- runs
oha_run() { # RESULT_FILE [oha options...]
    local result=$1
    shift
    oha --no-tui --output-format json -m POST -T application/json -Z "$BODIES" \
        -c "$CONNS" -w "$@" "$URL" > "$result"
}

CSV=$OUT/load.csv
echo "engine,load,decisions_per_s,p50_ms,p99_ms,p99_9_ms,non_200,errors" > "$CSV"
row() { # ENGINE LOAD RESULT_FILE
    jq -r --arg engine "$1" --arg load "$2" '
        def ms: if . == null then "" else (. * 1000 * 1000 | round / 1000 | tostring) end;
        [$engine, $load,
         (.summary.requestsPerSec | round | tostring),
         (.latencyPercentiles.p50 | ms), (.latencyPercentiles.p99 | ms),
         (.latencyPercentiles["p99.9"] | ms),
         ([.statusCodeDistribution | to_entries[] | select(.key != "200") | .value] | add // 0 | tostring),
         ([.errorDistribution | to_entries[] | .value] | add // 0 | tostring)]
        | join(",")' "$3" >> "$CSV"
}

# What a run must show, or the script fails (so that CI's short run is a test): every
# answer 200, and with a log, after SIGTERM, an entry for every answered decision.
FAILED=0
ok_count() { jq '.statusCodeDistribution["200"] // 0' "$1"; }
not_ok() { jq '[.statusCodeDistribution | to_entries[] | select(.key != "200") | .value] | add // 0' "$1"; }
check_run() { # ENGINE RESULT_FILE: adds its answers to ANSWERED
    local bad
    bad=$(not_ok "$2")
    if [ "$bad" != 0 ]; then say "$1: $bad answers were not 200"; FAILED=1; fi
    ANSWERED=$((ANSWERED + $(ok_count "$2")))
}

say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for engine in $ENGINES; do
    say "$engine: starting"
    start "$engine"
    ANSWERED=0
    oha_run "$WORK/warm.json" -z 1s # connections, caches, the log's file
    check_run "$engine" "$WORK/warm.json"
    say "$engine: most decisions/s at $CONNS connections, ${DURATION} s"
    oha_run "$WORK/max.json" -z "${DURATION}s"
    check_run "$engine" "$WORK/max.json"
    row "$engine" "max@${CONNS}" "$WORK/max.json"
    for rate in $RATES; do
        say "$engine: fixed rate $rate/s, ${DURATION} s"
        oha_run "$WORK/rate.json" -z "${DURATION}s" -q "$rate" --latency-correction
        check_run "$engine" "$WORK/rate.json"
        row "$engine" "${rate}/s" "$WORK/rate.json"
    done
    stop
    if [ "$ANSWERED" = 0 ]; then say "$engine: no decision was answered"; FAILED=1; fi
    if [ "$engine" = durable ] || [ "$engine" = async ]; then
        say "$engine: $(du -sh "$WORK"/decisions.db* | awk '{print $2": "$1}' | xargs)"
        logged=$("$BIN/csp-policy" log --decision-log "$WORK/decisions.db" | wc -l)
        say "$engine: $ANSWERED decisions answered, $logged in the log"
        # More entries than answers is allowed (an answer the client did not read, such
        # as one cut by an error, is still logged); fewer is a lost decision.
        if [ "$logged" -lt "$ANSWERED" ]; then say "$engine: the log lacks answered decisions"; FAILED=1; fi
    fi
done
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- the table
{
    echo "| server | load | decisions/s | p50 | p99 | p99.9 | not 200 | errors |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    tail -n +2 "$CSV" | while IFS=, read -r engine load rps p50 p99 p999 non200 errors; do
        case $engine in
        durable) name="csp-policy, durable log" ;;
        async) name="csp-policy, async log" ;;
        nolog) name="csp-policy, no log" ;;
        *) name=$engine ;;
        esac
        printf '| %s | %s | %s | %s ms | %s ms | %s ms | %s | %s |\n' \
            "$name" "$load" "$rps" "$p50" "$p99" "$p999" "$non200" "$errors"
    done
}
say "CSV: $CSV"
exit "$FAILED"
