// shared/spec/locking.md §7.1 #15: a structural command holds the datastore lock for 90 s (more
// than 2x swamp's 30 s TTL) while a real `fen model method run` waits with
// SWAMP_LOCK_TIMEOUT_MS=120000. The writer waits the whole time (swamp writers give up after
// 2xTTL = 60 s regardless of the variable) and then runs. The structural holder is a forked
// process calling the real LockManager ("data gc" has no 90 s step); it keeps its swamp-format
// global file fresh past the TTL (heartbeat), so a swamp process would also keep waiting.
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

namespace fen::locking {
namespace {

using fentest::MonotonicMs;
using fentest::ReadFileText;
using fentest::RealtimeNs;
namespace fs = std::filesystem;

constexpr int64_t kHoldMs = 90000;

TEST(LockLongWaitTest, WriterOutwaitsAStructuralHoldOfTwiceTheTtl) {
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  std::string started = tmp.path() + "/started";
  std::string id =
      fentest::WriteShellModel(repo, "patient", "date +%s%N > " + started + "; echo ran");
  RepoContext ctx = locktest::MakeRepo(repo);
  std::string released = tmp.path() + "/released";

  locktest::Signal ready;
  pid_t holder = locktest::ForkChild([&] {
    auto set = NewFilesystemLockManager(Env::Default(), ctx)
                   ->AcquireStructural(LockRequest{"data gc", 5000, {}, {}});
    if (!set.ok()) return 1;
    ready.Notify();
    usleep(static_cast<useconds_t>(kHoldMs) * 1000);
    std::ofstream(released) << RealtimeNs();
    return 0;  // `set` is destroyed here: the locks are released after `released` was written
  });
  ASSERT_EQ(ready.Wait(), 'x');
  std::string global_file = ctx.datastore_root + "/.datastore.lock";
  Json first = Json::parse(ReadFileText(global_file));
  ASSERT_EQ(first["pid"], holder);

  int64_t t0 = MonotonicMs();
  pid_t writer =
      fentest::SpawnFen({"model", "method", "run", "patient", "execute", "--json"}, repo,
                        {"SWAMP_LOCK_TIMEOUT_MS=120000"}, tmp.path() + "/out", tmp.path() + "/err");
  // Past 2xTTL (60 s) and again near the end: the writer still waits, nothing ran, and the
  // holder's swamp-format global file is still its own and was renewed (not stale by swamp's
  // rule, so swamp writers would keep waiting too).
  for (int64_t at : {int64_t{65000}, int64_t{85000}}) {
    usleep(static_cast<useconds_t>(std::max<int64_t>(0, at - (MonotonicMs() - t0))) * 1000);
    int code = 0;
    ASSERT_FALSE(fentest::FenExited(writer, &code))
        << "writer exited with " << code << " after " << MonotonicMs() - t0
        << " ms: " << ReadFileText(tmp.path() + "/err");
    EXPECT_FALSE(fs::exists(started)) << "the writer's body ran while the structural lock was held";
    Json now = Json::parse(ReadFileText(global_file));
    EXPECT_EQ(now["pid"], holder);
    EXPECT_EQ(now["nonce"], first["nonce"]);
    EXPECT_NE(now["acquiredAt"], first["acquiredAt"]) << "global file not renewed";
  }
  int rc = fentest::WaitFen(writer);
  int64_t waited = MonotonicMs() - t0;
  EXPECT_EQ(locktest::WaitChild(holder), 0);
  std::printf("[ counts ] writer waited %lld ms for a %lld ms structural hold, exit %d\n",
              static_cast<long long>(waited), static_cast<long long>(kHoldMs), rc);
  ASSERT_EQ(rc, 0) << ReadFileText(tmp.path() + "/err");
  EXPECT_GE(waited, kHoldMs - 1000);
  // The body started only after the holder released.
  ASSERT_TRUE(fs::exists(started));
  EXPECT_GE(std::stoll(ReadFileText(started)), std::stoll(ReadFileText(released)));
  Json out = Json::parse(ReadFileText(tmp.path() + "/out"));
  EXPECT_EQ(out["dataArtifacts"][0]["attributes"]["stdout"], "ran");
  EXPECT_EQ(ReadFileText(repo + "/.swamp/data/command/shell/" + id + "/result/latest"), "1");
  EXPECT_FALSE(fs::exists(global_file));
}

}  // namespace
}  // namespace fen::locking

namespace fen::locking {
namespace {

// §7.2 #30 (writer starvation), sized down: a structural command every 3 s holding the lock for
// 2 s (three cycles) while two streams of real `fen model method run` writers keep starting.
// Every writer completes within its timeout (5 s); none waits more than one structural hold plus
// its own run time.
TEST(LockLongWaitTest, WritersCompleteBetweenRecurringStructuralCommands) {
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  fentest::WriteShellModel(repo, "w0", "echo 0");
  fentest::WriteShellModel(repo, "w1", "echo 1");
  RepoContext ctx = locktest::MakeRepo(repo);
  constexpr int kCycles = 3;
  pid_t structural = locktest::ForkChild([&] {
    for (int i = 0; i < kCycles; ++i) {
      {
        auto set = NewFilesystemLockManager(Env::Default(), ctx)
                       ->AcquireStructural(LockRequest{"data gc", 10000, {}, {}});
        if (!set.ok()) return 1;
        usleep(2000 * 1000);
      }
      usleep(1000 * 1000);
    }
    return 0;
  });
  int64_t t0 = MonotonicMs();
  int runs = 0;
  int64_t slowest = 0;
  while (MonotonicMs() - t0 < kCycles * 3000) {
    int64_t start = MonotonicMs();
    pid_t a = fentest::SpawnFen({"model", "method", "run", "w0", "execute", "--json"}, repo,
                                {"SWAMP_LOCK_TIMEOUT_MS=5000"}, tmp.path() + "/out0",
                                tmp.path() + "/err0");
    pid_t b = fentest::SpawnFen({"model", "method", "run", "w1", "execute", "--json"}, repo,
                                {"SWAMP_LOCK_TIMEOUT_MS=5000"}, tmp.path() + "/out1",
                                tmp.path() + "/err1");
    EXPECT_EQ(fentest::WaitFen(a), 0) << ReadFileText(tmp.path() + "/err0");
    EXPECT_EQ(fentest::WaitFen(b), 0) << ReadFileText(tmp.path() + "/err1");
    slowest = std::max(slowest, MonotonicMs() - start);
    runs += 2;
  }
  EXPECT_EQ(locktest::WaitChild(structural), 0);
  std::printf("[ counts ] %d writer runs across %d structural holds of 2 s; slowest pair %lld ms\n",
              runs, kCycles, static_cast<long long>(slowest));
  EXPECT_GE(runs, 6);
  EXPECT_LT(slowest, 2000 + 2000);
}

}  // namespace
}  // namespace fen::locking
