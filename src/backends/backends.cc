#include "fen/backends.h"

#include "fen/locking/filesystem_lock_manager.h"
#include "fen/storage/catalog.h"
#include "fen/storage/filesystem_data_store.h"
#include "fen/storage/swamp_catalog.h"

namespace fen {

Result<std::unique_ptr<storage::DataStore>> OpenDataStore(Env* env, const RepoContext& repo,
                                                          const DataStoreOptions& options) {
  auto warn = [options](const storage::SwampCatalogFailure& f) {
    if (options.on_catalog_warning) options.on_catalog_warning(f.path, f.reason);
  };
  storage::SwampCatalogFailure pending;
  if (storage::RetryPendingSwampCatalogInvalidation(env, repo, &pending)) warn(pending);
  storage::CatalogOptions catalog_options;
  catalog_options.on_invalidation_failure = warn;
  std::unique_ptr<storage::DataStore> store = storage::OpenCatalogDataStore(
      env, repo, storage::OpenFilesystemDataStore(env, repo), catalog_options);
  return store;
}

Result<std::unique_ptr<locking::LockManager>> OpenLockManager(Env* env, const RepoContext& repo) {
  return locking::NewFilesystemLockManager(env, repo);
}

}  // namespace fen
