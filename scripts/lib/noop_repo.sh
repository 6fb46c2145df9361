# Sourced by the profiling scripts (bench/instruction_counts.sh, scripts/update-hot-text-order.sh):
# sets `fen` (absolute path of $1 or build/release/fen), `base` (a temp dir removed at exit, on
# tmpfs when available: no disk waits) and `repo` (a copy of shared/fixtures/swamp-repo with a
# `noop` command/shell model that has run once, so later runs find their directories), and
# leaves the shell in the repo. Call from the worktree root.
fen="$(realpath "${1:-build/release/fen}")"
base="$(mktemp -d "${TMPDIR:-/dev/shm}/fen-profile-XXXXXX" 2>/dev/null || mktemp -d)"
trap 'rm -rf "$base"' EXIT
repo="$base/repo"
cp -r ../shared/fixtures/swamp-repo "$repo" && chmod -R u+w "$repo"
cd "$repo"
"$fen" model create command/shell noop --global-arg run=true --json >/dev/null
"$fen" model method run noop execute --json >/dev/null  # first run creates directories
