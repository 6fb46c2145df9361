#!/usr/bin/env python3
"""Interleaved A/B of `fen model method run noop execute --json` between fen binaries.

Usage: bench/interleaved_run_ab.py [--rounds N] BINARY [BINARY ...]

On this project's shared VM the speed drifts by up to 25 % between 10-minute windows, so two
binaries are only comparable when measured in the same minutes: each round runs every binary
once (order alternating) and `sh -c true` once, and the medians are compared
(docs/performance.md, "Model runs"). Set-up:
- a fresh copy of the swamp fixture repo ($FEN_FIXTURES_DIR or ../shared/fixtures) under
  $TMPDIR (default /dev/shm: tmpfs, fsync costs nothing) with a `noop` command/shell model
  (body `true`) that has run once;
- every binary is first copied into that directory, so that all of them have the same page-cache
  state: a file written by `cp` is mapped with ~10 fewer page faults than the linker's output on
  this kernel (docs/performance.md, session 7);
- three warm-up runs per binary and a 2.5 s pause (swamp's catalog skip applies as in use).
The repo grows by one version per run, alike for every binary.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fixtures = os.environ.get("FEN_FIXTURES_DIR", os.path.join(root, "..", "shared", "fixtures"))
    base = tempfile.mkdtemp(prefix="fen-ab-", dir=os.environ.get("TMPDIR", "/dev/shm"))
    try:
        repo = os.path.join(base, "repo")
        shutil.copytree(os.path.join(fixtures, "swamp-repo"), repo)
        bins = []
        for i, b in enumerate(args.binaries):
            copy = os.path.join(base, "fen%d" % i)
            shutil.copy2(b, copy)
            bins.append(copy)
        devnull = subprocess.DEVNULL
        subprocess.run([bins[0], "model", "create", "command/shell", "noop", "--global-arg",
                        "run=true", "--json", "--repo-dir", repo], stdout=devnull, check=True)
        run = ["model", "method", "run", "noop", "execute", "--json", "--repo-dir", repo]
        for b in bins:
            for _ in range(3):
                subprocess.run([b] + run, stdout=devnull, check=True)
        time.sleep(2.5)

        times = {b: [] for b in bins}
        sh = []
        for i in range(args.rounds):
            for b in (bins if i % 2 == 0 else bins[::-1]):
                t = time.perf_counter()
                subprocess.run([b] + run, stdout=devnull, check=True)
                times[b].append(time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run(["sh", "-c", "true"], check=True)
            sh.append(time.perf_counter() - t)

        sh_ms = statistics.median(sh) * 1e3
        print("%s  rounds %d  sh -c true p50 %.2f ms" % (time.strftime("%H:%M"), args.rounds, sh_ms))
        for original, b in zip(args.binaries, bins):
            ms = statistics.median(times[b]) * 1e3
            print("%-40s run p50 %.2f ms  overhead %.2f ms" % (original[-40:], ms, ms - sh_ms))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
