// Nested fen processes (shared/spec/locking.md §6.6, §7.1 #20/#21) with real process trees:
// a holder process exports LockSet::ChildEnvironment() and forks a child that calls the real
// LockManager.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include "fen/locking/filesystem_lock_manager.h"
#include "support/lock_test_util.h"

namespace fen::locking {
namespace {

using locktest::ForkChild;
using locktest::Signal;
using locktest::TempDir;
using locktest::WaitChild;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

LockRequest Req(int64_t timeout_ms, std::string command) {
  LockRequest r;
  r.command = std::move(command);
  r.timeout_ms = timeout_ms;
  return r;
}

// Runs `child` in a grandchild whose parent holds a writer lock on t/a and exported its
// ChildEnvironment. Returns the grandchild's exit code.
int UnderWriterParent(const RepoContext& repo, const std::function<int()>& child) {
  pid_t parent = ForkChild([&] {
    auto mgr = NewFilesystemLockManager(Env::Default(), repo);
    auto set = mgr->AcquireWriter({{"t", "a"}}, Req(5000, "model method run a run"));
    if (!set.ok()) return 90;
    for (const auto& [k, v] : (*set)->ChildEnvironment()) setenv(k.c_str(), v.c_str(), 1);
    if (std::getenv("SWAMP_LOCK_HOLDER_PID") == nullptr) return 91;
    pid_t g = ForkChild(child);
    return WaitChild(g);
  });
  return WaitChild(parent);
}

// #20: a structural child of a writer fails fast with lock_nested_structural.
TEST(LockNestedTest, StructuralChildFailsFast) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  int rc = UnderWriterParent(repo, [&] {
    int64_t t0 = NowMs();
    auto r = NewFilesystemLockManager(Env::Default(), repo)->AcquireStructural(Req(5000, "gc"));
    if (r.ok() || r.status().code() != ErrorCode::kLockNestedStructural) return 1;
    std::string want = "Cannot run a structural command inside \"model method run a run\" (pid " +
                       std::to_string(getppid()) +
                       "), which holds the datastore lock for writing; run it outside that "
                       "command.";
    if (r.status().message() != want) return 2;
    return NowMs() - t0 < 1000 ? 0 : 3;
  });
  EXPECT_EQ(rc, 0);
}

// #21: a writer child on the parent's model fails fast with lock_nested_same_model.
TEST(LockNestedTest, SameModelChildFailsFast) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  int rc = UnderWriterParent(repo, [&] {
    auto r = NewFilesystemLockManager(Env::Default(), repo)
                 ->AcquireWriter({{"t", "b"}, {"t", "a"}}, Req(5000, "child"));
    if (r.ok() || r.status().code() != ErrorCode::kLockNestedSameModel) return 1;
    std::string want =
        "Cannot lock model t/a: it is held by the parent command \"model method run "
        "a run\" (pid " +
        std::to_string(getppid()) + ").";
    return r.status().message() == want ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

// A writer child on another model proceeds even while a structural command is queued at the
// gate waiting for the parent (it must not take the gate; shared is granted while an exclusive
// request waits): no deadlock.
//
// The child is forked before the parent takes its lock and receives the parent's
// ChildEnvironment through a pipe: a held lock with swamp-compatible lock files runs a
// heartbeat thread (locking/legacy_hold.h), and a process forked from a multi-threaded one may
// only call async-signal-safe functions until it execs (POSIX; ThreadSanitizer aborts when such
// a child starts a thread, as the child's own lock does). Real nested fen processes exec.
TEST(LockNestedTest, OtherModelChildBypassesQueuedStructural) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  Signal held, go;
  pid_t parent = ForkChild([&] {
    int env_pipe[2];
    if (pipe(env_pipe) != 0) return 92;
    pid_t g = ForkChild([&] {
      close(env_pipe[1]);
      std::string text;
      char buf[4096];
      ssize_t n;
      while ((n = read(env_pipe[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
      // NUL-separated key, value pairs.
      for (size_t pos = 0; pos < text.size();) {
        size_t key_end = text.find('\0', pos);
        size_t value_end = text.find('\0', key_end + 1);
        if (key_end == std::string::npos || value_end == std::string::npos) return 94;
        setenv(text.substr(pos, key_end - pos).c_str(),
               text.substr(key_end + 1, value_end - key_end - 1).c_str(), 1);
        pos = value_end + 1;
      }
      if (std::getenv("SWAMP_LOCK_HOLDER_PID") == nullptr) return 93;
      auto r = NewFilesystemLockManager(Env::Default(), repo)
                   ->AcquireWriter({{"t", "b"}}, Req(2000, "child"));
      return r.ok() ? 0 : 1;
    });
    close(env_pipe[0]);
    auto mgr = NewFilesystemLockManager(Env::Default(), repo);
    auto set = mgr->AcquireWriter({{"t", "a"}}, Req(5000, "workflow run"));
    if (!set.ok()) return 90;
    held.Notify();
    if (go.Wait() != 'x') return 91;
    std::string text;
    for (const auto& [k, v] : (*set)->ChildEnvironment()) {
      text += k;
      text += '\0';
      text += v;
      text += '\0';
    }
    if (write(env_pipe[1], text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      return 95;
    }
    close(env_pipe[1]);
    return WaitChild(g);
  });
  ASSERT_EQ(held.Wait(), 'x');
  pid_t s = ForkChild([&] {
    auto set = NewFilesystemLockManager(Env::Default(), repo)->AcquireStructural(Req(10000, "gc"));
    return set.ok() ? 0 : 1;
  });
  usleep(300 * 1000);  // S now holds the gate and waits for global
  go.Notify();
  EXPECT_EQ(WaitChild(parent), 0);
  EXPECT_EQ(WaitChild(s), 0);
}

// An inherited context that does not name an ancestor is ignored (no spurious failure).
TEST(LockNestedTest, UntrustedContextIgnored) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  Signal ready, done;
  std::string ctx;
  pid_t sibling = ForkChild([&] {
    auto mgr = NewFilesystemLockManager(Env::Default(), repo);
    auto set = mgr->AcquireWriter({{"t", "a"}}, Req(5000, "sibling"));
    if (!set.ok()) return 1;
    ready.Notify();
    done.Wait(10000);
    return 0;
  });
  ASSERT_EQ(ready.Wait(), 'x');
  pid_t probe = ForkChild([&] {
    // A context naming the sibling: same boot, pid namespace and datastore, alive, holding
    // t/b... but not our ancestor.
    std::ifstream boot("/proc/sys/kernel/random/boot_id");
    std::string boot_id;
    boot >> boot_id;
    struct stat st;
    stat("/proc/self/ns/pid", &st);
    std::string v = "[{\"pid\":" + std::to_string(sibling) + ",\"bootId\":\"" + boot_id +
                    "\",\"pidNamespace\":" + std::to_string(st.st_ino) + ",\"datastore\":\"" +
                    repo.datastore_root +
                    "\",\"scope\":\"_solo\",\"global\":\"shared\",\"models\":[\"t/b\"],"
                    "\"command\":\"c\"}]";
    setenv("FEN_LOCK_CONTEXT", v.c_str(), 1);
    auto r = NewFilesystemLockManager(Env::Default(), repo)
                 ->AcquireWriter({{"t", "b"}}, Req(2000, "probe"));
    return r.ok() ? 0 : 1;
  });
  EXPECT_EQ(WaitChild(probe), 0);
  done.Notify();
  EXPECT_EQ(WaitChild(sibling), 0);
}

}  // namespace
}  // namespace fen::locking
