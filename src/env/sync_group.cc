// Concurrent fsync rounds. See include/fen/env/sync_group.h.
#include "fen/env/sync_group.h"

#include <algorithm>

namespace fen {

void SyncGroup::AddDir(const std::string& path) {
  if (std::find(dirs_.begin(), dirs_.end(), path) == dirs_.end()) dirs_.push_back(path);
}

Status SyncGroup::Sync() {
  std::vector<WritableFile*> files;
  std::vector<std::string> dirs;
  files.swap(files_);
  dirs.swap(dirs_);
  return env_->SyncBatch(files, dirs);
}

}  // namespace fen
