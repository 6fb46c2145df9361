// shared/spec/locking.md §7.1 #17 and §6.8: SIGINT or SIGTERM to a real `fen model method run`
// whose shell step is in progress. The step keeps writing output for 300 ms after the signal (a
// TERM trap); fen must wait for it, record the cancelled run, and only then release its locks.
// A second process waiting for the same model lock snapshots the repository (every file's size
// and mtime) the instant it gets the lock; after fen has exited nothing may differ: no datastore
// write after the lock release (swamp violates this).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fen/base/json_text.h"
#include "fen/locking/filesystem_lock_manager.h"
#include "models/model_test_util.h"
#include "support/fen_process.h"
#include "support/lock_test_util.h"

namespace fen::locking {
namespace {

using fentest::MonotonicMs;
using fentest::ReadFileText;
namespace fs = std::filesystem;

// "path size mtime_ns" of every regular file under `repo`, sorted, except lock bookkeeping:
// fen's lock directory and swamp-format lock files (the waiter creates its own).
std::string Snapshot(const std::string& repo) {
  std::vector<std::string> lines;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(repo, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string p = it->path().string();
    const std::string name = it->path().filename().string();
    if (p.find("/.fen/locks") != std::string::npos || name == ".lock" ||
        name == ".datastore.lock" || name.rfind(".fen-legacy-", 0) == 0) {
      continue;
    }
    struct stat st;
    if (lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    lines.push_back(p.substr(repo.size()) + " " + std::to_string(st.st_size) + " " +
                    std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

void RunScenario(int sig) {
  SCOPED_TRACE(strsignal(sig));
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  std::string marker = tmp.path() + "/started";
  std::string id = fentest::WriteShellModel(
      repo, "stubborn",
      "trap 'echo term; sleep 0.3; echo bye; exit 3' TERM; echo started > " + marker +
          "; while true; do echo tick; sleep 0.02; done");
  pid_t run = fentest::SpawnFen({"model", "method", "run", "stubborn", "execute", "--json"}, repo,
                                {}, tmp.path() + "/out", tmp.path() + "/err");
  for (int64_t until = MonotonicMs() + 20000; !fs::exists(marker) && MonotonicMs() < until;) {
    usleep(5 * 1000);
  }
  ASSERT_TRUE(fs::exists(marker)) << ReadFileText(tmp.path() + "/err");

  RepoContext ctx = locktest::MakeRepo(repo);
  std::string snap_path = tmp.path() + "/snapshot";
  locktest::Signal waiting;
  pid_t waiter = locktest::ForkChild([&] {
    auto mgr = NewFilesystemLockManager(Env::Default(), ctx);
    waiting.Notify();
    auto set = mgr->AcquireWriter({{"command/shell", id}}, LockRequest{"waiter", 20000, {}, {}});
    if (!set.ok()) return 1;
    std::string snap = Snapshot(repo);  // first thing under the lock
    std::ofstream(snap_path) << snap;
    return 0;
  });
  ASSERT_EQ(waiting.Wait(), 'x');
  usleep(200 * 1000);  // the waiter is blocked in the kernel on the model lock
  int64_t t0 = MonotonicMs();
  kill(run, sig);
  int rc = fentest::WaitFen(run);
  int64_t took = MonotonicMs() - t0;
  ASSERT_EQ(locktest::WaitChild(waiter), 0);
  std::string err = ReadFileText(tmp.path() + "/err");
  std::printf("[ counts ] %s: fen exited %d after %lld ms\n", strsignal(sig), rc,
              static_cast<long long>(took));
  EXPECT_EQ(rc, 1) << err;
  EXPECT_EQ(Json::parse(err)["code"], "cancelled") << err;
  EXPECT_GE(took, 300) << "fen did not wait for the step's trap";
  // The datastore as the next lock holder first saw it is the final state.
  std::string at_release = ReadFileText(snap_path);
  std::string now = Snapshot(repo);
  EXPECT_EQ(at_release, now) << "written after the lock was released";
  // The cancelled run was recorded (while the lock was held: it is in the snapshot).
  EXPECT_NE(at_release.find("/.swamp/outputs/command/shell/execute/" + id), std::string::npos)
      << at_release;
}

TEST(LockSignalReleaseTest, SigintReleasesLocksOnlyAfterTheStepStopped) { RunScenario(SIGINT); }

TEST(LockSignalReleaseTest, SigtermReleasesLocksOnlyAfterTheStepStopped) { RunScenario(SIGTERM); }

}  // namespace
}  // namespace fen::locking
