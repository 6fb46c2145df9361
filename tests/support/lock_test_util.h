// Helpers for the lock tests: temporary datastores and real child processes (fork) that call
// the real LockManager. Single-threaded test use only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "fen/repo/repo_context.h"

namespace fen::locktest {

// A fresh directory under $TMPDIR (or /tmp), removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A RepoContext for a datastore at {dir}/.swamp (namespace `ns`, "" = solo).
RepoContext MakeRepo(const std::string& dir, const std::string& ns = "");

// A one-shot, one-byte message between processes (pipe). Create before fork.
class Signal {
 public:
  Signal();
  ~Signal();
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;
  void Notify(char c = 'x');
  // Waits up to `timeout_ms` for a byte; returns it, or 0 on timeout/EOF.
  char Wait(int timeout_ms = 10000);

 private:
  int fds_[2];
};

// Runs `body` in a forked child that exits with its return value (_exit, no atexit handlers).
pid_t ForkChild(const std::function<int()>& body);
// waitpid; returns the exit status, 128+sig if killed, -1 on error.
int WaitChild(pid_t pid);
// Like WaitChild but also reports the child's user+system CPU time in ms.
int WaitChildCpu(pid_t pid, int64_t* cpu_ms);

}  // namespace fen::locktest
