#include "fen/locking/lock_layout.h"

#include <gtest/gtest.h>

#include "fen/base/sha256.h"

namespace fen::locking {
namespace {

// locking.md §7.1 #12.
TEST(LockLayoutTest, ParseModelSpecSplitsOnLastSlash) {
  auto a = ParseModelSpec("aws-ec2/x");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->type, "aws-ec2");
  EXPECT_EQ(a->id, "x");
  auto b = ParseModelSpec("@org/name/x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->type, "@org/name");
  EXPECT_EQ(b->id, "x");
  for (const char* bad : {"x", "/x", "x/"}) {
    auto r = ParseModelSpec(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(),
              std::string("Invalid --model format: \"") + bad +
                  "\". Expected \"type/id\" (e.g. aws-ec2/my-server, or @org/name/my-server for "
                  "scoped extension types).");
  }
}

TEST(LockLayoutTest, PathsForSoloAndNamespace) {
  auto solo = LockLayout::Make("/d", "");
  ASSERT_TRUE(solo.ok());
  EXPECT_EQ(solo->scope_dir(), "/d/.fen/locks/_solo");
  EXPECT_EQ(solo->gate_path(), "/d/.fen/locks/_solo/gate");
  EXPECT_EQ(solo->global_path(), "/d/.fen/locks/_solo/global");
  EXPECT_EQ(solo->swamp_global_path(), "/d/.datastore.lock");
  ModelRef m{"command/shell", "abc"};
  EXPECT_EQ(solo->swamp_model_path(m), "/d/data/command/shell/abc/.lock");
  EXPECT_EQ(solo->model_path(m),
            "/d/.fen/locks/_solo/models/" + Sha256Hex(std::string("command/shell\0abc", 17)));
  auto ns = LockLayout::Make("/d/", "ns1");
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns->scope_dir(), "/d/.fen/locks/ns1");
  EXPECT_EQ(ns->swamp_global_path(), "/d/.locks/ns1.lock");
  EXPECT_EQ(ns->swamp_model_path({"t", "i"}), "/d/ns1/data/t/i/.lock");
  EXPECT_FALSE(LockLayout::Make("/d", "_solo").ok());
  EXPECT_FALSE(LockLayout::Make("/d", "Bad").ok());
  EXPECT_FALSE(LockLayout::Make("/d", "a-").ok());
}

TEST(LockLayoutTest, ValidateModelRefRejectsPathTricks) {
  EXPECT_TRUE(ValidateModelRef({"@org/name", "x"}).ok());
  EXPECT_FALSE(ValidateModelRef({"a", "b/c"}).ok());
  EXPECT_FALSE(ValidateModelRef({"a/../b", "c"}).ok());
  EXPECT_FALSE(ValidateModelRef({"a", ".."}).ok());
  EXPECT_FALSE(ValidateModelRef({"", "x"}).ok());
  EXPECT_FALSE(ValidateModelRef({"a//b", "x"}).ok());
  EXPECT_FALSE(ValidateModelRef({"a\\b", "x"}).ok());
  EXPECT_FALSE(ValidateModelRef({"a", std::string("x\0y", 3)}).ok());
}

}  // namespace
}  // namespace fen::locking
