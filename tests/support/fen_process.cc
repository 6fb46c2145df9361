#include "support/fen_process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fen::fentest {

pid_t SpawnFen(std::vector<std::string> args, const std::string& repo,
               const std::vector<std::string>& env, const std::string& out, const std::string& err,
               const std::function<void()>& in_child) {
  // (Built as a fresh vector: inserting the literal at begin() trips GCC 12's
  // -Wstringop-overread false positive at -O2.)
  std::vector<std::string> argv_all;
  argv_all.reserve(args.size() + 3);
  argv_all.emplace_back(FEN_BINARY);
  for (auto& a : args) argv_all.push_back(std::move(a));
  args = std::move(argv_all);
  if (!repo.empty()) {
    args.push_back("--repo-dir");
    args.push_back(repo);
  }
  std::vector<std::string> env_copy = env;
  pid_t pid = fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    int n = ::open("/dev/null", O_RDONLY);
    dup2(n, 0);
    dup2(o, 1);
    dup2(e, 2);
    unsetenv("SWAMP_REPO_DIR");
    unsetenv("SWAMP_DATASTORE");
    for (auto& kv : env_copy) putenv(kv.data());
    if (in_child) in_child();
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(FEN_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

namespace {
int Decode(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }
}  // namespace

int WaitFen(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return Decode(st);
}

bool FenExited(pid_t pid, int* code) {
  int st = 0;
  if (waitpid(pid, &st, WNOHANG) != pid) return false;
  *code = Decode(st);
  return true;
}

std::string WriteShellModel(const std::string& repo, const std::string& name,
                            const std::string& body) {
  char id[64];
  std::snprintf(id, sizeof id, "5ce00000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(std::hash<std::string>{}(name)&0xffffffffffffULL));
  std::string escaped;
  for (char c : body) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  std::string path = repo + "/models/command/shell/" + name + ".yaml";
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary)
      << "type: command/shell\ntypeVersion: 2026.02.09.1\nid: " << id << "\nname: " << name
      << "\nversion: 1\ntags: {}\nglobalArguments: {}\nmethods:\n  execute:\n"
         "    arguments:\n      run: \""
      << escaped << "\"\n";
  return id;
}

int64_t RealtimeNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t MonotonicMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace fen::fentest
