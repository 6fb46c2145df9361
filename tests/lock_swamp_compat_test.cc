// Mixed fleets (shared/spec/locking.md §6.10, §7.1 #7-#9, §7.3 #42-#44): fen creates and honours
// swamp-format lock files. swamp itself is not available here, so its files are planted exactly
// as swamp writes them (§2.2) and its processes are stood in for by live/dead pids.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "env/fault_injection_env.h"
#include "fen/base/clock.h"
#include "fen/base/json_text.h"
#include "fen/locking/filesystem_lock_manager.h"
#include "fen/locking/lock_inspector.h"
#include "locking/holder_info.h"
#include "locking/swamp_lock_file.h"
#include "locking/swamp_protocol.h"
#include "support/lock_test_util.h"

namespace fen::locking {
namespace {

using locktest::ForkChild;
using locktest::TempDir;
using locktest::WaitChild;
namespace fs = std::filesystem;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<LockManager> Manager(const RepoContext& repo,
                                     std::map<std::string, std::string> env = {}) {
  FilesystemLockOptions o;
  o.getenv = [env](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return NewFilesystemLockManager(Env::Default(), repo, o);
}

LockRequest Req(int64_t timeout_ms) {
  LockRequest r;
  r.command = "test";
  r.timeout_ms = timeout_ms;
  return r;
}

void Plant(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::trunc) << content;
}

std::string SwampInfo(int64_t pid, const std::string& host, const std::string& nonce = "n1") {
  return SwampLockInfoText("alice@" + host, host, pid, NowIsoMillis(), nonce);
}

std::string Local() { return ProcessIdentity::Current().hostname; }

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(LockSwampCompatTest, WriterCreatesSwampModelFileWhileHolding) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  std::string file = repo.datastore_root + "/data/command/shell/m1/.lock";
  {
    auto set = Manager(repo)->AcquireWriter({{"command/shell", "m1"}}, Req(1000));
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    std::string text = Read(file);
    ASSERT_FALSE(text.empty());
    EXPECT_NE(text.back(), '\n');
    Json j = Json::parse(text);
    std::vector<std::string> keys;
    for (auto& [k, v] : j.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"holder", "hostname", "pid", "acquiredAt", "ttlMs",
                                              "nonce"}));
    EXPECT_EQ(j["pid"], getpid());
    EXPECT_EQ(j["ttlMs"], 30000);
    EXPECT_EQ(text.find("\n  \"holder\""), 1u);  // 2-space indent
    EXPECT_TRUE((*set)->CheckHeld().ok());
    bool exported = false;
    for (auto& [k, v] : (*set)->ChildEnvironment()) {
      if (k == "SWAMP_LOCK_HOLDER_PID") exported = v == std::to_string(getpid());
    }
    EXPECT_TRUE(exported);
    EXPECT_FALSE(fs::exists(repo.datastore_root + "/.datastore.lock"));  // writers: no global
  }
  EXPECT_FALSE(fs::exists(file));
  // No temp files are left behind in the model directory.
  EXPECT_TRUE(fs::is_empty(fs::path(file).parent_path()));
}

TEST(LockSwampCompatTest, StructuralCreatesSwampGlobalFile) {
  for (std::string ns : {"", "ns1"}) {
    TempDir tmp;
    RepoContext repo = locktest::MakeRepo(tmp.path(), ns);
    std::string file = ns.empty() ? repo.datastore_root + "/.datastore.lock"
                                  : repo.datastore_root + "/.locks/ns1.lock";
    {
      auto set = Manager(repo)->AcquireStructural(Req(1000));
      ASSERT_TRUE(set.ok()) << set.status().ToString();
      EXPECT_EQ(Json::parse(Read(file))["pid"], getpid());
    }
    EXPECT_FALSE(fs::exists(file));
  }
}

