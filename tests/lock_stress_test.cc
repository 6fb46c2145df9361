// Stress scenarios of shared/spec/locking.md §7.2 with real processes and real kernel locks,
// sized to keep the suite fast: #25 stampede after a SIGKILLed holder, #26 counter torture,
// #29 structural command vs a continuous stream of writers. Counts are printed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "fen/locking/filesystem_lock_manager.h"
#include "support/lock_test_util.h"

namespace fen::locking {
namespace {

using locktest::ForkChild;
using locktest::Signal;
using locktest::TempDir;
using locktest::WaitChild;

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

LockRequest Req(int64_t timeout_ms) {
  LockRequest r;
  r.command = "stress";
  r.timeout_ms = timeout_ms;
  return r;
}

void AppendLine(const std::string& path, const std::string& line) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  (void)!write(fd, line.data(), line.size());
  close(fd);
}

// #25: a holder is SIGKILLed while 16 contenders start at the same instant; each logs
// enter/exit (monotonic ns) inside its critical section. Zero overlapping sections.
TEST(LockStressTest, StampedeAfterKilledHolder) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  const int kRounds = 50, kContenders = 16;
  std::string log = tmp.path() + "/sections.log";
  int overlaps = 0, sections = 0;
  for (int round = 0; round < kRounds; ++round) {
    Signal ready;
    pid_t holder = ForkChild([&] {
      auto set =
          NewFilesystemLockManager(Env::Default(), repo)->AcquireWriter({{"t", "m"}}, Req(5000));
      if (!set.ok()) return 1;
      ready.Notify();
      pause();
      return 0;
    });
    ASSERT_EQ(ready.Wait(), 'x');
    int barrier[2];
    ASSERT_EQ(pipe(barrier), 0);
    std::vector<pid_t> kids;
    for (int i = 0; i < kContenders; ++i) {
      kids.push_back(ForkChild([&] {
        close(barrier[1]);
        char c;
        (void)!read(barrier[0], &c, 1);  // EOF = go
        auto set =
            NewFilesystemLockManager(Env::Default(), repo)->AcquireWriter({{"t", "m"}}, Req(10000));
        if (!set.ok()) return 1;
        int64_t enter = NowNs();
        usleep(1000);
        int64_t exit_ns = NowNs();
        AppendLine(log, std::to_string(enter) + " " + std::to_string(exit_ns) + "\n");
        return 0;
      }));
    }
    close(barrier[0]);
    kill(holder, SIGKILL);
    close(barrier[1]);  // release all contenders at once
    WaitChild(holder);
    for (pid_t k : kids) EXPECT_EQ(WaitChild(k), 0);
  }
  std::ifstream in(log);
  std::vector<std::pair<int64_t, int64_t>> iv;
  int64_t a, b;
  while (in >> a >> b) iv.emplace_back(a, b);
  std::sort(iv.begin(), iv.end());
  for (size_t i = 1; i < iv.size(); ++i) {
    if (iv[i].first < iv[i - 1].second) ++overlaps;
  }
  sections = static_cast<int>(iv.size());
  std::printf("stampede: %d rounds x %d contenders, %d critical sections, %d overlaps\n", kRounds,
              kContenders, sections, overlaps);
  EXPECT_EQ(sections, kRounds * kContenders);
  EXPECT_EQ(overlaps, 0);
}

// #26: N processes x M read-sleep-write increments of a counter file under one model lock.
TEST(LockStressTest, CounterTorture) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  const int kProcs = 32, kIters = 20;
  std::string counter = tmp.path() + "/counter";
  { std::ofstream(counter) << 0; }
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; ++p) {
    kids.push_back(ForkChild([&, p] {
      std::mt19937 rng(static_cast<unsigned>(p));
      auto mgr = NewFilesystemLockManager(Env::Default(), repo);
      for (int i = 0; i < kIters; ++i) {
        auto set = mgr->AcquireWriter({{"counter", "c"}}, Req(60000));
        if (!set.ok()) return 1;
        int64_t v = 0;
        { std::ifstream(counter) >> v; }
        usleep(static_cast<useconds_t>(rng() % 500));
        { std::ofstream(counter, std::ios::trunc) << v + 1; }
      }
      return 0;
    }));
  }
  for (pid_t k : kids) EXPECT_EQ(WaitChild(k), 0);
  int64_t v = -1;
  std::ifstream(counter) >> v;
  std::printf("counter torture: %d processes x %d increments = %lld\n", kProcs, kIters,
              static_cast<long long>(v));
  EXPECT_EQ(v, kProcs * kIters);
}

