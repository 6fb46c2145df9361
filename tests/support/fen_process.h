// Helpers for process-level lock scenario tests (shared/spec/locking.md §7): real `fen` child
// processes (FEN_BINARY) with extra environment variables, command/shell model definitions whose
// bodies log their critical sections, and clocks to compare the two. Single-threaded test use.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fen::fentest {

// fork + exec FEN_BINARY `args` (then `--repo-dir repo` when `repo` is not empty); stdin is
// /dev/null, stdout/stderr go to the files `out` and `err`, `env` entries ("K=V") are added to the
// inherited environment. `in_child` runs in the child just before exec (e.g. to enter a mount
// namespace). Returns the child's pid (-1 if fork failed).
pid_t SpawnFen(std::vector<std::string> args, const std::string& repo,
               const std::vector<std::string>& env, const std::string& out, const std::string& err,
               const std::function<void()>& in_child = nullptr);

// waitpid: the exit code, 128+signal if killed, -1 on error.
int WaitFen(pid_t pid);
// waitpid(WNOHANG): true (and *code set as WaitFen would) if the child has exited.
bool FenExited(pid_t pid, int* code);

// Writes {repo}/models/command/shell/{name}.yaml whose `execute` method runs `body` (a shell
// command line) and returns its id (derived from the name, stable across calls).
std::string WriteShellModel(const std::string& repo, const std::string& name,
                            const std::string& body);

// CLOCK_REALTIME in ns (comparable with `date +%s%N` in a shell body) and CLOCK_MONOTONIC in ms.
int64_t RealtimeNs();
int64_t MonotonicMs();

// The whole file, "" if it cannot be read.
std::string ReadFileText(const std::string& path);

}  // namespace fen::fentest
