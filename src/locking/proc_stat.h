// /proc/{pid}/stat fields the lock code needs (state, parent pid). Linux only; thread-safe.
#pragma once

#include <cstdint>
#include <optional>

namespace fen::locking {

struct ProcStat {
  char state = '?';  // 'R', 'S', 'T', 'Z', 'X', ...
  int64_t ppid = 0;
};

// nullopt when the process does not exist (or /proc is unavailable).
std::optional<ProcStat> ReadProcStat(int64_t pid);

}  // namespace fen::locking
