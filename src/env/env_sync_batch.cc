// Env::SyncBatch's default: the fsyncs of one round on helper threads. See
// include/fen/env/env.h.
#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>

#include "fen/env/env.h"

namespace fen {

Status Env::SyncBatch(const std::vector<WritableFile*>& files,
                      const std::vector<std::string>& dirs) {
  const size_t total = files.size() + dirs.size();
  if (total == 0) return Status::Ok();
  std::vector<Status> results(total);
  auto run_one = [&](size_t i) {
    results[i] = i < files.size() ? files[i]->Sync() : SyncDir(dirs[i - files.size()]);
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
  const size_t helpers = std::min<size_t>(total, kSyncBatchThreads) - 1;
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
