// Kernel lock behaviour of the filesystem LockManager with REAL processes (fork) and real OFD
// locks: shared/spec/locking.md §7.1 #1, #3, #5, #6, #13, #16, #19 and the writer/structural
// exclusion.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fen/base/json_text.h"
#include "fen/locking/filesystem_lock_manager.h"
#include "support/lock_test_util.h"

namespace fen::locking {
namespace {

using locktest::ForkChild;
using locktest::Signal;
using locktest::TempDir;
using locktest::WaitChild;
namespace fs = std::filesystem;

std::unique_ptr<LockManager> Manager(const RepoContext& repo) {
  FilesystemLockOptions o;
  o.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  return NewFilesystemLockManager(Env::Default(), repo, o);
}

LockRequest Req(int64_t timeout_ms = -1, std::string command = "test") {
  LockRequest r;
  r.command = std::move(command);
  r.timeout_ms = timeout_ms;
  return r;
}

std::vector<fs::path> Files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  return out;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A child that takes a writer lock on `models`, signals, and holds until killed or for hold_ms.
pid_t HoldWriter(const RepoContext& repo, std::vector<ModelRef> models, Signal& ready,
                 int hold_ms = 60000) {
  return ForkChild([&repo, models, &ready, hold_ms] {
    auto mgr = Manager(repo);
    auto set = mgr->AcquireWriter(models, Req(-1, "holder command"));
    if (!set.ok()) return 3;
    ready.Notify();
    usleep(static_cast<useconds_t>(hold_ms) * 1000);
    return 0;
  });
}

pid_t HoldStructural(const RepoContext& repo, Signal& ready, int hold_ms = 60000) {
  return ForkChild([&repo, &ready, hold_ms] {
    auto mgr = Manager(repo);
    auto set = mgr->AcquireStructural(Req(-1, "data gc"));
    if (!set.ok()) return 3;
    ready.Notify();
    usleep(static_cast<useconds_t>(hold_ms) * 1000);
    return 0;
  });
}

// #1: acquire, inspect, release.
TEST(LockKernelTest, AcquireInspectRelease) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  auto mgr = Manager(repo);
  std::string holders = repo.datastore_root + "/.fen/locks/_solo/holders";
  {
    auto set = mgr->AcquireWriter({{"command/shell", "m1"}}, Req(-1, "model method run x"));
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    auto files = Files(holders);
    ASSERT_EQ(files.size(), 2u);  // global (shared) + the model
    bool saw_model = false;
    for (const auto& f : files) {
      std::ifstream in(f);
      Json j = Json::parse(in);
      EXPECT_EQ(j["pid"], getpid());
      EXPECT_EQ(j["command"], "model method run x");
      EXPECT_FALSE(j.contains("ttlMs"));
      if (j.contains("lockScope")) {
        saw_model = true;
        EXPECT_EQ(j["lockScope"], "command/shell/m1");
        EXPECT_EQ(j["mode"], "exclusive");
      } else {
        EXPECT_EQ(j["mode"], "shared");
      }
    }
    EXPECT_TRUE(saw_model);
    // Another process cannot take the model now.
    pid_t c = ForkChild([&] {
      auto m = Manager(repo);
      return m->AcquireWriter({{"command/shell", "m1"}}, Req(100)).status().code() ==
                     ErrorCode::kLockTimeout
                 ? 0
                 : 1;
    });
    EXPECT_EQ(WaitChild(c), 0);
  }
  EXPECT_TRUE(Files(holders).empty());  // no stray info file
  // Lock targets are never deleted.
  EXPECT_TRUE(fs::exists(repo.datastore_root + "/.fen/locks/_solo/global"));
  EXPECT_TRUE(fs::exists(repo.datastore_root + "/.fen/locks/_solo/gate"));
  // Free again for another process.
  pid_t c = ForkChild([&] {
    return Manager(repo)->AcquireWriter({{"command/shell", "m1"}}, Req(100)).ok() ? 0 : 1;
  });
  EXPECT_EQ(WaitChild(c), 0);
}

// #3: timeout within 500 ms + epsilon, swamp's message shape with the holder.
TEST(LockKernelTest, ModelTimeoutMessageNamesHolder) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  Signal ready;
  pid_t holder = HoldWriter(repo, {{"command/shell", "m1"}}, ready);
  ASSERT_EQ(ready.Wait(), 'x');
  FilesystemLockOptions o;
  o.getenv = [](const std::string& n) -> std::optional<std::string> {
    if (n == "SWAMP_LOCK_TIMEOUT_MS") return std::string("500");
    return std::nullopt;
  };
  auto mgr = NewFilesystemLockManager(Env::Default(), repo, o);
  int64_t t0 = NowMs();
  auto r = mgr->AcquireWriter({{"command/shell", "m1"}}, Req());
  int64_t took = NowMs() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kLockTimeout);
  EXPECT_GE(took, 500);
  EXPECT_LT(took, 800);
  std::string prefix = "Lock \"" + repo.datastore_root + "/data/command/shell/m1/.lock\" held by ";
  EXPECT_EQ(r.status().message().rfind(prefix, 0), 0u) << r.status().message();
  EXPECT_NE(r.status().message().find("(pid " + std::to_string(holder) + ") — timed out after "),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().message().find("namespace"), std::string::npos);  // no hint for models
  kill(holder, SIGKILL);
  WaitChild(holder);
}

