// Whole-process wall time of `fen model method run` with a `true` body, against the floor of
// spawning `sh -c true` directly (docs/performance.md "Model runs"). Each iteration is one real
// process tree; report the median of the repetitions.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

int RunProcess(std::vector<std::string> args) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// A fresh copy of the fixture repo with a `noop` model whose body is `true`.
std::string MakeRepo() {
  static std::string repo;
  if (!repo.empty()) return repo;
  std::string tmpl = (std::filesystem::temp_directory_path() / "fen-bench-XXXXXX").string();
  std::string dir = mkdtemp(tmpl.data());
  repo = dir + "/repo";
  std::string cmd = "cp -r '" + std::string(FEN_SOURCE_DIR) + "/../shared/fixtures/swamp-repo' '" +
                    repo + "' && chmod -R u+w '" + repo + "'";
  if (std::system(cmd.c_str()) != 0) std::abort();
  std::ofstream(repo + "/models/command/shell/noop.yaml")
      << "type: command/shell\ntypeVersion: 2026.02.09.1\n"
         "id: 0b0b0b0b-1111-4222-8333-444444444444\nname: noop\nversion: 1\ntags: {}\n"
         "globalArguments: {}\nmethods:\n  execute:\n    arguments:\n      run: 'true'\n";
  return repo;
}

void BM_ShTrue(benchmark::State& state) {
  for (auto _ : state) {
    if (RunProcess({"/bin/sh", "-c", "true"}) != 0) state.SkipWithError("sh failed");
  }
}

void BM_FenModelMethodRunTrue(benchmark::State& state) {
  std::string repo = MakeRepo();
  for (auto _ : state) {
    if (RunProcess({FEN_BINARY, "model", "method", "run", "noop", "execute", "--json", "--repo-dir",
                    repo}) != 0) {
      state.SkipWithError("fen failed");
    }
  }
}

BENCHMARK(BM_ShTrue)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_FenModelMethodRunTrue)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
