#!/usr/bin/env bash
# Installs what fen needs to build and test, from Debian 12 packages only. Idempotent: skips
# apt entirely when everything is already present.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config git
      libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev sqlite3 libssl-dev uuid-dev liburing-dev
      libgtest-dev libgmock-dev libbenchmark-dev
      clang clang-format clang-tidy libclang-rt-14-dev lld valgrind spin hyperfine)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
