// Transparent huge pages for the heap: one 2 MiB page fault instead of 512 small ones.
//
// On the shared VM a first-touch page fault costs ~18 µs, so a command that touches 50-130 MB
// (search or a catalog rebuild at 100 000 artifacts) spent a fifth of its time faulting, and a
// `model method run` ~1 ms. Both functions only give the kernel advice and tune glibc's malloc:
// allocation results are unchanged, and where transparent huge pages are off the advice is
// ignored. Nothing is done under the sanitizers (their allocators own the heap) or where memory
// is limited (RLIMIT_AS, RLIMIT_DATA, strict overcommit), where a 256 MiB reserve could make
// allocations fail. Design, measurements and costs: docs/design/cli.md §7.
#pragma once

namespace fen {

// False under the sanitizers (GCC's and Clang's spellings): both functions then do nothing.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define FEN_HUGE_PAGES_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || \
    defined(FEN_HUGE_PAGES_SANITIZED)
inline constexpr bool kHugePageAdviceEnabled = false;
#else
inline constexpr bool kHugePageAdviceEnabled = true;
#endif

// Process policy for short-lived commands; call once, first thing in main(), before any other
// thread exists. glibc's main heap then grows 256 MiB (virtual) at a time and never shrinks, the
// next allocations start on a 2 MiB boundary, and the whole reserve is advised for huge pages.
void PreferHugePageHeap();

// For a helper thread that will allocate megabytes: advises the glibc arena the calling thread
// allocates from (a 64 MiB-aligned anonymous mapping, checked in /proc/self/maps) for huge
// pages. Call first thing in the thread. Does nothing unless PreferHugePageHeap applied its
// policy, or when the thread shares the main heap. Any thread.
void PreferHugePagesForThisThread();

}  // namespace fen
