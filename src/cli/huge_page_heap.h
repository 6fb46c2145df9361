// PreferHugePageHeap: puts the heap a fen command grows into on one transparent huge page.
//
// Contract: call once, first thing in main(), before any other thread exists. It only changes
// where later allocations land and how eagerly freed memory goes back to the kernel; it never
// fails (without transparent huge pages it leaves an ordinary heap). A no-op under the
// sanitizers, which bring their own allocators. Why and what it costs: docs/design/cli.md §7.
#pragma once

namespace fen::cli {

void PreferHugePageHeap();

}  // namespace fen::cli
