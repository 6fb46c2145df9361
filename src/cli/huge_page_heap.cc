// See huge_page_heap.h and docs/design/cli.md §7.
#include "cli/huge_page_heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace fen::cli {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

// The filler below the first aligned huge page: allocated once, never touched past its header,
// never freed (a global, so leak checkers see it as reachable; volatile, or the compiler drops
// an allocation whose result is never read).
void* volatile g_filler = nullptr;

}  // namespace

void PreferHugePageHeap() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;
#else
  // Grow the brk heap 4 MiB at a time and keep what it has (a short-lived process): the huge
  // page must stay mapped, and allocations up to 8 MiB stay on it instead of in mmap chunks.
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 4 << 20);
  const auto brk = reinterpret_cast<uintptr_t>(sbrk(0));
  if (brk == static_cast<uintptr_t>(-1)) return;
  // The free top chunk ends at the break; the next allocations are carved from its start.
  const uintptr_t top = brk - mallinfo2().keepcost;
  const uintptr_t aligned = (brk + kHugePage - 1) & ~(kHugePage - 1);
  // Fill the heap up to the 2 MiB boundary so that the next allocations start on it; malloc
  // extends the break by the filler plus the 4 MiB pad. (16 bytes: the next chunk's header.)
  if (aligned - top > 4096) g_filler = std::malloc(aligned - top - 2 * sizeof(size_t) * 2);
  const auto end = reinterpret_cast<uintptr_t>(sbrk(0));
  if (end >= aligned + kHugePage) {
    (void)madvise(reinterpret_cast<void*>(aligned), kHugePage, MADV_HUGEPAGE);
  }
#endif
}

}  // namespace fen::cli
