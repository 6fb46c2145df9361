// Whole-process wall time of short fen commands (fork + exec + wait), against /bin/true as the
// process-start baseline. docs/performance.md says how to run it and what it measured.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

// Runs `argv` with stdout/stderr on /dev/null in `cwd`; returns the exit status (-1 on
// abnormal termination).
int RunOnce(const std::vector<std::string>& argv, const std::string& cwd) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull < 0 || ::dup2(devnull, 1) < 0 || ::dup2(devnull, 2) < 0) ::_exit(126);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    std::vector<char*> args;
    std::vector<std::string> copy = argv;
    for (auto& a : copy) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

void RunLoop(benchmark::State& state, const std::vector<std::string>& argv,
             const std::string& cwd) {
  for (auto _ : state) {
    int rc = RunOnce(argv, cwd);
    if (rc != 0) {
      state.SkipWithError(("exit status " + std::to_string(rc)).c_str());
      break;
    }
  }
}

// A freshly initialized repo, created once per process.
const std::string& TempRepo() {
  static const std::string repo = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fen-bench-XXXXXX").string();
    std::string dir = ::mkdtemp(tmpl.data());
    RunOnce({FEN_BINARY, "repo", "init", dir}, "");
    return dir;
  }();
  return repo;
}

void BM_BinTrue(benchmark::State& state) { RunLoop(state, {"/bin/true"}, ""); }
void BM_FenVersion(benchmark::State& state) { RunLoop(state, {FEN_BINARY, "version"}, ""); }
void BM_FenVersionJson(benchmark::State& state) {
  RunLoop(state, {FEN_BINARY, "version", "--json"}, "");
}
void BM_FenDatastoreStatusJson(benchmark::State& state) {
  RunLoop(state, {FEN_BINARY, "datastore", "status", "--json"}, TempRepo());
}

BENCHMARK(BM_BinTrue)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FenVersion)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FenVersionJson)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FenDatastoreStatusJson)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  std::filesystem::remove_all(TempRepo(), ec);
  return 0;
}
