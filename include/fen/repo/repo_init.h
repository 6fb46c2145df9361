// InitRepo: `repo init [path]` (shared/spec/cli.md §2.3) as a library call.
//
// Contract:
// - Checks everything it can before creating anything: the target (or its nearest existing
//   ancestor) is a writable directory, no path it needs is occupied by a non-directory, and
//   the marker does not exist (unless `force`). Then creates the directory skeleton, updates
//   the `.gitignore` managed section, and writes `.swamp.yaml` LAST, all durably (cli.md C-6).
//   If a step fails, the directories it created and the `.gitignore` change are rolled back
//   (best effort), so a failed init never leaves a marker.
// - Errors: already_exists ("Repository already initialized at ..."), invalid_arguments
//   (--tool none combined with other tools), io_error (unwritable target, occupied paths),
//   invalid_config (an existing malformed marker without --force).
// - Not synchronised: two concurrent inits of one directory race on the marker (last wins).
#pragma once

#include <string>
#include <vector>

#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen {

struct RepoInitOptions {
  std::string path = ".";  // resolved against `cwd` (no upward search)
  std::string cwd;         // "" = the process cwd
  bool force = false;
  std::vector<std::string> tools;  // raw --tool values in order; empty = none (fen default)
};

struct RepoInitResult {
  std::string path;  // absolute
  std::string version;
  std::string initialized_at;
  std::string gitignore_action;  // created | updated | unchanged
  std::vector<std::string> tools;
  std::vector<std::string> removed_tools;
};

// Duplicates collapsed keeping first order; "none" clears and may not be combined.
Result<std::vector<std::string>> NormalizeTools(const std::vector<std::string>& raw);

Result<RepoInitResult> InitRepo(Env* env, const RepoInitOptions& options);

}  // namespace fen
