#!/usr/bin/env bash
# Runs every measurement of BENCHMARKS.md, from the repository root:
#   bash benches/run-all.sh           criterion benches, allocations, peers table
#   bash benches/run-all.sh --stream  also the 10,000,000-request stream (time, peak RSS)
# Needs the Rust toolchain; --stream also needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "## machine"
lscpu | grep -E '^(Model name|CPU\(s\)):' || true
echo

echo "## criterion (cargo bench --bench decide)"
cargo bench --bench decide 2>&1 | grep -E '^[a-z_-]+/|time:|thrpt:' | grep -v '%\]'
echo

echo "## allocations (cargo bench --bench allocations)"
cargo bench --bench allocations 2>&1 | grep -E '^\||^allocations'
echo

echo "## peers (csp-peers-compare --count 100000 --seed 42)"
cargo run -q -p csp-peers --release --bin csp-peers-compare -- --count 100000 --seed 42
echo

if [[ "${1:-}" == "--stream" ]]; then
  echo "## 10,000,000 requests through csp-policy eval (piped from csp-corpus)"
  cargo build -q --release -p csp-corpus -p csp-policy
  for jobs in 1 2; do
    ./target/release/csp-corpus --seed 42 --count 10000000 |
      /usr/bin/time -f "jobs=$jobs: %e s wall, peak RSS %M KB" \
        ./target/release/csp-policy eval --jobs "$jobs" --now 2026-11-25T12:00:00Z - |
      wc -l || true # exit 1: some decisions are deny
  done
fi
