// ModelService: the library side of `model create/get/search/validate/delete`
// (shared/spec/cli.md §6.1-§6.4; docs/design/models.md). The CLI handlers parse arguments and
// render; everything that decides or touches files is here.
// One instance per command invocation; single-threaded.
#pragma once

#include <string>
#include <vector>

#include "fen/base/json_text.h"
#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/locking/lock_manager.h"
#include "fen/models/definition.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_store.h"

namespace fen::models {

class ModelService {
 public:
  ModelService(Env* env, const RepoContext* repo);

  // §6.1: type known (raw type in the message), name unused across the repo, name rules, then
  // the durable write. Returns the create_hello.json document. Takes no lock.
  Result<Json> Create(const std::string& raw_type, const std::string& name,
                      const Json& global_args);
  // §6.2: model_get_hello.json.
  Result<Json> Get(const std::string& id_or_name);
  // §6.3: {query, results:[{id,name,type}]} (models/ only, walk order).
  Result<Json> Search(const std::string& query);
  // Schema check of the stored method arguments (docs/design/models.md §7).
  Result<Json> Validate(const std::string& id_or_name);

  struct DeletePlan {
    Definition def;
    std::vector<std::string> data_names;   // live artifacts (counted, §6.4 step 3)
    std::vector<std::string> data_dirs;    // every data-name directory (removed with --force)
    std::vector<std::string> run_records;  // run-record YAML paths
  };
  // Without locks; `store` lists the model's data (live, non-tombstone latest records).
  Result<DeletePlan> PlanDelete(const std::string& id_or_name, storage::DataStore* store);
  // §6.4 steps 3 and 5, under the model's writer lock (taken here): with `force` every
  // data-name directory is removed through DataStore::DeleteArtifact (storage.md §5.6).
  Result<Json> Delete(const std::string& id_or_name, bool force, storage::DataStore* store,
                      locking::LockManager* locks, const std::string& command_line);

  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  Result<Definition> FindOrFail(const std::string& id_or_name);

  Env* env_;
  const RepoContext* repo_;
  std::vector<std::string> warnings_;
};

}  // namespace fen::models
