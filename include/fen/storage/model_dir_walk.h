// The store-wide walk of shared/spec/storage.md §3.2: which directories under the data root
// are model directories ({normalised type...}/{model id}), detected by "some child C has a
// child ^\d+$ holding a regular metadata.yaml". The one implementation used by
// FilesystemDataStore::ListModels and by the catalog's refresh (docs/design/catalog.md §3).
//
// ModelDirWalker memoises directory listings for its lifetime (the catalog reuses the model
// directories' listings after the walk). One thread at a time per instance.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/storage/data_store.h"

namespace fen::storage {

class ModelDirWalker {
 public:
  // `witness(name_dir)` may answer "yes, name_dir holds a complete version" cheaply (the
  // catalog's cached latest version, one stat); it must return true only if the full check
  // would. Empty = always do the full check.
  explicit ModelDirWalker(Env* env, std::function<bool(const std::string&)> witness = {});

  // Appends the model directories under `data_root` to *out in readdir order; unreadable
  // directories below the root and invalid model types go to *reports. A missing root is
  // an empty store; an unreadable root is the error.
  Status Walk(const std::string& data_root, std::vector<ModelKey>* out,
              std::vector<CorruptReport>* reports);

  // Env::ListDir, memoised.
  const Result<std::vector<DirEntry>>& List(const std::string& dir);

 private:
  bool IsModelIdDir(const std::string& dir);
  Status WalkDir(const std::string& dir, std::vector<std::string>& segments, int depth,
                 std::vector<ModelKey>* out, std::vector<CorruptReport>* reports);

  Env* env_;
  std::function<bool(const std::string&)> witness_;
  std::unordered_map<std::string, Result<std::vector<DirEntry>>> listings_;
};

}  // namespace fen::storage
