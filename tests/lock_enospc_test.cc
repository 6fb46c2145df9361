// shared/spec/locking.md §7.1 #18: ENOSPC while creating (acquire) and while renewing
// (heartbeat) a swamp-format lock file, on a real small tmpfs mounted on the model's data
// directory `{D}/data/{type}/{id}` in a private mount namespace (support/private_tmpfs.h), so
// only the swamp-format file's file system is full. Expected: never a zero-byte or partial lock
// file and no temp files left behind; the holder either keeps a valid lock file or aborts
// loudly. Skipped, saying why, where a tmpfs cannot be mounted (no CAP_SYS_ADMIN).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fen/base/json_text.h"
#include "fen/locking/filesystem_lock_manager.h"
#include "models/model_test_util.h"
#include "support/fen_process.h"
#include "support/lock_test_util.h"
#include "support/private_tmpfs.h"

namespace fen::locking {
namespace {

using fentest::MonotonicMs;
using fentest::ReadFileText;
namespace fs = std::filesystem;

// Names in `dir` that are not `keep` (temp files, reaped files, lock files...).
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

// Acquire: a real `fen model method run` cannot create the model's swamp-format file. It fails
// at once and loudly (not a lock timeout), leaves no `.lock` and no temp file, releases its kernel
// locks; after space is freed the next run succeeds.
TEST(LockEnospcTest, CreateOnFullFilesystemFailsLoudlyAndLeavesNoLockFile) {
  if (fentest::kMountNamespaceEntryUnavailable) {
    GTEST_SKIP() << "setns into the tmpfs's mount namespace needs a single-threaded process "
                    "(not under ThreadSanitizer); the asan and release stages run this test";
  }
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  std::string id = fentest::WriteShellModel(repo, "cramped", "echo fits");
  std::string model_dir = repo + "/.swamp/data/command/shell/" + id;
  fs::create_directories(model_dir);
  fentest::PrivateTmpfs tmpfs(model_dir, "128k");
  if (!tmpfs.error().empty()) GTEST_SKIP() << "cannot mount a tmpfs: " << tmpfs.error();
  std::string view = tmpfs.View(model_dir);
  long long filled = fentest::FillUntilFull(view + "/filler");
  ASSERT_GT(filled, 0);
  auto run = [&](const char* tag) {
    pid_t p = fentest::SpawnFen({"model", "method", "run", "cramped", "execute", "--json"}, repo,
                                {"SWAMP_LOCK_TIMEOUT_MS=10000"}, tmp.path() + "/out" + tag,
                                tmp.path() + "/err" + tag, [&] {
                                  if (!tmpfs.Enter()) _exit(126);
                                });
    return fentest::WaitFen(p);
  };
  int64_t t0 = MonotonicMs();
  int rc = run("1");
  int64_t took = MonotonicMs() - t0;
  std::string err = ReadFileText(tmp.path() + "/err1");
  std::printf("[ counts ] full tmpfs (%lld bytes filled): exit %d after %lld ms: %s", filled, rc,
              static_cast<long long>(took), err.c_str());
  EXPECT_NE(rc, 0);
  EXPECT_NE(rc, 75) << "ENOSPC must not turn into a lock timeout: " << err;
  EXPECT_NE(rc, 126) << "could not enter the mount namespace";
  EXPECT_LT(took, 5000) << "no waiting on ENOSPC";
  EXPECT_EQ(Json::parse(err)["error"],
            "cannot create lock file " + model_dir + "/.lock: No space left on device")
      << err;
  EXPECT_EQ(Entries(view), std::vector<std::string>{"filler"}) << "lock or temp file left behind";
  // The kernel locks went with the process: nothing is held.
  auto status = models::testing::RunFenProcess({"datastore", "lock", "status", "--json"}, repo);
  EXPECT_EQ(Json::parse(status.out)["held"], false) << status.out;
  for (const auto& e :
       fs::recursive_directory_iterator(repo + "/.swamp/.fen/locks/_solo/holders")) {
    EXPECT_FALSE(e.is_regular_file()) << "holder info file left: " << e.path();
  }

  fs::remove(view + "/filler");
  ASSERT_EQ(run("2"), 0) << ReadFileText(tmp.path() + "/err2");
  EXPECT_EQ(ReadFileText(view + "/result/latest"), "1");
  EXPECT_FALSE(fs::exists(view + "/.lock"));
}

// Renewal: the holder's heartbeat cannot rewrite its file. The previous file stays complete
// and ours at every moment (read 100 times a second); CheckHeld stays OK while the file is still
// fresh for swamp and reports lock_lost once renewals have failed for two periods; release
// deletes the file and leaves nothing behind. Heartbeat shortened to 200 ms.
TEST(LockEnospcTest, RenewalOnFullFilesystemKeepsTheFileThenAbortsLoudly) {
  if (fentest::kMountNamespaceEntryUnavailable) {
    GTEST_SKIP() << "setns into the tmpfs's mount namespace needs a single-threaded process "
                    "(not under ThreadSanitizer); the asan and release stages run this test";
  }
  locktest::TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  std::string model_dir = repo.datastore_root + "/data/command/shell/renew";
  fs::create_directories(model_dir);
  fentest::PrivateTmpfs tmpfs(model_dir, "64k");
  if (!tmpfs.error().empty()) GTEST_SKIP() << "cannot mount a tmpfs: " << tmpfs.error();
  std::string view = tmpfs.View(model_dir);
  constexpr int kHeartbeatMs = 200;

  locktest::Signal ready, filled, early, late, freed, done;
  pid_t holder = locktest::ForkChild([&] {
    if (!tmpfs.Enter()) return 90;
    FilesystemLockOptions o;
    o.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    o.heartbeat_ms = kHeartbeatMs;
    auto set = NewFilesystemLockManager(Env::Default(), repo, o)
                   ->AcquireWriter({{"command/shell", "renew"}}, LockRequest{"run", 2000, {}, {}});
    if (!set.ok()) return 91;
    usleep(3 * kHeartbeatMs * 1000);  // renewals work
    if (!(*set)->CheckHeld().ok()) return 92;
    ready.Notify();
    if (filled.Wait() != 'x') return 93;
    // The last renewal was at most one period before the fill; a loss needs failures for two.
    usleep(kHeartbeatMs * 250);
    Status s = (*set)->CheckHeld();
    early.Notify(s.ok() ? 'o' : 'e');
    usleep(3 * kHeartbeatMs * 1000);  // now two or more failed renewals in a row
    s = (*set)->CheckHeld();
    bool loud = s.code() == ErrorCode::kLockLost &&
                s.message() == "Lock \"" + model_dir +
                                   "/.lock\" could not be renewed for 0 s (No space left on "
                                   "device); stopped before committing further changes.";
    if (!loud) std::fprintf(stderr, "CheckHeld after failed renewals: %s\n", s.ToString().c_str());
    late.Notify(loud ? 'l' : 'e');
    if (freed.Wait() != 'x') return 94;
    usleep(2 * kHeartbeatMs * 1000);
    // Once reported, the loss stays reported (someone may have taken the file meanwhile).
    if ((*set)->CheckHeld().code() != ErrorCode::kLockLost) return 95;
    set = Status(ErrorCode::kInternalError, "released");
    done.Notify();
    return 0;
  });
  ASSERT_EQ(ready.Wait(), 'x');
  Json before = Json::parse(ReadFileText(view + "/.lock"));
  ASSERT_EQ(before["pid"], holder);
  ASSERT_GT(fentest::FillUntilFull(view + "/filler"), 0);
  filled.Notify();
  // Watch the file through the failing heartbeats: always complete, always ours, never renewed.
  Json last;
  int reads = 0;
  for (int64_t until = MonotonicMs() + 5 * kHeartbeatMs; MonotonicMs() < until; ++reads) {
    std::string text = ReadFileText(view + "/.lock");
    ASSERT_FALSE(text.empty()) << "zero-byte lock file after " << reads << " reads";
    last = Json::parse(text);
    ASSERT_EQ(last["nonce"], before["nonce"]);
    usleep(10 * 1000);
  }
  EXPECT_EQ(early.Wait(), 'o') << "CheckHeld failed before the file could be stale";
  EXPECT_EQ(late.Wait(), 'l') << "no loud loss after renewals failed for two periods";
  fs::remove(view + "/filler");
  freed.Notify();
  EXPECT_EQ(done.Wait(), 'x');
  EXPECT_EQ(locktest::WaitChild(holder), 0);
  std::printf("[ counts ] %d reads of the lock file while renewals failed\n", reads);
  EXPECT_TRUE(Entries(view).empty()) << "left behind: " << Entries(view).size() << " entries";
}

}  // namespace
}  // namespace fen::locking
