#include "support/lock_test_util.h"

#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace fen::locktest {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/fen-lock-XXXXXX";
  char* p = mkdtemp(tmpl.data());
  path_ = p != nullptr ? std::string(p) : std::string();
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

RepoContext MakeRepo(const std::string& dir, const std::string& ns) {
  RepoContext ctx;
  ctx.repo_dir = dir;
  ctx.datastore_type = "filesystem";
  ctx.datastore_root = dir + "/.swamp";
  ctx.ns = ns;
  ctx.data_root = ctx.datastore_root + (ns.empty() ? "" : "/" + ns) + "/data";
  ctx.fen_dir = ctx.datastore_root + (ns.empty() ? "" : "/" + ns) + "/.fen";
  ctx.outputs_dir = ctx.datastore_root + "/outputs";
  ctx.models_dir = dir + "/models";
  ctx.datastore_source = "default";
  return ctx;
}

Signal::Signal() {
  if (pipe(fds_) != 0) fds_[0] = fds_[1] = -1;
}

Signal::~Signal() {
  close(fds_[0]);
  close(fds_[1]);
}

void Signal::Notify(char c) { (void)!write(fds_[1], &c, 1); }

char Signal::Wait(int timeout_ms) {
  struct pollfd p = {fds_[0], POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return 0;
  char c = 0;
  if (read(fds_[0], &c, 1) != 1) return 0;
  return c;
}

pid_t ForkChild(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    int rc = body();
    _exit(rc);
  }
  return pid;
}

int WaitChildCpu(pid_t pid, int64_t* cpu_ms) {
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) != pid) return -1;
  if (cpu_ms != nullptr) {
    *cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
              (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int WaitChild(pid_t pid) { return WaitChildCpu(pid, nullptr); }

}  // namespace fen::locktest