// #3 for the global key: solo gets the hint, namespaced does not.
TEST(LockKernelTest, StructuralTimeoutSoloHintOnly) {
  for (std::string ns : {"", "ns1"}) {
    TempDir tmp;
    RepoContext repo = locktest::MakeRepo(tmp.path(), ns);
    Signal ready;
    pid_t holder = HoldStructural(repo, ready);
    ASSERT_EQ(ready.Wait(), 'x');
    auto r = Manager(repo)->AcquireStructural(Req(300));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kLockTimeout);
    const std::string& msg = r.status().message();
    std::string key = ns.empty() ? repo.datastore_root + "/.datastore.lock"
                                 : repo.datastore_root + "/.locks/ns1.lock";
    EXPECT_EQ(msg.rfind("Lock \"" + key + "\" held by ", 0), 0u) << msg;
    EXPECT_NE(msg.find("(pid " + std::to_string(holder) + ")"), std::string::npos) << msg;
    std::string hint =
        "\n\nMultiple repos sharing this datastore serialize all writes behind a single global "
        "lock. To scope each repo to its own lock and index, run:\n  swamp datastore namespace "
        "set <name>\n  swamp datastore namespace migrate --confirm";
    if (ns.empty()) {
      EXPECT_EQ(msg.substr(msg.size() - hint.size()), hint);
    } else {
      EXPECT_EQ(msg.find("Multiple repos"), std::string::npos);
      EXPECT_TRUE(fs::exists(repo.datastore_root + "/.fen/locks/ns1/global"));
    }
    // A writer is excluded by the structural command too.
    auto w = Manager(repo)->AcquireWriter({{"t", "i"}}, Req(200));
    EXPECT_EQ(w.status().code(), ErrorCode::kLockTimeout);
    kill(holder, SIGKILL);
    WaitChild(holder);
  }
}

// I2: a structural command waits for a writer; writers share global; different models do not
// conflict.
TEST(LockKernelTest, WritersShareGlobalAndExcludeStructural) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  Signal ready;
  pid_t w = HoldWriter(repo, {{"t", "a"}}, ready);
  ASSERT_EQ(ready.Wait(), 'x');
  auto mgr = Manager(repo);
  {
    auto other = mgr->AcquireWriter({{"t", "b"}}, Req(200));
    EXPECT_TRUE(other.ok()) << other.status().ToString();
  }
  auto s = mgr->AcquireStructural(Req(300));
  ASSERT_EQ(s.status().code(), ErrorCode::kLockTimeout);
  EXPECT_NE(s.status().message().find("(pid " + std::to_string(w) + ")"), std::string::npos)
      << s.status().message();
  kill(w, SIGKILL);
  WaitChild(w);
  auto s2 = mgr->AcquireStructural(Req(300));
  EXPECT_TRUE(s2.ok()) << s2.status().ToString();
}

