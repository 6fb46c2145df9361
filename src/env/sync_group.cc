// Concurrent fsync rounds. See include/fen/env/sync_group.h.
#include "fen/env/sync_group.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>

namespace fen {

void SyncGroup::AddDir(const std::string& path) {
  if (std::find(dirs_.begin(), dirs_.end(), path) == dirs_.end()) dirs_.push_back(path);
}

Status SyncGroup::Sync() {
  std::vector<WritableFile*> files;
  std::vector<std::string> dirs;
  files.swap(files_);
  dirs.swap(dirs_);
  const size_t total = files.size() + dirs.size();
  if (total == 0) return Status::Ok();

  std::vector<Status> results(total);
  auto run_one = [&](size_t i) {
    results[i] = i < files.size() ? files[i]->Sync() : env_->SyncDir(dirs[i - files.size()]);
  };
  if (total == 1) {
    run_one(0);
    return results[0];
  }
  // Work items are claimed from a shared counter; this thread works too.
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next.fetch_add(1); i < total; i = next.fetch_add(1)) run_one(i);
  };
  const size_t helpers = std::min<size_t>(total, kMaxThreads) - 1;
  std::vector<std::thread> threads;
  threads.reserve(helpers);
  for (size_t t = 0; t < helpers; ++t) {
    try {
      threads.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // no thread to be had (EAGAIN): this thread does the rest
    }
  }
  worker();
  for (auto& t : threads) t.join();
  for (const Status& s : results) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace fen
