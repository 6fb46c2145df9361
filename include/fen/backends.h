// The one place fen chooses its backends: the DataStore and the LockManager every command
// uses for a repo. Today both are the filesystem implementations (storage.md, locking.md §6);
// a shared-database backend plugs in here later without any command changing.
// One instance per command invocation; single-threaded.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/locking/lock_manager.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_store.h"

namespace fen {

struct DataStoreOptions {
  // Told when swamp's `_catalog.db` could not be invalidated after a change (storage.md §7.8
  // item 7); the command still succeeds.
  std::function<void(const std::string& path, const std::string& reason)> on_catalog_warning;
};

// The filesystem store behind fen's catalog (docs/design/catalog.md). Retries a pending swamp
// catalog invalidation first (storage.md §7.8 item 7).
Result<std::unique_ptr<storage::DataStore>> OpenDataStore(Env* env, const RepoContext& repo,
                                                          const DataStoreOptions& options = {});
Result<std::unique_ptr<locking::LockManager>> OpenLockManager(Env* env, const RepoContext& repo);

}  // namespace fen
