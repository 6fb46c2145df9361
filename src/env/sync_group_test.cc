#include "fen/env/sync_group.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace fen {
namespace {

// A file whose Sync records the calling thread and can fail.
class CountingFile final : public WritableFile {
 public:
  CountingFile(std::atomic<int>* syncs, std::set<std::thread::id>* threads, std::mutex* mu, int err)
      : syncs_(syncs), threads_(threads), mu_(mu), err_(err) {}
  Status Append(std::string_view) override { return Status::Ok(); }
  Status Sync() override {
    ++*syncs_;
    {
      std::lock_guard<std::mutex> l(*mu_);
      threads_->insert(std::this_thread::get_id());
    }
    // Overlap the syncs so that concurrency is observable.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return err_ == 0 ? Status::Ok() : ErrnoError("cannot fsync", "f", err_);
  }
  Status Close() override { return Status::Ok(); }

 private:
  std::atomic<int>* syncs_;
  std::set<std::thread::id>* threads_;
  std::mutex* mu_;
  int err_;
};

TEST(SyncGroupTest, SyncsEveryItemOnceConcurrentlyAndEmptiesTheRound) {
  std::atomic<int> syncs{0};
  std::set<std::thread::id> threads;
  std::mutex mu;
  std::vector<std::unique_ptr<CountingFile>> files;
  SyncGroup group(Env::Default());
  for (int i = 0; i < 6; ++i) {
    files.push_back(std::make_unique<CountingFile>(&syncs, &threads, &mu, 0));
    group.AddFile(files.back().get());
  }
  group.AddDir("/tmp");
  group.AddDir("/tmp");  // duplicates are synced once
  EXPECT_EQ(group.size(), 7u);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(group.Sync().ok());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(syncs.load(), 6);
  EXPECT_GT(threads.size(), 1u);
  // Six 20 ms syncs one after another would take 120 ms.
  EXPECT_LT(took, std::chrono::milliseconds(100));
  EXPECT_TRUE(group.empty());
  ASSERT_TRUE(group.Sync().ok());  // an empty round is a no-op
  EXPECT_EQ(syncs.load(), 6);
}

TEST(SyncGroupTest, ReportsAFailureAfterAttemptingEveryItem) {
  std::atomic<int> syncs{0};
  std::set<std::thread::id> threads;
  std::mutex mu;
  CountingFile ok1(&syncs, &threads, &mu, 0), bad(&syncs, &threads, &mu, EIO),
      ok2(&syncs, &threads, &mu, 0);
  SyncGroup group(Env::Default());
  group.AddFile(&ok1);
  group.AddFile(&bad);
  group.AddFile(&ok2);
  Status s = group.Sync();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.sys_errno(), EIO);
  EXPECT_EQ(syncs.load(), 3);
}

TEST(SyncGroupTest, AMissingDirectoryIsAnError) {
  SyncGroup group(Env::Default());
  group.AddDir("/nonexistent/fen-sync-group-test");
  Status s = group.Sync();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsNotFound());
}

}  // namespace
}  // namespace fen
