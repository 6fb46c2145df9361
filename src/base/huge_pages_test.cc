#include "fen/base/huge_pages.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fen {
namespace {

// The VmFlags of the mapping that holds `addr` (/proc/self/smaps), or "" if none does.
std::string VmFlagsOf(const void* addr) {
  const auto a = reinterpret_cast<uintptr_t>(addr);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= a && a < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

bool HugePagesAvailable() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(f, mode);
  return mode.find("[never]") == std::string::npos && !mode.empty();
}

// Runs `body` in a child process (the policy is process-wide, and a fresh process has fresh
// arenas); the test passes if it returns true.
template <typename Body>
void ExpectInChild(Body body) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(body() ? 0 : 1);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// A helper thread's arena is advised; the memory it allocates is usable as before.
TEST(HugePagesTest, ThreadArenaIsAdvised) {
  if (!kHugePageAdviceEnabled) GTEST_SKIP() << "the sanitizers' allocators own the heap";
  if (!HugePagesAvailable()) GTEST_SKIP() << "transparent huge pages are off on this machine";
  ExpectInChild([] {
    PreferHugePageHeap();
    std::string flags;
    bool intact = false;
    std::thread t([&] {
      PreferHugePagesForThisThread();
      // 48 blocks of 64 KiB: below the mmap threshold, so they come from the thread's arena.
      std::vector<unsigned char*> blocks;
      for (int i = 0; i < 48; ++i) {
        blocks.push_back(static_cast<unsigned char*>(std::malloc(64 << 10)));
        std::memset(blocks.back(), i, 64 << 10);
      }
      intact = true;
      for (int i = 0; i < 48; ++i) intact = intact && blocks[i][(64 << 10) - 1] == i;
      flags = VmFlagsOf(blocks[24]);
      for (unsigned char* b : blocks) std::free(b);
    });
    t.join();
    return intact && flags.find(" hg") != std::string::npos;
  });
}

// Allocations after the call land on an advised part of the brk heap.
TEST(HugePagesTest, MainHeapAllocationsLandOnAdvisedMemory) {
  if (!kHugePageAdviceEnabled) GTEST_SKIP() << "the sanitizers' allocators own the heap";
  if (!HugePagesAvailable()) GTEST_SKIP() << "transparent huge pages are off on this machine";
  ExpectInChild([] {
    PreferHugePageHeap();
    // Fresh memory (this process freed smaller blocks before, which small requests reuse),
    // below the 8 MiB mmap threshold: carved from the heap's top.
    void* block = std::malloc(3 << 20);
    const bool on_heap = reinterpret_cast<uintptr_t>(block) < reinterpret_cast<uintptr_t>(sbrk(0));
    return on_heap && VmFlagsOf(block).find(" hg") != std::string::npos;
  });
}

// Under an address-space limit the 256 MiB reserve could make allocations fail: no policy.
TEST(HugePagesTest, NothingChangesUnderAnAddressSpaceLimit) {
  if (!kHugePageAdviceEnabled) GTEST_SKIP() << "the sanitizers need more address space";
  ExpectInChild([] {
    struct rlimit lim {};
    if (getrlimit(RLIMIT_AS, &lim) != 0) return false;
    lim.rlim_cur = uintptr_t{8} << 30;
    if (setrlimit(RLIMIT_AS, &lim) != 0) return false;
    const auto before = reinterpret_cast<uintptr_t>(sbrk(0));
    PreferHugePageHeap();
    void* block = std::malloc(3 << 20);  // above glibc's default threshold: its own mapping
    const auto after = reinterpret_cast<uintptr_t>(sbrk(0));
    return block != nullptr && after - before < (uintptr_t{64} << 20) &&
           VmFlagsOf(block).find(" hg") == std::string::npos;
  });
}

}  // namespace
}  // namespace fen
