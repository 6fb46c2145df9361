// The CLI11 command tree of fen (BuildFenApp) and its helpers; RunFen, which runs it, is in
// cli/run_fen.h.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "cli/run_fen.h"
#include "fen/env/env.h"

namespace fen::cli {

// Builds fen's command tree (global options and every command group) on `app`, exactly as
// RunFen parses it. Tests and `fen completions` walk this tree. `global` and `show_version`
// receive the parsed global flags and must outlive the parse.
// With `args` (RunFen), only the top-level group argv names is built: building all of CLI11's
// tree was a tenth of a short command's time (docs/performance.md, "Model runs"), and one
// group is all that parsing, dispatch, `--help` and suggestions below that group look at. An
// argv that names no known group, or `completions`, gets the whole tree.
void BuildFenApp(CLI::App& app, GlobalOptions& global, bool& show_version,
                 CommandRegistry& registry, const std::vector<std::string>* args = nullptr);

// Edit-distance suggestion among `candidates` for a mistyped `word` ("" if none is close).
std::string SuggestClosest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace fen::cli
