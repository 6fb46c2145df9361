// The filesystem DataStore: swamp's data tree (storage.md §3) written with fen's crash-safe
// protocol (§5). See data_store.h for the contract; docs/design/storage.md for the protocol as
// implemented.
#pragma once

#include <memory>
#include <string>

#include "fen/env/env.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_store.h"

namespace fen::storage {

struct FilesystemLayout {
  std::string data_root;  // {D}/[{ns}/]data
  std::string fen_dir;    // {data root}/../.fen (hwm/, trash/)
  // `.swamp.yaml` autoGc: write-time pruning after each new version (storage.md §6.1 step 8,
  // §5.3 step 11): with an integer policy N, only the N newest complete versions remain.
  bool auto_gc = false;
};

// `env` must outlive the store. Nothing is created on disk until the first write.
std::unique_ptr<DataStore> OpenFilesystemDataStore(Env* env, const RepoContext& repo);
std::unique_ptr<DataStore> OpenFilesystemDataStore(Env* env, const FilesystemLayout& layout);

}  // namespace fen::storage
