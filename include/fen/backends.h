// The one place fen chooses its backends: the DataStore and the LockManager every command
// uses for a repo. Today both are the filesystem implementations (storage.md, locking.md §6);
// a shared-database backend plugs in here later without any command changing.
// One instance per command invocation; single-threaded.
#pragma once

#include <memory>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/locking/lock_manager.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_store.h"

namespace fen {

Result<std::unique_ptr<storage::DataStore>> OpenDataStore(Env* env, const RepoContext& repo);
Result<std::unique_ptr<locking::LockManager>> OpenLockManager(Env* env, const RepoContext& repo);

}  // namespace fen