// #5: the holder is SIGKILLed: the waiter gets the lock at once, without any TTL.
TEST(LockKernelTest, KilledHolderReleasesImmediately) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  Signal ready;
  pid_t holder = HoldWriter(repo, {{"t", "m"}}, ready);
  ASSERT_EQ(ready.Wait(), 'x');
  Signal waiting, got;
  pid_t waiter = ForkChild([&] {
    waiting.Notify();
    auto set = Manager(repo)->AcquireWriter({{"t", "m"}}, Req(10000));
    if (!set.ok()) return 1;
    got.Notify();
    return 0;
  });
  ASSERT_EQ(waiting.Wait(), 'x');
  usleep(100 * 1000);  // let the waiter block in the kernel
  int64_t t0 = NowMs();
  kill(holder, SIGKILL);
  EXPECT_EQ(got.Wait(5000), 'x');
  int64_t handoff = NowMs() - t0;
  EXPECT_LT(handoff, 300);
  EXPECT_EQ(WaitChild(waiter), 0);
  WaitChild(holder);
}

// The gate: once a structural command waits, newly arriving writers queue behind it (C13).
TEST(LockKernelTest, GatePrefersWaitingStructural) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  Signal w1_ready;
  pid_t w1 = HoldWriter(repo, {{"t", "a"}}, w1_ready, 600);
  ASSERT_EQ(w1_ready.Wait(), 'x');
  Signal s_done;
  pid_t s = ForkChild([&] {
    auto set = Manager(repo)->AcquireStructural(Req(5000));
    if (!set.ok()) return 1;
    s_done.Notify('s');
    usleep(300 * 1000);
    return 0;
  });
  usleep(150 * 1000);  // S is now queued at global while holding the gate
  int64_t t0 = NowMs();
  auto w2 = Manager(repo)->AcquireWriter({{"t", "b"}}, Req(5000));
  int64_t took = NowMs() - t0;
  ASSERT_TRUE(w2.ok()) << w2.status().ToString();
  // W2 could only get in after S ran (W1 ~450 ms more + S 300 ms).
  EXPECT_EQ(s_done.Wait(0), 's');
  EXPECT_GE(took, 600);
  EXPECT_EQ(WaitChild(s), 0);
  EXPECT_EQ(WaitChild(w1), 0);
}

// Waiting blocks in the kernel: the waiter burns (almost) no CPU; the ~1 s notice names the
// holder.
TEST(LockKernelTest, WaiterUsesNoCpuAndNotices) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  Signal ready;
  pid_t holder = HoldWriter(repo, {{"t", "m"}}, ready, 1800);
  ASSERT_EQ(ready.Wait(), 'x');
  Signal noticed;
  pid_t waiter = ForkChild([&] {
    LockRequest req = Req(10000);
    int lines = 0;
    std::string first;
    req.notice = [&](std::string_view line) {
      if (lines++ == 0) first = std::string(line);
    };
    auto set = Manager(repo)->AcquireWriter({{"t", "m"}}, req);
    if (!set.ok()) return 1;
    std::string want = "Waiting for lock " + repo.datastore_root + "/data/t/m/.lock held by ";
    if (first.rfind(want, 0) != 0) return 2;
    if (first.find("(pid " + std::to_string(holder) + ", acquired ") == std::string::npos) return 3;
    return lines == 1 ? 0 : 4;
  });
  int64_t cpu_ms = -1;
  EXPECT_EQ(locktest::WaitChildCpu(waiter, &cpu_ms), 0);
  std::printf("waiter CPU over ~1.8 s of waiting: %lld ms\n", static_cast<long long>(cpu_ms));
  EXPECT_LT(cpu_ms, 100);
  EXPECT_EQ(WaitChild(holder), 0);
}