// §7.3 #41 (fen side): a live swamp structural command makes a fen writer wait.
TEST(LockSwampCompatTest, LiveSwampGlobalBlocksWriter) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  std::string global = repo.datastore_root + "/.datastore.lock";
  Plant(global, SwampInfo(getpid(), Local()));
  std::vector<std::string> notices;
  LockRequest req = Req(1300);
  req.notice = [&](std::string_view l) { notices.emplace_back(l); };
  auto r = Manager(repo)->AcquireWriter({{"t", "m"}}, req);
  ASSERT_EQ(r.status().code(), ErrorCode::kLockTimeout);
  EXPECT_EQ(r.status().message().rfind("Lock \"" + global + "\" held by alice@" + Local() +
                                           " (pid " + std::to_string(getpid()) + ") — timed out",
                                       0),
            0u)
      << r.status().message();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0], "Global lock held by alice@" + Local() +
                            " — waiting for structural command to finish...");
  // #7: a remote holder whose pid does not exist locally is not judged dead.
  Plant(global, SwampInfo(999999, "some-other-host"));
  EXPECT_EQ(Manager(repo)->AcquireWriter({{"t", "m"}}, Req(300)).status().code(),
            ErrorCode::kLockTimeout);
  // A dead local holder is reaped at once.
  Plant(global, SwampInfo(999999, Local()));
  auto ok = Manager(repo)->AcquireWriter({{"t", "m"}}, Req(300));
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_FALSE(fs::exists(global));
}

// #8 / #42: a zero-byte or corrupt swamp file is never free, but is reaped after the quarantine
// (ctime age >= FEN_LEGACY_STALE_MS); no signal is sent to pid <= 0.
TEST(LockSwampCompatTest, InvalidFilesQuarantinedThenReaped) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  std::string global = repo.datastore_root + "/.datastore.lock";
  std::string model = repo.datastore_root + "/data/command/shell/m1/.lock";
  for (std::string content :
       {std::string(), std::string("{\"holder\": \"x\", \"pi"), std::string("{\"pid\":-1}")}) {
    Plant(global, content);
    // Default quarantine (30 s): neither writers nor structural commands treat it as free.
    EXPECT_EQ(Manager(repo)->AcquireWriter({{"t", "m"}}, Req(200)).status().code(),
              ErrorCode::kLockTimeout);
    EXPECT_EQ(Manager(repo)->AcquireStructural(Req(200)).status().code(), ErrorCode::kLockTimeout);
    // With a 300 ms quarantine, the structural command reaps it and proceeds.
    int64_t t0 = NowMs();
    auto s = Manager(repo, {{"FEN_LEGACY_STALE_MS", "300"}})->AcquireStructural(Req(3000));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_LT(NowMs() - t0, 1500);
  }
  EXPECT_FALSE(fs::exists(global));
  // Model file: zero bytes and old enough -> reaped at once by the writer.
  Plant(model, "");
  usleep(150 * 1000);
  auto w = Manager(repo, {{"FEN_LEGACY_STALE_MS", "100"}})
               ->AcquireWriter({{"command/shell", "m1"}}, Req(2000));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_FALSE(Read(model).empty());  // now ours, never empty
}

// #9: an unreadable swamp lock file is never free; the timeout names the file and error.
TEST(LockSwampCompatTest, UnreadableFileIsNeverFree) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  std::string model = repo.datastore_root + "/data/t/m/.lock";
  fs::create_directories(model);  // reading a directory fails with EISDIR
  auto r = Manager(repo, {{"FEN_LEGACY_STALE_MS", "1"}})->AcquireWriter({{"t", "m"}}, Req(300));
  ASSERT_EQ(r.status().code(), ErrorCode::kLockTimeout);
  EXPECT_NE(r.status().message().find("Lock \"" + model + "\""), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("directory"), std::string::npos) << r.status().message();
  EXPECT_TRUE(fs::is_directory(model));  // never reaped
}

// §6.10.6 / #44: the swamp-format file is force-released or taken over: CheckHeld reports it.
TEST(LockSwampCompatTest, LossIsDetectedBeforeCommit) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  std::string model = repo.datastore_root + "/data/t/m/.lock";
  auto set = Manager(repo)->AcquireWriter({{"t", "m"}}, Req(1000));
  ASSERT_TRUE(set.ok());
  ASSERT_TRUE((*set)->CheckHeld().ok());
  fs::remove(model);
  Status lost = (*set)->CheckHeld();
  EXPECT_EQ(lost.code(), ErrorCode::kLockLost);
  EXPECT_EQ(lost.message(), "Lock \"" + model +
                                "\" was removed or taken over while this command held it; stopped "
                                "before committing further changes.");
  Plant(model, SwampInfo(4242, "h2", "theirs"));
  lost = (*set)->CheckHeld();
  EXPECT_EQ(lost.message(), "Lock \"" + model +
                                "\" was removed or taken over by alice@h2 (pid 4242) while this "
                                "command held it; stopped before committing further changes.");
  set = Status(ErrorCode::kInternalError, "released");
  EXPECT_TRUE(fs::exists(model));  // release never deletes another holder's file (#2)
}

