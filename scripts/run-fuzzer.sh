#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time over its seed corpus (fuzz/corpus/<name>) and
# its kept regression inputs (fuzz/regressions/<name>), and prints how many inputs it executed.
# Usage: run-fuzzer.sh <fuzzer binary> <name> <seconds>. Fails if the fuzzer finds a crash;
# the crashing input is kept under build/fuzz-artifacts/ to be fixed and added to regressions.
set -euo pipefail
bin="$1"; name="$2"; secs="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
artifacts="$root/build/fuzz-artifacts/$name"; mkdir -p "$artifacts"
corpora=("$work")
for d in "$root/fuzz/corpus/$name" "$root/fuzz/regressions/$name"; do [ -d "$d" ] && corpora+=("$d"); done
# Extra seeds from the swamp fixture for parsers of outside input.
case "$name" in
  metadata_yaml|metadata_fast_reader|yaml_parse) find "$root/../shared/fixtures/swamp-repo/.swamp/data" -name metadata.yaml -exec cp {} "$work/" \; 2>/dev/null || true ;;
  definition_yaml) cp "$root"/../shared/fixtures/swamp-repo/models/command/shell/*.yaml "$work/" 2>/dev/null || true ;;
  marker_yaml) cp "$root/../shared/fixtures/swamp-repo/.swamp.yaml" "$work/" 2>/dev/null || true ;;
esac
log="$work.log"
set +e
"$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$artifacts/" \
  -rss_limit_mb=2048 "${corpora[@]}" >"$log" 2>&1
rc=$?
set -e
execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
echo "fuzz $name: ${execs:-0} executions in ${secs}s, exit $rc"
if [ $rc -ne 0 ]; then tail -40 "$log"; fi
rm -f "$log"
exit $rc