// A lock target that cannot be opened is an error, never "free" (I5).
TEST(LockKernelTest, UnopenableTargetIsLockUnavailable) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  fs::create_directories(repo.datastore_root + "/.fen/locks/_solo/global");  // a dir, not a file
  auto r = Manager(repo)->AcquireWriter({{"t", "m"}}, Req(200));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kLockUnavailable);
  EXPECT_NE(r.status().message().find("/.fen/locks/_solo/global"), std::string::npos);
  auto s = Manager(repo)->AcquireStructural(Req(200));
  EXPECT_EQ(s.status().code(), ErrorCode::kLockUnavailable);
}

// #16: two processes lock the same pair given in opposite orders under different locales:
// byte order makes the acquisition order identical, so there is never a deadlock.
TEST(LockKernelTest, ByteOrderPreventsDeadlock) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  auto worker = [&](std::vector<ModelRef> models, const char* locale) {
    return ForkChild([&repo, models, locale] {
      setenv("LC_ALL", locale, 1);
      auto mgr = Manager(repo);
      for (int i = 0; i < 100; ++i) {
        auto set = mgr->AcquireWriter(models, Req(5000));
        if (!set.ok()) return 1;
      }
      return 0;
    });
  };
  pid_t a = worker({{"aa", "x"}, {"b", "y"}}, "en_US.UTF-8");
  pid_t b = worker({{"b", "y"}, {"aa", "x"}, {"aa", "x"}}, "da_DK.UTF-8");
  EXPECT_EQ(WaitChild(a), 0);
  EXPECT_EQ(WaitChild(b), 0);
}

// #19: the model's data directory is removed concurrently: lock targets are unaffected.
TEST(LockKernelTest, DataDeletesDoNotAffectLocks) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  pid_t deleter = ForkChild([&] {
    for (int i = 0; i < 150; ++i) {
      std::error_code ec;
      fs::create_directories(repo.datastore_root + "/data/t/m/x", ec);
      fs::remove_all(repo.datastore_root + "/data", ec);
    }
    return 0;
  });
  auto mgr = Manager(repo);
  for (int i = 0; i < 40; ++i) {
    auto set = mgr->AcquireWriter({{"t", "m"}}, Req(2000));
    ASSERT_TRUE(set.ok()) << set.status().ToString();
  }
  EXPECT_EQ(WaitChild(deleter), 0);
}

}  // namespace
}  // namespace fen::locking

namespace fen::locking {
namespace {

// LockRequest::wait_warning receives the "Waiting for lock" line (a log warning in swamp), the
// other lines still go to notice.
TEST(LockKernelTest, WaitingLineGoesToWaitWarning) {
  locktest::TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  locktest::Signal ready;
  pid_t holder = locktest::ForkChild([&] {
    auto set = NewFilesystemLockManager(Env::Default(), repo)
                   ->AcquireWriter({{"t", "m"}}, LockRequest{"holder", 5000, {}, {}});
    if (!set.ok()) return 1;
    ready.Notify();
    usleep(1300 * 1000);
    return 0;
  });
  ASSERT_EQ(ready.Wait(), 'x');
  std::vector<std::string> notices, warnings;
  LockRequest req{"waiter", 5000, {}, {}};
  req.notice = [&](std::string_view l) { notices.emplace_back(l); };
  req.wait_warning = [&](std::string_view l) { warnings.emplace_back(l); };
  auto set = NewFilesystemLockManager(Env::Default(), repo)->AcquireWriter({{"t", "m"}}, req);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("Waiting for lock " + repo.datastore_root + "/data/t/m/.lock", 0),
            0u);
  EXPECT_TRUE(notices.empty());
  EXPECT_EQ(locktest::WaitChild(holder), 0);
}

}  // namespace
}  // namespace fen::locking

