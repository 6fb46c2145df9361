#include "fen/env/read_many.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

namespace fen {
namespace {

class ReadManyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fen-readmany-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/a") << "alpha";
    ASSERT_EQ(::mkdir((dir_ + "/sub").c_str(), 0755), 0);
    std::ofstream(dir_ + "/sub/b") << std::string(10000, 'b');  // more than one read buffer
    ASSERT_EQ(::mkfifo((dir_ + "/fifo").c_str(), 0644), 0);
  }
  void TearDown() override { (void)Env::Default()->RemoveTree(dir_); }
  std::string dir_;
};

TEST_F(ReadManyTest, BytesAndTheStampOfTheFileReadLikeStatThenReadFile) {
  Env* env = Env::Default();
  for (bool stamp : {true, false}) {
    auto got = ReadMany(env, dir_, {"a", "sub/b", "missing", "sub", "fifo"}, stamp);
    ASSERT_EQ(got.size(), 5u);
    ASSERT_TRUE(got[0].ok());
    EXPECT_EQ(got[0]->bytes, "alpha");
    ASSERT_TRUE(got[1].ok());
    EXPECT_EQ(got[1]->bytes, std::string(10000, 'b'));
    if (stamp) {
      auto st = env->Stat(dir_ + "/a");
      ASSERT_TRUE(st.ok());
      EXPECT_EQ(got[0]->info.ino, st->ino);
      EXPECT_EQ(got[0]->info.size, 5u);
      EXPECT_EQ(got[0]->info.mtime_ns, st->mtime_ns);
      EXPECT_EQ(got[0]->info.ctime_ns, st->ctime_ns);
      EXPECT_EQ(got[0]->info.type, FileType::kRegular);
    }
    ASSERT_FALSE(got[2].ok());
    EXPECT_TRUE(got[2].status().IsNotFound());
    EXPECT_NE(got[2].status().message().find(dir_ + "/missing"), std::string::npos);
    EXPECT_FALSE(got[3].ok());  // a directory is not a file (EISDIR), as ReadFile says
    // A FIFO without a writer never blocks: empty, or refused.
    if (got[4].ok()) {
      EXPECT_EQ(got[4]->bytes, "");
    }
  }
}

TEST_F(ReadManyTest, AMissingDirectoryFailsEveryElement) {
  auto got = ReadMany(Env::Default(), dir_ + "/nope", {"a", "b"});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].status().IsNotFound());
  EXPECT_TRUE(got[1].status().IsNotFound());
}

}  // namespace
}  // namespace fen
