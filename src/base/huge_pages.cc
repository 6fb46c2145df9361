// See include/fen/base/huge_pages.h and docs/design/cli.md §7.
#include "fen/base/huge_pages.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace fen {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
// glibc's secondary arenas are HEAP_MAX_SIZE (2 × DEFAULT_MMAP_THRESHOLD_MAX = 64 MiB on 64-bit)
// mappings aligned to their size; the part not yet in use is PROT_NONE.
constexpr uintptr_t kArenaHeapSize = uintptr_t{64} << 20;
// The main heap's reserve: virtual until touched.
constexpr int kTopPad = 256 << 20;

// The filler below the first aligned huge page: allocated once, never touched past its header,
// never freed (a global, so leak checkers see it as reachable; volatile, or the compiler drops
// an allocation whose result is never read).
void* volatile g_filler = nullptr;

// Set by PreferHugePageHeap when the policy applies; helper threads follow it.
std::atomic<bool> g_policy_on{false};

std::string ReadSmallFile(const char* path) {
  std::string out;
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

// A 256 MiB reserve per process, and glibc's mmap fallback of the same size, fail where address
// space or commit is limited (RLIMIT_AS / RLIMIT_DATA, strict overcommit): no policy there.
bool MemoryIsLimited() {
  struct rlimit lim {};
  for (int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    if (getrlimit(resource, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) return true;
  }
  return ReadSmallFile("/proc/sys/vm/overcommit_memory").rfind('2', 0) == 0;
}

// True if [base, base + size) is covered, without gaps, by anonymous mappings without a name
// (what a glibc arena heap is), the first of them starting at `base` (/proc/self/maps).
bool IsOneAnonymousBlock(uintptr_t base, uintptr_t size) {
  const std::string maps = ReadSmallFile("/proc/self/maps");
  uintptr_t covered = base;
  bool started = false;
  size_t pos = 0;
  while (pos < maps.size()) {
    size_t eol = maps.find('\n', pos);
    if (eol == std::string::npos) eol = maps.size();
    const std::string line = maps.substr(pos, eol - pos);
    pos = eol + 1;
    unsigned long lo = 0, hi = 0, inode = 0;  // NOLINT(google-runtime-int): sscanf's types
    int name_at = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %*s %*s %*s %lu %n", &lo, &hi, &inode, &name_at) < 3) {
      continue;
    }
    if (hi <= base || lo >= base + size) continue;
    const bool anonymous = inode == 0 && static_cast<size_t>(name_at) >= line.size();
    if (!anonymous || lo > covered || (!started && lo != base)) return false;
    started = true;
    covered = hi;
    if (covered >= base + size) return true;
  }
  return false;
}

}  // namespace

void PreferHugePageHeap() {
  if (!kHugePageAdviceEnabled || MemoryIsLimited()) return;
  g_policy_on.store(true, std::memory_order_relaxed);
  // Keep mid-sized buffers (up to 8 MiB) on the heap instead of in mmap chunks, grow it by the
  // reserve, and never give memory back before exit (a short-lived process): the huge pages
  // must stay mapped.
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 2 * kTopPad);
  mallopt(M_TOP_PAD, kTopPad);
  const auto brk = reinterpret_cast<uintptr_t>(sbrk(0));
  if (brk == static_cast<uintptr_t>(-1)) return;
  // The free top chunk ends at the break; the next allocations are carved from its start.
  const uintptr_t top = brk - mallinfo2().keepcost;
  const uintptr_t aligned = (brk + kHugePage - 1) & ~(kHugePage - 1);
  // Fill the heap up to the 2 MiB boundary so that the next allocations start on it; malloc
  // extends the break by the filler plus the reserve. (32 bytes: chunk headers.)
  if (aligned - top > 4096) g_filler = std::malloc(aligned - top - 4 * sizeof(size_t));
  const auto end = reinterpret_cast<uintptr_t>(sbrk(0));
  if (end >= aligned + kHugePage) {
    (void)madvise(reinterpret_cast<void*>(aligned), (end - aligned) & ~(kHugePage - 1),
                  MADV_HUGEPAGE);
  }
}

void PreferHugePagesForThisThread() {
  if (!kHugePageAdviceEnabled || !g_policy_on.load(std::memory_order_relaxed)) return;
  void* probe = std::malloc(64);
  const auto p = reinterpret_cast<uintptr_t>(probe);
  std::free(probe);
  // Below the break: the main heap (no secondary arena could be created, or M_ARENA_MAX).
  if (p == 0 || p < reinterpret_cast<uintptr_t>(sbrk(0))) return;
  // Only a block that looks like glibc's arena heap (another glibc, tunables, a heap that moved
  // to mmap): the advice must not reach stacks or file mappings.
  const uintptr_t base = p & ~(kArenaHeapSize - 1);
  if (!IsOneAnonymousBlock(base, kArenaHeapSize)) return;
  (void)madvise(reinterpret_cast<void*>(base), kArenaHeapSize, MADV_HUGEPAGE);
}

}  // namespace fen
