// The datastore and lock-manager backends the model commands use for one repo.
//
// The filesystem DataStore (storage component) and the filesystem LockManager (locking
// component); the one place to choose other backends later.
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
