#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30) and fails on any finding.
#
#   bash fuzz/run.sh [SECONDS]
#
# Installs what it needs: the nightly toolchain must be there (`rustup toolchain list`);
# cargo-fuzz is installed with `cargo install cargo-fuzz --locked` when missing. Seeds
# the corpora (fuzz/seed.sh), builds all targets once, then runs each one on one core
# and prints, per target, the executions, the speed, the coverage (`cov:`, libFuzzer's
# count of covered edges), the corpus size and the findings (files written to
# fuzz/artifacts/TARGET/ by this run: crash-*, timeout-*, oom-*, leak-*).
#
# Environment: FUZZ_SANITIZER (default `none`: the crates forbid `unsafe`, and without
# a sanitizer the build and the runs are about twice as fast; `address` for a campaign
# that also watches the dependencies' unsafe code), FUZZ_TARGETS (default: all five),
# FUZZ_ARGS (more libFuzzer flags, e.g. `-jobs=1 -workers=1`).
set -euo pipefail
seconds="${1:-30}"
case "$seconds" in
  '' | *[!0-9]*) echo "usage: bash fuzz/run.sh [SECONDS]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")"
sanitizer="${FUZZ_SANITIZER:-none}"
targets="${FUZZ_TARGETS:-check fmt_roundtrip decide framing differential}"
read -r -a extra <<< "${FUZZ_ARGS:-}"

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "== installing the nightly toolchain (cargo-fuzz needs it)"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

bash seed.sh

echo "== building the fuzz targets (sanitizer: $sanitizer)"
start=$(date +%s)
cargo +nightly fuzz build -s "$sanitizer"
echo "built in $(( $(date +%s) - start )) s"

dict_for() {
  case "$1" in
    check | fmt_roundtrip) echo "-dict=policy.dict" ;;
    decide | framing) echo "-dict=request.dict" ;;
    *) echo "" ;;
  esac
}

failed=()
summary=()
for target in $targets; do
  # The log lives outside artifacts/: cargo-fuzz reports (and replays) the newest file
  # there as the failing input, and a log being written would be that file.
  mkdir -p "artifacts/$target" logs
  log="logs/$target.log"
  stamp="artifacts/$target/.started"
  touch "$stamp"
  echo "== fuzzing $target for $seconds s"
  dict="$(dict_for "$target")"
  status=0
  # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: memory must stay bounded.
  cargo +nightly fuzz run -s "$sanitizer" "$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    ${dict:+"$dict"} "${extra[@]}" > "$log" 2>&1 || status=$?
  # (a log without a figure, after a failed start, must not stop the script: `|| true`)
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  corp=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  findings=$(find "artifacts/$target" -type f -newer "$stamp" \
    \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | sort || true)
  count=$(printf '%s' "$findings" | grep -c . || true)
  line="$target: ${runs:-?} execs (${speed:-?}/s), cov: ${cov:-?}, corpus: ${corp:-?}, findings: $count"
  echo "$line"
  summary+=("$line")
  if [ "$status" -ne 0 ] || [ "$count" -ne 0 ]; then
    failed+=("$target")
    echo "-- $target failed (exit $status); the end of $log:"
    tail -40 "$log"
    for f in $findings; do
      echo "reproduce: cargo +nightly fuzz run -s $sanitizer $target fuzz/$f"
    done
  fi
done

echo "== fuzzing summary ($seconds s per target)"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
