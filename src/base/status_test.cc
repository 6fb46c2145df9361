#include "fen/base/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace fen {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status(ErrorCode::kInvalidArguments, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  FEN_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, CodesHaveStableNamesAndExitCodes) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kLockTimeout), "lock_timeout");
  EXPECT_EQ(ExitCodeFor(ErrorCode::kLockTimeout), 75);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kUnknownCommand), 2);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kUsage), 2);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kDataNotFound), 1);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNotInitialized), "not_initialized");
}

TEST(StatusTest, ResultPropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd");
}

TEST(StatusTest, ErrnoIsPreserved) {
  Status s = ErrnoError("cannot read", "/x", ENOENT);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.code(), ErrorCode::kIoError);
  EXPECT_NE(s.message().find("/x"), std::string::npos);
  EXPECT_FALSE(ErrnoError("cannot read", "/x", EIO).IsNotFound());
}

}  // namespace
}  // namespace fen
