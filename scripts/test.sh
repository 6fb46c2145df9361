#!/usr/bin/env bash
# The whole test suite, as CI runs it (docs/reliability.md §6), in this order (earliest useful
# failure first):
#   1. release: release build, every test (ctest);
#   2. asan: ASan+UBSan build (`asan` preset: clang, -O1 library, -O0 tests), every test except
#      the real-process stress suite, fewer random crash trials;
#   3. tsan: TSan build (`tsan` preset: only the lock/concurrency test sources), those tests;
#   4. fuzz: libFuzzer targets (`fuzz` preset, clang), FEN_FUZZ_SECONDS each (default 15).
# Prints each stage's build, ctest and total time, then one line `N passed, M failed` (summed
# over the ctest runs; a build that fails counts as one failure) and exits non-zero if anything
# failed. FEN_TEST_STAGES selects stages (default "release asan tsan fuzz"; ~40 minutes from a
# clean clone on the shared 2-core CI machine, budget 90).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1

stages="${FEN_TEST_STAGES:-release asan tsan fuzz}"
fuzz_seconds="${FEN_FUZZ_SECONDS:-15}"
# The lock/concurrency tests TSan checks (gtest suite names, as ctest lists them); the catalog's
# refresh runs a checking thread and a write-back thread beside its caller.
tsan_filter='^(Lock|FilesystemCheck|ModelRun|CatalogTest)'
# The real-process stress suite runs thousands of fen processes: release stage only.
asan_exclude='^E2eModelLockTest'
passed=0
failed=0
summary=()

# Runs ctest for a preset (extra args passed on) and adds its counts to the totals.
run_ctest() {
  local preset="$1"; shift
  local log; log="$(mktemp)"
  local start=$SECONDS
  ctest --preset "$preset" "$@" 2>&1 | tee "$log"
  local line; line="$(grep -E '[0-9]+ tests failed out of [0-9]+' "$log" | tail -1)"
  if [ -z "$line" ]; then
    if grep -q 'No tests were found' "$log"; then
      echo "ctest $preset: no tests"
    else
      echo "ctest $preset: no summary line; counting one failure"
      failed=$((failed + 1))
    fi
  else
    local f t
    f="$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")"
    t="$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")"
    passed=$((passed + t - f))
    failed=$((failed + f))
  fi
  echo "stage $preset: ctest took $((SECONDS - start)) s"
  rm -f "$log"
}

# Configures and builds a preset; on failure counts one failure and returns 1.
build() {
  local preset="$1"; shift
  local start=$SECONDS
  if ! cmake --preset "$preset" "$@" >/dev/null || ! cmake --build --preset "$preset"; then
    echo "stage $preset: build FAILED"
    failed=$((failed + 1))
    return 1
  fi
  echo "stage $preset: build took $((SECONDS - start)) s"
}

total_start=$SECONDS
for stage in $stages; do
  stage_start=$SECONDS
  case "$stage" in
    release) build release && run_ctest release ;;
    asan)
      # Sanitizer runs: fewer random crash trials (every exit-at-k trial still runs).
      build asan && FEN_CRASH_TRIALS=200 FEN_CRASH_CLI_TRIALS=20 \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        run_ctest asan -E "$asan_exclude" ;;
    tsan)
      build tsan && FEN_CRASH_TRIALS=100 FEN_CRASH_CLI_TRIALS=10 \
        TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        run_ctest tsan -R "$tsan_filter" ;;
    fuzz) build fuzz -DFEN_FUZZ_SECONDS="$fuzz_seconds" && run_ctest fuzz ;;
    *) echo "unknown stage $stage"; failed=$((failed + 1)) ;;
  esac
  summary+=("stage $stage: $((SECONDS - stage_start)) s")
  echo "${summary[-1]}"
done

printf '%s\n' "${summary[@]}"
echo "all stages: $((SECONDS - total_start)) s"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
