#!/usr/bin/env bash
# fen's main job on the embedded default (a filesystem datastore in a fresh temporary repo):
# install, build, then init a repo, run a model, list and delete its data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target fen
FEN="$PWD/build/release/fen"
repo="$(mktemp -d)"
trap 'rm -rf "$repo"' EXIT
cd "$repo"
run() { echo; echo "\$ fen $*"; "$FEN" "$@"; }
run version
run repo init --json
