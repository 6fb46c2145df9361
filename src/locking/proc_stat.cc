// /proc/{pid}/stat parsing. See src/locking/proc_stat.h.
#include "locking/proc_stat.h"

#include <string>

#include "fen/env/env.h"

namespace fen::locking {

std::optional<ProcStat> ReadProcStat(int64_t pid) {
  auto text = Env::Default()->ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text.ok()) return std::nullopt;
  // "pid (comm) state ppid ...": comm may contain spaces and ')', so parse after the last ')'.
  const std::string& s = *text;
  size_t close = s.rfind(')');
  if (close == std::string::npos || close + 4 >= s.size()) return std::nullopt;
  ProcStat st;
  st.state = s[close + 2];
  size_t i = close + 4;
  int64_t ppid = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ppid = ppid * 10 + (s[i++] - '0');
  st.ppid = ppid;
  return st;
}

}  // namespace fen::locking
