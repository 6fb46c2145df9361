// The datastore and lock-manager backends the model commands use for one repo.
//
// INTEGRATION POINT (docs/design/models.md §6): these return the filesystem DataStore of the
// storage component and the filesystem LockManager of the locking component once those are
// merged; until then they fail with internal_error naming the missing component.
// One instance per command invocation; single-threaded.
#pragma once

#include <memory>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/locking/lock_manager.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_store.h"

namespace fen::models {

Result<std::unique_ptr<storage::DataStore>> OpenModelDataStore(Env* env, const RepoContext& repo);
Result<std::unique_ptr<locking::LockManager>> OpenModelLockManager(Env* env,
                                                                   const RepoContext& repo);

}  // namespace fen::models
