// See include/fen/base/huge_pages.h and docs/design/cli.md §7.
#include "fen/base/huge_pages.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

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

}  // namespace

void PreferHugePageHeap() {
  if (!kHugePageAdviceEnabled) return;
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
  if (!kHugePageAdviceEnabled) return;
  void* probe = std::malloc(64);
  const auto p = reinterpret_cast<uintptr_t>(probe);
  std::free(probe);
  // Below the break: the main heap (no secondary arena could be created, or M_ARENA_MAX).
  if (p == 0 || p < reinterpret_cast<uintptr_t>(sbrk(0))) return;
  (void)madvise(reinterpret_cast<void*>(p & ~(kArenaHeapSize - 1)), kArenaHeapSize, MADV_HUGEPAGE);
}

}  // namespace fen
