# Sourced by the profiling scripts (bench/instruction_counts.sh, scripts/update-hot-text-order.sh)
# from the worktree root, with `fen` already set to the binary's absolute path (resolve the
# caller's argument before changing directory). Sets `base` (a temp dir removed at exit, on
# tmpfs when available: no disk waits) and `repo` (a copy of the swamp fixture repo, from
# $FEN_FIXTURES_DIR or ../shared/fixtures, with a `noop` command/shell model that has run once,
# so later runs find their directories), and leaves the shell in the repo.
base="$(mktemp -d "${TMPDIR:-/dev/shm}/fen-profile-XXXXXX" 2>/dev/null || mktemp -d)"
trap 'rm -rf "$base"' EXIT
repo="$base/repo"
cp -r "${FEN_FIXTURES_DIR:-../shared/fixtures}/swamp-repo" "$repo" && chmod -R u+w "$repo"
cd "$repo"
"$fen" model create command/shell noop --global-arg run=true --json >/dev/null
"$fen" model method run noop execute --json >/dev/null  # first run creates directories
