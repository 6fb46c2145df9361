// Lock costs (docs/performance.md "Locks"): uncontended acquire+release of writer and
// structural lock sets, with and without the swamp-format files of mixed fleets, and the
// hand-off latency between two processes (release in one -> acquisition in the other).
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "fen/locking/filesystem_lock_manager.h"

namespace {

using fen::locking::FilesystemLockOptions;
using fen::locking::LockRequest;

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Datastore {
  Datastore() {
    char tmpl[] = "/tmp/fen-lock-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    repo.repo_dir = dir;
    repo.datastore_type = "filesystem";
    repo.datastore_root = dir + "/.swamp";
    repo.data_root = repo.datastore_root + "/data";
  }
  ~Datastore() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string dir;
  fen::RepoContext repo;
};

std::unique_ptr<fen::locking::LockManager> Manager(const fen::RepoContext& repo, bool compat) {
  FilesystemLockOptions o;
  o.swamp_compat = compat;
  o.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  return fen::locking::NewFilesystemLockManager(fen::Env::Default(), repo, o);
}

void BM_WriterAcquireRelease(benchmark::State& state) {
  Datastore ds;
  auto mgr = Manager(ds.repo, state.range(0) != 0);
  LockRequest req{"bench", 5000, {}};
  for (auto _ : state) {
    auto set = mgr->AcquireWriter({{"command/shell", "m1"}}, req);
    if (!set.ok()) state.SkipWithError(set.status().message().c_str());
    benchmark::DoNotOptimize(set);
  }
}
BENCHMARK(BM_WriterAcquireRelease)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("swamp_files")
    ->Unit(benchmark::kMicrosecond);

void BM_StructuralAcquireRelease(benchmark::State& state) {
  Datastore ds;
  auto mgr = Manager(ds.repo, state.range(0) != 0);
  LockRequest req{"bench", 5000, {}};
  for (auto _ : state) {
    auto set = mgr->AcquireStructural(req);
    if (!set.ok()) state.SkipWithError(set.status().message().c_str());
    benchmark::DoNotOptimize(set);
  }
}
BENCHMARK(BM_StructuralAcquireRelease)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("swamp_files")
    ->Unit(benchmark::kMicrosecond);

// Two processes take turns on one model lock. Each hand-off is the time from the holder's
// release to the waiter's acquisition (both stamps on CLOCK_MONOTONIC, which is system-wide).
void BM_HandOffBetweenProcesses(benchmark::State& state) {
  Datastore ds;
  const int kRounds = 200;
  std::vector<double> handoffs_us;
  for (auto _ : state) {
    int to_child[2], to_parent[2];
    if (pipe(to_child) != 0 || pipe(to_parent) != 0) state.SkipWithError("pipe");
    pid_t child = fork();
    if (child == 0) {
      auto mgr = Manager(ds.repo, state.range(0) != 0);
      LockRequest req{"bench-child", 10000, {}};
      for (int i = 0; i < kRounds; ++i) {
        char c;
        if (read(to_child[0], &c, 1) != 1) _exit(1);       // parent holds the lock now
        auto set = mgr->AcquireWriter({{"t", "m"}}, req);  // blocks until released
        int64_t got = NowNs();
        if (!set.ok()) _exit(2);
        if (write(to_parent[1], &got, sizeof(got)) != sizeof(got)) _exit(3);
      }
      _exit(0);
    }
    auto mgr = Manager(ds.repo, state.range(0) != 0);
    LockRequest req{"bench-parent", 10000, {}};
    for (int i = 0; i < kRounds; ++i) {
      auto set = mgr->AcquireWriter({{"t", "m"}}, req);
      if (!set.ok()) state.SkipWithError(set.status().message().c_str());
      char c = 'x';
      (void)!write(to_child[1], &c, 1);
      usleep(2000);  // let the child block in the kernel
      int64_t released = NowNs();
      set = fen::Status(fen::ErrorCode::kInternalError, "released");
      int64_t got = 0;
      if (read(to_parent[0], &got, sizeof(got)) != sizeof(got)) state.SkipWithError("child");
      handoffs_us.push_back(static_cast<double>(got - released) / 1000.0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) close(fd);
  }
  std::sort(handoffs_us.begin(), handoffs_us.end());
  auto pct = [&](double p) {
    return handoffs_us[static_cast<size_t>(p * static_cast<double>(handoffs_us.size() - 1))];
  };
  state.counters["handoff_p50_us"] = pct(0.50);
  state.counters["handoff_p99_us"] = pct(0.99);
  state.counters["handoff_max_us"] = handoffs_us.back();
}
BENCHMARK(BM_HandOffBetweenProcesses)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("swamp_files")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
