// RunFen: the whole CLI as a function of argv, so tests can run it in-process with captured
// streams. Returns the process exit status (0, 1, 2 usage, 75 lock timeout; docs/design/cli.md).
// Runs on the calling thread. A model run installs process-wide SIGINT/SIGTERM/SIGHUP handlers
// for its duration (fen/models/cancellation.h: one run per process at a time).
//
// This header does not include CLI11, so that main.cc does not construct a second copy of
// CLI11's namespace-scope validators at start-up (docs/design/cli.md §9).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "fen/env/env.h"

namespace fen::cli {

struct RunOptions {
  // false: parse and validate argv, render parse errors, but run no command handler (used by
  // the argv fuzzer, fuzz/cli_args_fuzz.cc).
  bool dispatch = true;
};

int RunFen(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           Env* env = Env::Default(), const RunOptions& options = {});

}  // namespace fen::cli