// §6.10.4: reaping never deletes a file other than the one classified.
TEST(LockSwampCompatTest, ReapChecksIdentity) {
  TempDir tmp;
  std::string path = tmp.path() + "/x.lock";
  Plant(path, "old");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  uint64_t dev = st.st_dev, ino = st.st_ino;
  // Replaced between classification and reaping (the old inode stays alive elsewhere so that
  // the replacement cannot reuse its number).
  fs::rename(path, tmp.path() + "/keep");
  Plant(tmp.path() + "/other", "new");
  fs::rename(tmp.path() + "/other", path);
  auto r = ReapSwampFile(Env::Default(), path, dev, ino);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, ReapOutcome::kChanged);
  EXPECT_EQ(Read(path), "new");
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  r = ReapSwampFile(Env::Default(), path, st.st_dev, st.st_ino);
  EXPECT_EQ(*r, ReapOutcome::kReaped);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(*ReapSwampFile(Env::Default(), path, 0, 0), ReapOutcome::kGone);
  fs::remove(tmp.path() + "/keep");
  for (auto& e : fs::directory_iterator(tmp.path())) ADD_FAILURE() << "leftover " << e.path();
}

// The swamp drain: a structural command waits for a live swamp writer in its own scope only,
// and skips the lock of a local SWAMP_LOCK_HOLDER_PID parent (#13, §6.10.7).
TEST(LockSwampCompatTest, StructuralDrainsSwampWritersOfItsScope) {
  TempDir tmp;
  RepoContext solo = locktest::MakeRepo(tmp.path());
  RepoContext ns1 = locktest::MakeRepo(tmp.path(), "ns1");
  std::string solo_lock = solo.datastore_root + "/data/@org/name/m1/.lock";
  Plant(solo_lock, SwampInfo(getpid(), Local()));
  // A version directory is skipped by the scan (and costs nothing).
  Plant(solo.datastore_root + "/data/t/m/d/latest", "1");
  Plant(solo.datastore_root + "/data/t/m/d/1/.lock", SwampInfo(getpid(), Local()));
  auto scan = ScanSwampModelLocks(Env::Default(), solo.datastore_root + "/data");
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(*scan, std::vector<std::string>{solo_lock});
  std::vector<std::string> notices;
  LockRequest req = Req(1300);
  req.notice = [&](std::string_view l) { notices.emplace_back(l); };
  auto r = Manager(solo)->AcquireStructural(req);
  EXPECT_EQ(r.status().code(), ErrorCode::kLockTimeout);
  EXPECT_EQ(notices, std::vector<std::string>{"Waiting for 1 per-model lock(s) to be released..."});
  EXPECT_FALSE(fs::exists(solo.datastore_root + "/.datastore.lock"));  // ours was removed
  // Namespaced scope ignores the solo layout.
  auto n = Manager(ns1)->AcquireStructural(Req(500));
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  n = Status(ErrorCode::kInternalError, "released");
  // A child of that swamp writer (SWAMP_LOCK_HOLDER_PID = its pid, same host) is not blocked.
  auto c = Manager(solo, {{"SWAMP_LOCK_HOLDER_PID", std::to_string(getpid())}})
               ->AcquireStructural(Req(500));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
}

}  // namespace
}  // namespace fen::locking

