#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds (release preset), runs every test
# with ctest and prints ctest's summary. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release
