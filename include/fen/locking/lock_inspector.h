// Breakglass and observability for the filesystem lock backend: `datastore lock status` and
// `datastore lock release --force [--model]` (shared/spec/locking.md §4.8, §6.11).
//
// Contract:
// - Both take no blocking lock: status uses F_OFD_GETLK-style tests and info-file presence
//   locks; release uses try-locks only and never breaks a live fen holder.
// - Results are swamp-shaped JSON objects (plus fen's added keys: mode, stale, corrupt, source);
//   the CLI prints them. Thread-safe; callable from any process.
#pragma once

#include <optional>
#include <vector>

#include "fen/base/json_text.h"
#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/locking/lock_manager.h"
#include "fen/repo/repo_context.h"

namespace fen::locking {

struct LockStatusReport {
  std::vector<Json> models;  // {"held","info"?,"datastoreType","lockScope",...} per model lock
  Json global;               // {"held","info"?,"datastoreType",...}
};

Result<LockStatusReport> InspectLocks(Env* env, const RepoContext& repo);

// {"released": false, "reason": ...} or {"released": true, "previousHolder": {...}|null}.
Result<Json> ForceReleaseLock(Env* env, const RepoContext& repo,
                              const std::optional<ModelRef>& model);

}  // namespace fen::locking
