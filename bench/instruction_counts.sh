#!/usr/bin/env bash
# Instructions executed by one fen command (valgrind --tool=callgrind), for the commands whose
# cost is mostly CPU. Unlike wall time, the count does not depend on machine load, so it is the
# figure to compare across commits (docs/performance.md, "Where a command's CPU goes").
#   bench/instruction_counts.sh [path/to/fen]      (default: build/release/fen)
# The repo is a copy of shared/fixtures/swamp-repo on tmpfs when available (no disk waits).
set -euo pipefail
fen="$(realpath "${1:-$(dirname "$0")/../build/release/fen}")"
cd "$(dirname "$0")/.."
source scripts/lib/noop_repo.sh  # sets base, repo; cd "$repo"

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
