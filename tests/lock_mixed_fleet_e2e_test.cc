// Mixed fleets with real `fen model method run` processes (shared/spec/locking.md §7.3 #40,
// #42). swamp is not installed here, so a swamp holder is stood in for by the file swamp writes
// (§2.2) naming a live local process; its release is the file's deletion, as in swamp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fen/base/clock.h"
#include "locking/holder_info.h"
#include "locking/swamp_lock_file.h"
#include "models/model_test_util.h"
#include "support/fen_process.h"

namespace fen::locking {
namespace {

using fentest::MonotonicMs;
using fentest::ReadFileText;
using fentest::RealtimeNs;
namespace fs = std::filesystem;

struct Fixture {
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  std::string started = tmp.path() + "/started";
  std::string id = fentest::WriteShellModel(repo, "shared", "date +%s%N > " + started);
  std::string lock_file = repo + "/.swamp/data/command/shell/" + id + "/.lock";

  pid_t Run(const std::vector<std::string>& env) {
    fs::remove(started);
    return fentest::SpawnFen({"model", "method", "run", "shared", "execute", "--json"}, repo, env,
                             tmp.path() + "/out", tmp.path() + "/err");
  }
  std::string Err() { return ReadFileText(tmp.path() + "/err"); }
  int64_t StartedNs() { return std::stoll(ReadFileText(started)); }
};

void Plant(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path + ".tmp", std::ios::trunc) << content;
  fs::rename(path + ".tmp", path);
}

// #40: swamp holds M (live local pid); fen waits, then runs within 500 ms of swamp's release.
TEST(LockMixedFleetE2eTest, FenRunsWithin500msOfSwampsRelease) {
  Fixture f;
  const std::string host = ProcessIdentity::Current().hostname;
  int64_t worst = 0;
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(round);
    Plant(f.lock_file, SwampLockInfoText("swampuser@" + host, host, getpid(), NowIsoMillis(),
                                         "swamp-nonce-" + std::to_string(round)));
    pid_t run = f.Run({"SWAMP_LOCK_TIMEOUT_MS=20000"});
    usleep((1200 + 170 * round) * 1000);  // release at different phases of fen's polling
    int code = 0;
    ASSERT_FALSE(fentest::FenExited(run, &code)) << "ran while swamp held the model: " << f.Err();
    ASSERT_FALSE(fs::exists(f.started));
    int64_t released = RealtimeNs();
    fs::remove(f.lock_file);
    ASSERT_EQ(fentest::WaitFen(run), 0) << f.Err();
    int64_t delay_ms = (f.StartedNs() - released) / 1000000;
    worst = std::max(worst, delay_ms);
    EXPECT_LT(delay_ms, 500) << "fen's body started " << delay_ms << " ms after the release";
    EXPECT_FALSE(fs::exists(f.lock_file));  // fen removed its own file, nothing else
  }
  std::printf("[ counts ] worst start after swamp's release: %lld ms\n",
              static_cast<long long>(worst));
}

// #42: a zero-byte swamp-format model lock file. Fresh: fen waits for the quarantine
// (FEN_LEGACY_STALE_MS, 30 s by default; 1.5 s here), then reaps it and runs. Old: reaped at
// once. Either way no zero-byte file remains, so swamp can run on the model afterwards.
TEST(LockMixedFleetE2eTest, ZeroByteModelLockIsReapedAfterTheQuarantine) {
  Fixture f;
  const std::vector<std::string> env = {"SWAMP_LOCK_TIMEOUT_MS=20000", "FEN_LEGACY_STALE_MS=1500"};
  // Fresh.
  Plant(f.lock_file, "");
  int64_t planted = RealtimeNs();
  pid_t run = f.Run(env);
  ASSERT_EQ(fentest::WaitFen(run), 0) << f.Err();
  int64_t fresh_ms = (f.StartedNs() - planted) / 1000000;
  EXPECT_GE(fresh_ms, 1500) << "a fresh zero-byte file was treated as free";
  EXPECT_LT(fresh_ms, 1500 + 1500) << "not reaped soon after the quarantine";
  EXPECT_FALSE(fs::exists(f.lock_file));
  // Old (planted longer ago than the quarantine).
  Plant(f.lock_file, "");
  usleep(1600 * 1000);
  int64_t spawned = RealtimeNs();
  run = f.Run(env);
  ASSERT_EQ(fentest::WaitFen(run), 0) << f.Err();
  int64_t old_ms = (f.StartedNs() - spawned) / 1000000;
  EXPECT_LT(old_ms, 1000) << "an abandoned zero-byte file was not reaped at once";
  EXPECT_FALSE(fs::exists(f.lock_file));
  std::printf("[ counts ] zero-byte lock: fresh ran after %lld ms, old after %lld ms\n",
              static_cast<long long>(fresh_ms), static_cast<long long>(old_ms));
}

}  // namespace
}  // namespace fen::locking

namespace fen::locking {
namespace {

// #44: while a real `fen model method run` is in its step, its swamp-format model file is
// deleted (what `swamp datastore lock release --force` does after checking the nonce). fen stops
// before its commit with lock_lost naming the file; no version of the run's data is visible.
TEST(LockMixedFleetE2eTest, ForceReleasedSwampFileAbortsTheRunBeforeCommit) {
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  std::string marker = tmp.path() + "/started";
  std::string id =
      fentest::WriteShellModel(repo, "victim", "echo x > " + marker + "; sleep 1; echo done");
  std::string data = repo + "/.swamp/data/command/shell/" + id;
  pid_t run = fentest::SpawnFen({"model", "method", "run", "victim", "execute", "--json"}, repo, {},
                                tmp.path() + "/out", tmp.path() + "/err");
  for (int64_t until = MonotonicMs() + 20000; !fs::exists(marker) && MonotonicMs() < until;) {
    usleep(5 * 1000);
  }
  ASSERT_TRUE(fs::exists(marker));
  ASSERT_TRUE(fs::exists(data + "/.lock"));
  fs::remove(data + "/.lock");
  int rc = fentest::WaitFen(run);
  std::string err = ReadFileText(tmp.path() + "/err");
  EXPECT_EQ(rc, 1) << err;
  Json e = Json::parse(err);
  EXPECT_EQ(e["code"], "lock_lost") << err;
  EXPECT_EQ(e["error"].get<std::string>().rfind(
                "Lock \"" + data + "/.lock\" was removed or taken over", 0),
            0u)
      << err;
  for (const char* name : {"result", "log"}) {
    EXPECT_FALSE(fs::exists(data + "/" + name + "/latest")) << name;
    EXPECT_FALSE(fs::exists(data + "/" + name + "/1")) << name;
  }
  EXPECT_FALSE(fs::exists(data + "/.lock"));
}

}  // namespace
}  // namespace fen::locking
