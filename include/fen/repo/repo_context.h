// RepoContext: a resolved swamp repository and its datastore, the starting point of every
// repo-scoped command.
//
// Contract (shared/spec/cli.md §2.1, storage.md §2):
// - OpenRepo resolves the repo directory (--repo-dir, then SWAMP_REPO_DIR, then an upward search
//   for `.swamp.yaml` stopping at the git top-level, then the cwd), checks it is initialized
//   (swamp's "Not a swamp repository" / "partially initialized" errors, code not_initialized),
//   reads `.swamp.yaml`, and resolves the datastore in swamp's order: SWAMP_DATASTORE env,
//   --datastore flag, `.swamp.yaml` `datastore`, default `{repo}/.swamp`.
// - All paths in RepoContext are absolute and lexically normalized; nothing is created on disk.
// - Pure resolution: safe from any thread; performs only stat/read system calls.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen {

struct RepoOpenOptions {
  std::string repo_dir_flag;   // --repo-dir ("" = not given)
  std::string datastore_flag;  // --datastore ("" = not given)
  std::string cwd;             // "" = the process cwd
  // Environment lookup; defaults to std::getenv. Tests inject their own.
  std::map<std::string, std::string>* env_override = nullptr;
};

struct RepoContext {
  std::string repo_dir;        // contains .swamp.yaml
  std::string datastore_type;  // "filesystem"
  std::string datastore_root;  // {D}
  std::string ns;              // namespace slug; "" = solo mode
  std::string data_root;       // {D}/[{ns}/]data
  std::string fen_dir;         // {data root}/../.fen (HWM, trash): storage.md §2
  std::string outputs_dir;     // {D}/[{ns}/]outputs (run records)
  std::string models_dir;      // {repo}/models (definitions)
  std::string
      datastore_source;   // where the datastore came from: "env", "flag", "config", "default"
  bool auto_gc = false;   // .swamp.yaml autoGc
  std::string log_level;  // .swamp.yaml logLevel ("" if unset)
};

Result<RepoContext> OpenRepo(Env* env, const RepoOpenOptions& options);

}  // namespace fen
