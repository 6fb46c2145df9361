// RunFen: the whole CLI as a function of argv, so tests can run it in-process with captured
// streams. Returns the process exit status (0, 1, 2 usage, 75 lock timeout; docs/design/cli.md).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "fen/env/env.h"

namespace fen::cli {

struct RunOptions {
  // false: parse and validate argv, render parse errors, but run no command handler (used by
  // the argv fuzzer, fuzz/cli_args_fuzz.cc).
  bool dispatch = true;
};

// Builds fen's command tree (global options and every command group) on `app`, exactly as
// RunFen parses it. Tests and `fen completions` walk this tree. `global` and `show_version`
// receive the parsed global flags and must outlive the parse.
// With `args` (RunFen), only the top-level group argv names is built: building all of CLI11's
// tree was a tenth of a short command's time (docs/performance.md, "Model runs"), and one
// group is all that parsing, dispatch, `--help` and suggestions below that group look at. An
// argv that names no known group, or `completions`, gets the whole tree.
void BuildFenApp(CLI::App& app, GlobalOptions& global, bool& show_version,
                 CommandRegistry& registry, const std::vector<std::string>* args = nullptr);

int RunFen(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           Env* env = Env::Default(), const RunOptions& options = {});

// Edit-distance suggestion among `candidates` for a mistyped `word` ("" if none is close).
std::string SuggestClosest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace fen::cli
