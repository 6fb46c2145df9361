#include "fen/locking/lock_timeout.h"

#include <gtest/gtest.h>

namespace fen::locking {
namespace {

// locking.md §7.1 #4.
TEST(LockTimeoutTest, SwampParseIntSemantics) {
  EXPECT_EQ(ResolveLockTimeoutMs(-1, "2000"), 2000);
  EXPECT_EQ(ResolveLockTimeoutMs(-1, "0"), kDefaultLockTimeoutMs);
  EXPECT_EQ(ResolveLockTimeoutMs(-1, "-5"), kDefaultLockTimeoutMs);
  EXPECT_EQ(ResolveLockTimeoutMs(-1, "abc"), kDefaultLockTimeoutMs);
  EXPECT_EQ(ResolveLockTimeoutMs(-1, "1500ms"), 1500);
  EXPECT_EQ(ResolveLockTimeoutMs(-1, " 7"), 7);
  EXPECT_EQ(ResolveLockTimeoutMs(-1, "1e5"), 1);
  EXPECT_EQ(ResolveLockTimeoutMs(-1, "+12"), 12);
  EXPECT_EQ(ResolveLockTimeoutMs(-1, ""), kDefaultLockTimeoutMs);
  EXPECT_EQ(ResolveLockTimeoutMs(-1, nullptr), kDefaultLockTimeoutMs);
  EXPECT_EQ(ResolveLockTimeoutMs(250, "2000"), 250);  // per-call override first
  EXPECT_GT(ResolveLockTimeoutMs(-1, "99999999999999999999999"), 0);
}

}  // namespace
}  // namespace fen::locking
