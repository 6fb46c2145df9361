#!/usr/bin/env bash
# Instructions executed by one fen command (valgrind --tool=callgrind), for the commands whose
# cost is mostly CPU. Unlike wall time, the count does not depend on machine load, so it is the
# figure to compare across commits (docs/performance.md, "Where a command's CPU goes").
#   bench/instruction_counts.sh [path/to/fen]      (default: build/release/fen)
# The repo is a copy of shared/fixtures/swamp-repo on tmpfs when available (no disk waits).
set -euo pipefail
cd "$(dirname "$0")/.."
fen="$(realpath "${1:-build/release/fen}")"
base="$(mktemp -d "${TMPDIR:-/dev/shm}/fen-icount-XXXXXX" 2>/dev/null || mktemp -d)"
trap 'rm -rf "$base"' EXIT
repo="$base/repo"
cp -r ../shared/fixtures/swamp-repo "$repo" && chmod -R u+w "$repo"
cd "$repo"
"$fen" model create command/shell noop --global-arg run=true --json >/dev/null
"$fen" model method run noop execute --json >/dev/null  # first run creates directories

count() {
  local out="$base/cg.out"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$fen" "$@" >/dev/null 2>"$base/cg.err"
  local n
  n="$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$base/cg.err")"
  printf '%-45s %12s\n' "fen $*" "$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$n")"
}

printf '%-45s %12s\n' "command" "instructions"
count version
count datastore status --json
count model get noop --json
count data list noop --json
count data get noop result --json
count data versions noop result --json
count data search --json
count model method run noop execute --json
