#include "fen/models/backends.h"

namespace fen::models {

Result<std::unique_ptr<storage::DataStore>> OpenModelDataStore(Env* /*env*/,
                                                               const RepoContext& /*repo*/) {
  return Status(ErrorCode::kInternalError,
                "The filesystem datastore is not available in this build (storage component not "
                "integrated)");
}

Result<std::unique_ptr<locking::LockManager>> OpenModelLockManager(Env* /*env*/,
                                                                   const RepoContext& /*repo*/) {
  return Status(ErrorCode::kInternalError,
                "The lock manager is not available in this build (locking component not "
                "integrated)");
}

}  // namespace fen::models
