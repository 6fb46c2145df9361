#!/usr/bin/env bash
# fen's main job on the embedded default (a filesystem datastore in a fresh temporary repo):
# install what is missing, build, then init a repo, create and run a model, list, read and
# delete its data, and show the lock and datastore status.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target fen
FEN="$PWD/build/release/fen"
repo="$(mktemp -d)"
trap 'rm -rf "$repo"' EXIT
cd "$repo"
step() { printf '\n\033[1m$ fen %s\033[0m\n' "$*"; "$FEN" "$@"; }
step version
step repo init
step model create command/shell hello --global-arg 'run=echo hello from fen; date'
step model method run hello execute
step model method run hello execute --json
step data list hello
step data versions hello result
step data get hello result --version 2 --json
step data delete hello result --version 1 --force
step data delete hello log --force
step data list hello --json
step datastore status
step datastore lock status
echo
echo "Demo repo was $repo (removed on exit)."