namespace fen::locking {
namespace {

// A manager without environment overrides whose heartbeat renews every 100 ms.
std::unique_ptr<LockManager> FastHeartbeatManager(const RepoContext& repo) {
  FilesystemLockOptions o;
  o.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  o.heartbeat_ms = 100;
  return NewFilesystemLockManager(Env::Default(), repo, o);
}

// §6.10.1: the heartbeat replaces the file atomically (new inode, same nonce, new acquiredAt);
// a takeover is reported by CheckHeld.
TEST(LockSwampCompatTest, HeartbeatRewritesByRenameAndSeesTakeover) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  auto set = FastHeartbeatManager(repo)->AcquireWriter({{"t", "m"}}, Req(1000));
  ASSERT_TRUE(set.ok());
  std::string file = repo.datastore_root + "/data/t/m/.lock";
  int original = open(file.c_str(), O_RDONLY | O_CLOEXEC);  // pins the original inode
  ASSERT_GE(original, 0);
  Json j0 = Json::parse(Read(file));
  usleep(350 * 1000);
  struct stat st1;
  ASSERT_EQ(fstat(original, &st1), 0);
  close(original);
  Json j1 = Json::parse(Read(file));
  EXPECT_EQ(st1.st_nlink, 0u);  // replaced by rename, never rewritten in place
  EXPECT_EQ(j0["nonce"], j1["nonce"]);
  EXPECT_NE(j0["acquiredAt"], j1["acquiredAt"]);
  EXPECT_TRUE((*set)->CheckHeld().ok());
  // A swamp process takes the file over; the heartbeat must not overwrite it.
  std::string theirs = SwampLockInfoText("mallory@h9", "h9", 77, NowIsoMillis(), "theirs");
  Plant(file + ".x", theirs);
  fs::rename(file + ".x", file);
  usleep(300 * 1000);
  EXPECT_EQ(Read(file), theirs);
  EXPECT_EQ((*set)->CheckHeld().code(), ErrorCode::kLockLost);
}

size_t ThreadCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// A joined thread leaves /proc/self/task a moment after pthread_join returns.
size_t ThreadCountSettlingAt(size_t expected) {
  const int64_t deadline = NowMs() + 2000;
  size_t n = ThreadCount();
  while (n != expected && NowMs() < deadline) {
    usleep(1000);
    n = ThreadCount();
  }
  return n;
}

// docs/design/locking.md §7a: a keeps_alive hold creates no heartbeat thread until it has
// lasted kDeferredHeartbeatMs (or the owner announces a long step); KeepAlive (or CheckHeld)
// then starts it, and the first renewal is due one period after the file was written, not one
// period after the late start.
TEST(LockSwampCompatTest, DeferredHeartbeatStartsOnlyOnceTheHoldOutlastsTheDelay) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  auto manager = FastHeartbeatManager(repo);
  LockRequest req = Req(1000);
  req.keeps_alive = true;
  // ThreadSanitizer's runtime starts a helper thread with the process's first thread: let that
  // happen before counting.
  std::thread([] {}).join();
  size_t before = ThreadCount();
  for (int i = 0; i < 20; ++i) {  // until the joined thread has left /proc/self/task
    usleep(5 * 1000);
    before = std::min(before, ThreadCount());
  }
  std::string file = repo.datastore_root + "/data/t/m/.lock";
  {
    // A short hold: kept alive and checked, released before the delay; never a thread.
    auto set = manager->AcquireWriter({{"t", "m"}}, req);
    ASSERT_TRUE(set.ok());
    (*set)->KeepAlive();
    EXPECT_TRUE((*set)->CheckHeld().ok());
    EXPECT_EQ(ThreadCount(), before);
  }
  EXPECT_FALSE(fs::exists(file));
  {
    // A long step ahead starts the thread at once, however young the hold.
    auto set = manager->AcquireWriter({{"t", "m"}}, req);
    ASSERT_TRUE(set.ok());
    (*set)->KeepAlive(/*long_step=*/true);
    EXPECT_EQ(ThreadCount(), before + 1);
  }
  EXPECT_EQ(ThreadCountSettlingAt(before), before);
  auto set = manager->AcquireWriter({{"t", "m"}}, req);
  ASSERT_TRUE(set.ok());
  const int64_t t0 = NowMs();  // the file was written before this
  std::string written = Read(file);
  // Three periods without KeepAlive: nothing renews the file yet (the owner promised to call).
  usleep(300 * 1000);
  EXPECT_EQ(ThreadCount(), before);
  EXPECT_EQ(Read(file), written);
  while (NowMs() - t0 < kDeferredHeartbeatMs + 20) usleep(10 * 1000);
  (*set)->KeepAlive();
  EXPECT_EQ(ThreadCount(), before + 1);
  // Overdue since the file was written: the first renewal follows at once.
  int64_t deadline = NowMs() + 2000;
  while (Read(file) == written && NowMs() < deadline) usleep(5 * 1000);
  Json j0 = Json::parse(written);
  Json j1 = Json::parse(Read(file));
  EXPECT_EQ(j0["nonce"], j1["nonce"]);
  EXPECT_NE(j0["acquiredAt"], j1["acquiredAt"]);
  EXPECT_TRUE((*set)->CheckHeld().ok());
  set->reset();
  EXPECT_EQ(ThreadCountSettlingAt(before), before);
  EXPECT_FALSE(fs::exists(file));
}

