#include "fen/models/backends.h"

#include "fen/locking/filesystem_lock_manager.h"
#include "fen/storage/filesystem_data_store.h"

namespace fen::models {

Result<std::unique_ptr<storage::DataStore>> OpenModelDataStore(Env* env, const RepoContext& repo) {
  return storage::OpenFilesystemDataStore(env, repo);
}

Result<std::unique_ptr<locking::LockManager>> OpenModelLockManager(Env* env,
                                                                   const RepoContext& repo) {
  return locking::NewFilesystemLockManager(env, repo);
}

}  // namespace fen::models