namespace fen::locking {
namespace {

char ProcState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() ? '?' : text[close + 2];
}

// #6: a live but stopped holder keeps its lock (no TTL, no takeover) and is not resumed by the
// waiter (swamp sends SIGCONT).
TEST(LockKernelTest, StoppedHolderKeepsLockAndStaysStopped) {
  locktest::TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  locktest::Signal ready;
  pid_t holder = locktest::ForkChild([&] {
    auto set = NewFilesystemLockManager(Env::Default(), repo)
                   ->AcquireWriter({{"t", "m"}}, LockRequest{"holder", 5000, {}, {}});
    if (!set.ok()) return 1;
    ready.Notify();
    pause();
    return 0;
  });
  ASSERT_EQ(ready.Wait(), 'x');
  kill(holder, SIGSTOP);
  usleep(50 * 1000);
  ASSERT_EQ(ProcState(holder), 'T');
  for (int i = 0; i < 2; ++i) {
    auto w = NewFilesystemLockManager(Env::Default(), repo)
                 ->AcquireWriter({{"t", "m"}}, LockRequest{"w", 400, {}, {}});
    EXPECT_EQ(w.status().code(), ErrorCode::kLockTimeout);
    auto s = NewFilesystemLockManager(Env::Default(), repo)
                 ->AcquireStructural(LockRequest{"s", 200, {}, {}});
    EXPECT_EQ(s.status().code(), ErrorCode::kLockTimeout);
  }
  EXPECT_EQ(ProcState(holder), 'T');  // never resumed
  kill(holder, SIGKILL);
  locktest::WaitChild(holder);
}

}  // namespace
}  // namespace fen::locking

namespace fen::locking {
namespace {

// #13: namespaced scopes are independent. Writers in ns2 and in the solo layout of the same
// datastore hold model t/i while a structural command runs in ns1: it waits for neither. Lock
// files: fen's under .fen/locks/{scope}/, swamp-format keys .locks/ns1.lock and
// {ns}/data/t/i/.lock. (The CLI defers namespaces, cli.md "Deferred or open"; the lock manager
// already scopes by RepoContext::ns.)
TEST(LockKernelTest, NamespacedStructuralWaitsForNoOtherScope) {
  TempDir tmp;
  RepoContext ns1 = locktest::MakeRepo(tmp.path(), "ns1");
  RepoContext ns2 = locktest::MakeRepo(tmp.path(), "ns2");
  RepoContext solo = locktest::MakeRepo(tmp.path());
  const std::string d = solo.datastore_root;
  Signal ready2, ready_solo;
  pid_t w2 = HoldWriter(ns2, {{"t", "i"}}, ready2, 5000);
  pid_t ws = HoldWriter(solo, {{"t", "i"}}, ready_solo, 5000);
  ASSERT_EQ(ready2.Wait(), 'x');
  ASSERT_EQ(ready_solo.Wait(), 'x');
  EXPECT_TRUE(fs::exists(d + "/ns2/data/t/i/.lock"));
  EXPECT_TRUE(fs::exists(d + "/data/t/i/.lock"));
  int64_t t0 = NowMs();
  {
    auto s = Manager(ns1)->AcquireStructural(Req(2000, "data gc"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_LT(NowMs() - t0, 500);
    EXPECT_TRUE(fs::exists(d + "/.fen/locks/ns1/global"));
    EXPECT_TRUE(fs::exists(d + "/.fen/locks/ns2/global"));
    EXPECT_TRUE(fs::exists(d + "/.fen/locks/_solo/global"));
    EXPECT_TRUE(fs::exists(d + "/.locks/ns1.lock"));
    EXPECT_FALSE(fs::exists(d + "/.datastore.lock"));
    // Within ns1 the structural command does exclude writers.
    pid_t w1 = ForkChild([&] {
      return Manager(ns1)->AcquireWriter({{"t", "i"}}, Req(200)).status().code() ==
                     ErrorCode::kLockTimeout
                 ? 0
                 : 1;
    });
    EXPECT_EQ(WaitChild(w1), 0);
  }
  EXPECT_FALSE(fs::exists(d + "/.locks/ns1.lock"));
  // And an ns1 writer on t/i is not blocked by the other scopes' holders of t/i.
  auto w = Manager(ns1)->AcquireWriter({{"t", "i"}}, Req(500));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_TRUE(fs::exists(d + "/ns1/data/t/i/.lock"));
  kill(w2, SIGKILL);
  kill(ws, SIGKILL);
  WaitChild(w2);
  WaitChild(ws);
}

}  // namespace
}  // namespace fen::locking