// #29: keep >= 1 writer in flight at all times (overlapping 300 ms sections); a structural
// request then acquires within the max writer section + epsilon thanks to the gate.
TEST(LockStressTest, StructuralNotStarvedByWriterStream) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  const int kSectionMs = 300;
  std::string stop = tmp.path() + "/stop";
  std::vector<pid_t> writers;
  for (int w = 0; w < 3; ++w) {
    writers.push_back(ForkChild([&, w] {
      usleep(static_cast<useconds_t>(w * kSectionMs / 3) * 1000);  // staggered: always overlap
      auto mgr = NewFilesystemLockManager(Env::Default(), repo);
      int sections = 0;
      while (access(stop.c_str(), F_OK) != 0) {
        auto set = mgr->AcquireWriter({{"t", "w" + std::to_string(w)}}, Req(20000));
        if (!set.ok()) return 1;
        usleep(kSectionMs * 1000);
        ++sections;
      }
      return sections > 0 ? 0 : 2;
    }));
  }
  usleep(700 * 1000);
  int64_t t0 = NowNs();
  auto s = NewFilesystemLockManager(Env::Default(), repo)->AcquireStructural(Req(10000));
  int64_t waited_ms = (NowNs() - t0) / 1000000;
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  s = Status(ErrorCode::kInternalError, "released");
  AppendLine(stop, "x");
  for (pid_t w : writers) EXPECT_EQ(WaitChild(w), 0);
  std::printf("structural acquired after %lld ms behind a writer stream (section %d ms)\n",
              static_cast<long long>(waited_ms), kSectionMs);
  EXPECT_LT(waited_ms, kSectionMs + 150);
}

}  // namespace
}  // namespace fen::locking

namespace fen::locking {
namespace {

// #36: 10 processes repeatedly take one model lock and hold it 200 ms. The hand-off gap (one
// holder's exit to the next holder's entry) has p99 < 300 ms, and no acquisition waits more than
// 10x its fair share ((N-1) x 200 ms). Sized down from the spec (3 rounds each).
TEST(LockStressTest, HandOffLatencyAndFairness) {
  TempDir tmp;
  RepoContext repo = locktest::MakeRepo(tmp.path());
  const int kProcs = 10, kRounds = 3, kHoldMs = 200;
  std::string log = tmp.path() + "/sections.log";
  int barrier[2];
  ASSERT_EQ(pipe(barrier), 0);
  std::vector<pid_t> kids;
  for (int i = 0; i < kProcs; ++i) {
    kids.push_back(ForkChild([&] {
      close(barrier[1]);
      char c;
      (void)!read(barrier[0], &c, 1);  // EOF = go
      auto mgr = NewFilesystemLockManager(Env::Default(), repo);
      for (int r = 0; r < kRounds; ++r) {
        int64_t asked = NowNs();
        auto set = mgr->AcquireWriter({{"t", "m"}}, Req(60000));
        if (!set.ok()) return 1;
        int64_t enter = NowNs();
        usleep(kHoldMs * 1000);
        AppendLine(log, std::to_string(asked) + " " + std::to_string(enter) + " " +
                            std::to_string(NowNs()) + "\n");
      }
      return 0;
    }));
  }
  close(barrier[0]);
  close(barrier[1]);
  for (pid_t k : kids) EXPECT_EQ(WaitChild(k), 0);
  struct Section {
    int64_t asked, enter, exit;
  };
  std::vector<Section> s;
  std::ifstream in(log);
  Section x;
  while (in >> x.asked >> x.enter >> x.exit) s.push_back(x);
  ASSERT_EQ(s.size(), static_cast<size_t>(kProcs * kRounds));
  std::sort(s.begin(), s.end(), [](auto& a, auto& b) { return a.enter < b.enter; });
  std::vector<int64_t> gaps_ms;
  int64_t worst_wait_ms = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0) {
      ASSERT_GE(s[i].enter, s[i - 1].exit) << "overlapping sections";
      gaps_ms.push_back((s[i].enter - s[i - 1].exit) / 1000000);
    }
    worst_wait_ms = std::max(worst_wait_ms, (s[i].enter - s[i].asked) / 1000000);
  }
  std::sort(gaps_ms.begin(), gaps_ms.end());
  int64_t p99 = gaps_ms[std::min(gaps_ms.size() - 1, gaps_ms.size() * 99 / 100)];
  const int64_t fair_ms = (kProcs - 1) * kHoldMs;
  std::printf(
      "[ counts ] hand-off: %zu gaps, median %lld ms, p99 %lld ms, max %lld ms; worst "
      "wait %lld ms (fair share %lld ms)\n",
      gaps_ms.size(), static_cast<long long>(gaps_ms[gaps_ms.size() / 2]),
      static_cast<long long>(p99), static_cast<long long>(gaps_ms.back()),
      static_cast<long long>(worst_wait_ms), static_cast<long long>(fair_ms));
  EXPECT_LT(p99, 300);
  EXPECT_LE(worst_wait_ms, 10 * fair_ms);
}

}  // namespace
}  // namespace fen::locking
