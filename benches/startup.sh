#!/usr/bin/env bash
# Start-up of the command line, whole process (BENCHMARKS.md, "Start-up"), from the
# repository root:
#   bash benches/startup.sh                 the release binary, built if needed
#   BEFORE=path/to/old/csp-policy bash benches/startup.sh   ... beside another build
# Wall time with hyperfine (`--version` is the process floor; `eval` of one request on
# the embedded policy, and on the same files named by --policy, which parses and checks
# them as any user's policy), then instructions with callgrind when valgrind is there.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -q --release --bin csp-policy
bin=target/release/csp-policy
request=examples/purchase.yaml
now=(--now 2026-11-25T12:00:00Z)

commands=(
  "$bin --version"
  "$bin eval ${now[*]} $request"
  "$bin eval ${now[*]} --policy policies/csp-software $request"
)
if [[ -n "${BEFORE:-}" ]]; then
  commands+=("$BEFORE --version" "$BEFORE eval ${now[*]} $request")
fi

echo "## wall time (hyperfine)"
# eval exits 1 on a deny; this request is allowed, but never let that stop the run.
hyperfine -N --warmup 20 --runs "${RUNS:-300}" -i "${commands[@]}"

if command -v valgrind > /dev/null; then
  echo
  echo "## instructions (callgrind, whole process)"
  for command in "${commands[@]}"; do
    out=$(mktemp)
    # shellcheck disable=SC2086 # the command is split into words on purpose
    valgrind --tool=callgrind --callgrind-out-file=/dev/null $command > /dev/null 2> "$out" || true
    printf '%-90s %s\n' "$command" "$(grep -o 'Collected : [0-9]*' "$out" | grep -o '[0-9]*')"
    rm -f "$out"
  done
fi