// §7.3 #43 while a fen writer waits on the corrupt file: breakglass unblocks it.
TEST(LockSwampCompatTest, BreakglassUnblocksAWaitingFenWriter) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  std::string file = repo.datastore_root + "/data/command/shell/abc/.lock";
  Plant(file, "");
  locktest::Signal done;
  pid_t waiter = ForkChild([&] {
    auto set = Manager(repo)->AcquireWriter({{"command/shell", "abc"}}, Req(10000));
    return set.ok() ? 0 : 1;
  });
  usleep(400 * 1000);  // the waiter holds the kernel locks and polls the corrupt file
  auto r = ForceReleaseLock(Env::Default(), repo, ModelRef{"command/shell", "abc"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ToCompactJson(*r), R"({"released":true,"previousHolder":null})");
  int64_t t0 = NowMs();
  EXPECT_EQ(WaitChild(waiter), 0);
  EXPECT_LT(NowMs() - t0, 2000);
}

}  // namespace
}  // namespace fen::locking

namespace fen::locking {
namespace {

// §7.2 #28 (torn-read fuzz): a swamp process (stood in for by a child with a live pid) rewrites
// its global lock file in place at a high rate, swamp's truncate-then-write (C6), so readers see
// empty and partial files. A fen writer and a fen structural command never proceed while it
// holds the file; after it deletes the file they do.
TEST(LockSwampCompatTest, TornReadsOfALiveSwampFileNeverCountAsFree) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  std::string global = repo.datastore_root + "/.datastore.lock";
  locktest::Signal stop;
  std::string body = SwampInfo(getpid(), Local(), "rewriting");
  Plant(global, body);
  pid_t rewriter = ForkChild([&] {
    int64_t rewrites = 0;
    while (stop.Wait(0) != 'x') {
      int fd = open(global.c_str(), O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) return 1;
      // Two writes with a pause between: readers can see 0 bytes, half a file, or all of it.
      size_t half = body.size() / 2;
      (void)!write(fd, body.data(), half);
      usleep(50);
      (void)!write(fd, body.data() + half, body.size() - half);
      close(fd);
      ++rewrites;
    }
    unlink(global.c_str());
    return rewrites > 100 ? 0 : 2;
  });
  int attempts = 0;
  for (int64_t until = NowMs() + 2000; NowMs() < until; ++attempts) {
    auto w = Manager(repo)->AcquireWriter({{"t", "m"}}, Req(150));
    ASSERT_EQ(w.status().code(), ErrorCode::kLockTimeout)
        << "writer proceeded: attempt " << attempts;
    auto s = Manager(repo)->AcquireStructural(Req(150));
    ASSERT_EQ(s.status().code(), ErrorCode::kLockTimeout)
        << "structural proceeded: attempt " << attempts;
  }
  stop.Notify();
  EXPECT_EQ(WaitChild(rewriter), 0);
  std::printf("[ counts ] %d writer+structural attempts against a torn file, none proceeded\n",
              attempts);
  auto w = Manager(repo)->AcquireWriter({{"t", "m"}}, Req(2000));
  EXPECT_TRUE(w.ok()) << w.status().ToString();
}

}  // namespace
}  // namespace fen::locking

namespace fen::locking {
namespace {

// Every swamp-format lock file (".lock", ".datastore.lock", ".locks/*.lock") under `root`.
std::vector<std::string> SwampLockFiles(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file() && name.size() >= 5 && name.compare(name.size() - 5, 5, ".lock") == 0)
      out.push_back(it->path().string());
  }
  return out;
}

