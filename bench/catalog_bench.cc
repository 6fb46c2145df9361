// Data-store benchmarks (docs/performance.md "Data store"; docs/design/catalog.md):
// whole-process `fen data search|list|get|versions|gc --dry-run` over generated stores of
// 1k / 10k / 100k artifacts, and the in-process catalog rebuild rate.
//
// Stores are generated directly in the swamp format (no fsync'd Save) under
// $FEN_BENCH_DIR (default /tmp/fen-catalog-bench) and reused between runs.
// Run: ./build/release/catalog_bench --benchmark_repetitions=5
//        --benchmark_display_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fen/base/huge_pages.h"
#include "fen/storage/catalog.h"
#include "fen/storage/data_format.h"
#include "fen/storage/filesystem_data_store.h"

namespace {

namespace fs = std::filesystem;
using fen::storage::DataRecord;

constexpr int kNamesPerModel = 100;

std::string ModelId(int m) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", m, m);
  return buf;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// A repo with `artifacts` artifacts (one version each), kNamesPerModel per model. Model 0 has
// a definition named "m0"; the others are data without definitions (named by id in search).
std::string Repo(int artifacts) {
  const char* base = std::getenv("FEN_BENCH_DIR");
  const std::string repo = std::string(base != nullptr ? base : "/tmp/fen-catalog-bench") + "/" +
                           std::to_string(artifacts);
  if (fs::exists(repo + "/.generated")) return repo;
  fs::remove_all(repo);
  fs::create_directories(repo + "/models/command/shell");
  WriteFile(repo + "/.swamp.yaml", "swampVersion: 20260206.200442.0\nrepoId: bench\ntools: []\n");
  WriteFile(repo + "/models/command/shell/m0.yaml",
            "type: command/shell\nid: " + ModelId(0) + "\nname: m0\n");
  const std::string data = repo + "/.swamp/data/command/shell";
  for (int i = 0; i < artifacts; ++i) {
    const int m = i / kNamesPerModel;
    const std::string name = "data-" + std::to_string(i % kNamesPerModel);
    const std::string dir = data + "/" + ModelId(m) + "/" + name;
    fs::create_directories(dir + "/1");
    const std::string raw = "{\"i\":" + std::to_string(i) + "}";
    DataRecord r;
    r.id = ModelId(i);
    r.name = name;
    r.version = 1;
    r.content_type = "application/json";
    r.lifetime = "infinite";
    r.garbage_collection = int64_t{10};
    r.tags = {{"type", i % 3 == 0 ? "log" : "resource"}, {"specName", name}, {"modelName", "m"}};
    r.owner.owner_type = "model-method";
    r.owner.owner_ref = ModelId(m);
    char created[32];
    std::snprintf(created, sizeof created, "2026-11-%02dT%02d:%02d:%02d.000Z", 1 + i % 28,
                  (i / 60) % 24, i % 60, (i / 7) % 60);
    r.created_at = created;
    r.size = static_cast<int64_t>(raw.size());
    WriteFile(dir + "/1/raw", raw);
    WriteFile(dir + "/1/metadata.yaml", fen::storage::MetadataToYaml(r));
    WriteFile(dir + "/latest", "1");
  }
  WriteFile(repo + "/.generated", "");
  return repo;
}

// fork/exec the fen binary in `repo`, output to /dev/null; returns the exit code and adds
// the child's CPU time (user + sys, both threads) to *child_cpu_s.
int RunFen(const std::string& repo, std::vector<std::string> args, double* child_cpu_s = nullptr) {
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(repo.c_str()) != 0) _exit(127);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    std::string bin = FEN_BINARY;
    std::vector<char*> argv{bin.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  if (child_cpu_s != nullptr) {
    *child_cpu_s += static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void WholeProcess(benchmark::State& state, std::vector<std::string> args) {
  const std::string repo = Repo(static_cast<int>(state.range(0)));
  if (RunFen(repo, args) != 0) {  // also warms the catalog and the page cache
    state.SkipWithError("fen failed");
    return;
  }
  double cpu_s = 0;
  for (auto _ : state) {
    if (RunFen(repo, args, &cpu_s) != 0) state.SkipWithError("fen failed");
  }
  state.counters["artifacts"] = static_cast<double>(state.range(0));
  // The child's CPU per run (the benchmark's own CPU column is only the parent's fork/wait).
  state.counters["child_cpu_ms"] = cpu_s * 1000 / static_cast<double>(state.iterations());
}

void BM_SearchWarm(benchmark::State& state) { WholeProcess(state, {"data", "search", "--json"}); }
void BM_SearchWarmFiltered(benchmark::State& state) {
  WholeProcess(state, {"data", "search", "data-7", "--type", "log", "--json"});
}
void BM_GcDryRun(benchmark::State& state) {
  WholeProcess(state, {"data", "gc", "--dry-run", "--json"});
}
// A real gc over the store: every artifact has one version and keeps 10, so nothing is
// deleted and every iteration does the same work (read every version, decide, write nothing).
void BM_Gc(benchmark::State& state) { WholeProcess(state, {"data", "gc", "--yes", "--json"}); }
void BM_List(benchmark::State& state) { WholeProcess(state, {"data", "list", "m0", "--json"}); }
void BM_Get(benchmark::State& state) {
  WholeProcess(state, {"data", "get", "m0", "data-5", "--json"});
}
void BM_Versions(benchmark::State& state) {
  WholeProcess(state, {"data", "versions", "m0", "data-5", "--json"});
}

fen::RepoContext Context(const std::string& repo) {
  fen::RepoContext c;
  c.repo_dir = repo;
  c.datastore_root = repo + "/.swamp";
  c.data_root = repo + "/.swamp/data";
  c.fen_dir = repo + "/.swamp/.fen";
  c.models_dir = repo + "/models";
  return c;
}

// Full rebuild from the tree: the catalog file is removed before every iteration.
void BM_CatalogRebuild(benchmark::State& state) {
  const std::string repo = Repo(static_cast<int>(state.range(0)));
  const fen::RepoContext ctx = Context(repo);
  fen::Env* env = fen::Env::Default();
  const std::string db = repo + "/.swamp/.fen/catalog-rebuild-bench.db";
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* s : {"", "-wal", "-shm"}) fs::remove(db + s);
    fen::storage::CatalogOptions o;
    o.catalog_path = db;
    o.skip_swamp_invalidation = true;
    auto store = fen::storage::OpenCatalogDataStore(
        env, ctx, fen::storage::OpenFilesystemDataStore(env, ctx), o);
    state.ResumeTiming();
    // A rebuild as a search sees it: the refresh, every model's records, and the write-back
    // (last_refresh() waits for it).
    auto models = store->ListModels(nullptr);
    if (models.ok()) {
      for (const auto& m : *models) (void)store->FindAllForModel(m.type, m.model_id, nullptr);
    }
    if (!models.ok() || store->last_refresh().reread != state.range(0)) {
      state.SkipWithError("rebuild did not read every artifact");
    }
  }
  state.counters["versions_per_s"] = benchmark::Counter(
      static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}

// The in-process refresh of a warm catalog and every model's records (what a search does
// before filtering), for the cost breakdown.
void BM_CatalogWarmRefresh(benchmark::State& state) {
  const std::string repo = Repo(static_cast<int>(state.range(0)));
  const fen::RepoContext ctx = Context(repo);
  fen::Env* env = fen::Env::Default();
  fen::storage::CatalogOptions o;
  o.skip_swamp_invalidation = true;
  auto open = [&] {
    return fen::storage::OpenCatalogDataStore(env, ctx,
                                              fen::storage::OpenFilesystemDataStore(env, ctx), o);
  };
  (void)open()->ListModels(nullptr);
  for (auto _ : state) {
    auto store = open();
    auto models = store->ListModels(nullptr);
    if (models.ok()) {
      for (const auto& m : *models) (void)store->FindAllForModel(m.type, m.model_id, nullptr);
    }
    if (!models.ok() || store->last_refresh().reread != 0) state.SkipWithError("not warm");
  }
}

}  // namespace

BENCHMARK(BM_SearchWarm)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);
BENCHMARK(BM_SearchWarmFiltered)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_CatalogWarmRefresh)
    ->MeasureProcessCPUTime()  // the refresh uses a helper thread
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);
BENCHMARK(BM_CatalogRebuild)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);  // medians come from --benchmark_repetitions
BENCHMARK(BM_GcDryRun)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Gc)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_List)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_Get)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_Versions)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(10);

// The heap policy of fen's main (docs/design/cli.md §7), so the in-process figures match the
// command's.
int main(int argc, char** argv) {
  fen::PreferHugePageHeap();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
