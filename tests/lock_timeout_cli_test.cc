// shared/spec/locking.md §7.1 #3 at the process boundary: a real `fen` waiting on a held lock
// with SWAMP_LOCK_TIMEOUT_MS=500 fails after 500 ms + epsilon with exit 75, JSON code
// "lock_timeout" and §2.4's message (the namespace hint only for the solo global key). The
// holders are forked processes calling the real LockManager.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "fen/base/json_text.h"
#include "fen/locking/filesystem_lock_manager.h"
#include "models/model_test_util.h"
#include "support/fen_process.h"
#include "support/lock_test_util.h"

namespace fen::locking {
namespace {

using fentest::MonotonicMs;
using fentest::ReadFileText;

struct Timed {
  int rc;
  int64_t ms;
  Json err;
};

Timed RunFen(const std::string& tmp, const std::string& repo, std::vector<std::string> args) {
  int64_t t0 = MonotonicMs();
  pid_t p = fentest::SpawnFen(std::move(args), repo, {"SWAMP_LOCK_TIMEOUT_MS=500"}, tmp + "/out",
                              tmp + "/err");
  int rc = fentest::WaitFen(p);
  Timed t{rc, MonotonicMs() - t0, Json()};
  std::string err = ReadFileText(tmp + "/err");
  t.err = Json::parse(err, nullptr, false);
  return t;
}

// Holds a writer lock on `model` (or the structural lock when `model` is empty) until killed.
pid_t Hold(const RepoContext& ctx, const std::string& model, locktest::Signal& ready) {
  return locktest::ForkChild([&ctx, model, &ready] {
    auto mgr = NewFilesystemLockManager(Env::Default(), ctx);
    auto set = model.empty() ? mgr->AcquireStructural(LockRequest{"data gc", 5000, {}, {}})
                             : mgr->AcquireWriter({{"command/shell", model}},
                                                  LockRequest{"model method run", 5000, {}, {}});
    if (!set.ok()) return 1;
    ready.Notify();
    pause();
    return 0;
  });
}

TEST(LockTimeoutCliTest, WriterTimesOutWithExit75AndSwampsMessage) {
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  std::string id = fentest::WriteShellModel(repo, "held", "echo never");
  RepoContext ctx = locktest::MakeRepo(repo);
  locktest::Signal ready;
  pid_t holder = Hold(ctx, id, ready);
  ASSERT_EQ(ready.Wait(), 'x');
  Timed t = RunFen(tmp.path(), repo, {"model", "method", "run", "held", "execute", "--json"});
  kill(holder, SIGKILL);
  locktest::WaitChild(holder);
  std::printf("[ counts ] writer timeout: exit %d after %lld ms\n", t.rc,
              static_cast<long long>(t.ms));
  EXPECT_EQ(t.rc, 75) << t.err;
  EXPECT_EQ(t.err["code"], "lock_timeout") << t.err;
  std::string msg = t.err["error"].is_string() ? t.err["error"].get<std::string>() : "";
  std::string prefix =
      "Lock \"" + ctx.datastore_root + "/data/command/shell/" + id + "/.lock\" held by ";
  EXPECT_EQ(msg.rfind(prefix, 0), 0u) << msg;
  EXPECT_NE(msg.find("(pid " + std::to_string(holder) + ") — timed out after "), std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("namespace"), std::string::npos) << msg;
  EXPECT_GE(t.ms, 500);
  EXPECT_LT(t.ms, 500 + 1000);  // epsilon: process start-up on the loaded debug build
}

TEST(LockTimeoutCliTest, StructuralTimesOutWithExit75AndTheSoloHint) {
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  RepoContext ctx = locktest::MakeRepo(repo);
  locktest::Signal ready;
  pid_t holder = Hold(ctx, "", ready);
  ASSERT_EQ(ready.Wait(), 'x');
  Timed t = RunFen(tmp.path(), repo, {"data", "gc", "-y", "--json"});
  kill(holder, SIGKILL);
  locktest::WaitChild(holder);
  EXPECT_EQ(t.rc, 75) << t.err;
  EXPECT_EQ(t.err["code"], "lock_timeout") << t.err;
  std::string msg = t.err["error"].is_string() ? t.err["error"].get<std::string>() : "";
  EXPECT_EQ(msg.rfind("Lock \"" + ctx.datastore_root + "/.datastore.lock\" held by ", 0), 0u)
      << msg;
  EXPECT_NE(msg.find("swamp datastore namespace migrate --confirm"), std::string::npos) << msg;
  EXPECT_GE(t.ms, 500);
  EXPECT_LT(t.ms, 500 + 1000);
}

}  // namespace
}  // namespace fen::locking