// §7.3 #45: a fen process dies (FaultInjectionEnv::ExitAt: _exit, no cleanup, like SIGKILL) at
// every mutating file-system step of a writer's and then a structural command's acquisition and
// release. After each death: no zero-byte or unparseable swamp-format file exists; any file
// left names the dead process on this host, so swamp takes it over at its first retry; and the
// next fen writer and structural command proceed at once.
TEST(LockSwampCompatTest, DeathAtEveryStepLeavesNoZeroByteFileAndNoWait) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  int steps = 0;
  int leftovers = 0;
  for (int n = 1; n < 200; ++n) {
    SCOPED_TRACE("exit at mutating step " + std::to_string(n));
    pid_t child = ForkChild([&] {
      FaultInjectionEnv env(Env::Default());
      env.ExitAt(n, 77);
      FilesystemLockOptions o;
      o.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
      auto mgr = NewFilesystemLockManager(&env, repo, o);
      {
        auto w = mgr->AcquireWriter({{"command/shell", "m1"}, {"t", "m2"}}, Req(2000));
        if (!w.ok()) return 1;
      }
      {
        auto s = mgr->AcquireStructural(Req(2000));
        if (!s.ok()) return 2;
      }
      return 0;
    });
    int rc = WaitChild(child);
    ASSERT_TRUE(rc == 0 || rc == 77) << rc;
    for (const std::string& f : SwampLockFiles(repo.datastore_root)) {
      ++leftovers;
      std::string text = Read(f);
      ASSERT_FALSE(text.empty()) << "zero-byte " << f;
      auto info = ParseSwampLockInfo(text);
      ASSERT_TRUE(info.has_value()) << f << ": " << text;
      EXPECT_EQ(info->pid, child) << f;
      EXPECT_EQ(info->hostname, Local()) << f;
    }
    int64_t t0 = NowMs();
    {
      auto w = Manager(repo)->AcquireWriter({{"command/shell", "m1"}, {"t", "m2"}}, Req(1000));
      ASSERT_TRUE(w.ok()) << w.status().ToString();
    }
    auto s = Manager(repo)->AcquireStructural(Req(1000));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_LT(NowMs() - t0, 500) << "waited for a dead process's file";
    s = Status(ErrorCode::kInternalError, "released");
    EXPECT_TRUE(SwampLockFiles(repo.datastore_root).empty());
    if (rc == 0) break;
    steps = n;
  }
  std::printf(
      "[ counts ] died at each of %d steps; %d swamp-format files left by the dead, all "
      "parseable\n",
      steps, leftovers);
  EXPECT_GT(steps, 5);
}

}  // namespace
}  // namespace fen::locking

namespace fen::locking {
namespace {

// §7.2 #31 (clock skew), without libfaketime (not installed): the holder's clock only shows in
// the acquiredAt it writes, so holders 45 s ahead of and behind this host are planted. fen
// judges age by the file's ctime on this file system, never by acquiredAt: a live holder is not
// taken over whatever its clock says, and a crashed one is recovered at once (no TTL wait).
TEST(LockSwampCompatTest, HolderClockSkewNeitherStealsNorDelaysRecovery) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  std::string model = repo.datastore_root + "/data/t/m/.lock";
  for (int64_t skew_ms : {int64_t{45000}, int64_t{-45000}}) {
    SCOPED_TRACE(skew_ms);
    std::string at = FormatIsoMillis(NowWall() + std::chrono::milliseconds(skew_ms));
    std::string live = SwampLockInfoText("alice@" + Local(), Local(), getpid(), at, "live");
    Plant(model, live);
    EXPECT_EQ(Manager(repo)->AcquireWriter({{"t", "m"}}, Req(600)).status().code(),
              ErrorCode::kLockTimeout);
    EXPECT_EQ(Read(model), live);  // untouched
    Plant(model, SwampLockInfoText("alice@" + Local(), Local(), 999999, at, "crashed"));
    int64_t t0 = NowMs();
    auto w = Manager(repo)->AcquireWriter({{"t", "m"}}, Req(5000));
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_LT(NowMs() - t0, 300);
    EXPECT_NE(Json::parse(Read(model))["nonce"], "crashed");
  }
}

}  // namespace
}  // namespace fen::locking
