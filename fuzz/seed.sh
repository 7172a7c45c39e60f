#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's own test inputs: copies them into
# fuzz/corpus/TARGET/ (ignored by git; libFuzzer adds what it finds there). Run from
# anywhere; safe to run again (files are overwritten, nothing is removed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/fuzz/corpus"

# copy TARGET FILE...: each file under a name that keeps where it came from.
copy() {
  local target="$1"
  shift
  mkdir -p "$corpus/$target"
  local file
  for file in "$@"; do
    [ -f "$file" ] || continue
    local name="${file#"$root"/}"
    cp "$file" "$corpus/$target/${name//\//-}"
  done
}

shopt -s nullglob
policies=("$root"/policies/csp-software/*.policy "$root"/tests/policies/*.policy
          "$root"/tests/cli/*/*.policy "$root"/tests/fmt/*.policy)
requests=("$root"/tests/requests/*.yaml "$root"/tests/requests/*.json
          "$root"/examples/*.yaml "$root"/tests/cli/*.yaml)
streams=("$root"/examples/*.jsonl "$root"/tests/cli/*.jsonl "$root"/tests/cli/*.yaml)

# check: one mode byte, then the text (odd: also checked after the default policy).
mkdir -p "$corpus/check"
for file in "${policies[@]}"; do
  name="${file#"$root"/}"
  name="${name//\//-}"
  { printf '\x00'; cat "$file"; } > "$corpus/check/alone-$name"
  { printf '\x01'; cat "$file"; } > "$corpus/check/after-default-$name"
done
copy fmt_roundtrip "${policies[@]}"
copy decide "${requests[@]}"
copy framing "${streams[@]}" "${requests[@]}"
# The differential target reads its input as choices (arbitrary::Unstructured), so any
# bytes will do: the requests give it varied ones to start from.
copy differential "${requests[@]}"

for target in check fmt_roundtrip decide framing differential; do
  echo "seeded fuzz/corpus/$target: $(find "$corpus/$target" -type f | wc -l) file(s)"
done
