// Test-only helpers for the model tests: temp dirs, fixture copies, running the fen binary.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fen::models::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fen-models-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    path_ = p == nullptr ? std::string() : std::string(p);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteText(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string CopyFixtureRepo(const std::string& dir) {
  std::string repo = dir + "/repo";
  std::string cmd = "cp -r '" + std::string(FEN_FIXTURES_DIR) + "/swamp-repo' '" + repo +
                    "' && chmod -R u+w '" + repo + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return repo;
}

struct ProcResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs FEN_BINARY with `args` (and --repo-dir `repo` when non-empty); captures both streams.
inline ProcResult RunFenProcess(const std::vector<std::string>& args, const std::string& repo = "",
                                const std::vector<std::string>& extra_env = {}) {
  TempDir tmp;
  std::string out_path = tmp.path() + "/out", err_path = tmp.path() + "/err";
  pid_t pid = fork();
  if (pid == 0) {
    int o = ::open(out_path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    int e = ::open(err_path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    int n = ::open("/dev/null", O_RDONLY);
    dup2(o, 1);
    dup2(e, 2);
    dup2(n, 0);
    for (const auto& kv : extra_env) putenv(const_cast<char*>(kv.c_str()));
    std::vector<std::string> all = {FEN_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    if (!repo.empty()) {
      all.push_back("--repo-dir");
      all.push_back(repo);
    }
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(FEN_BINARY, argv.data());
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  ProcResult r;
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  return r;
}

inline std::vector<std::string> ListNames(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fen::models::testing
