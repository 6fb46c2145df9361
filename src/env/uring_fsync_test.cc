#include "env/uring_fsync.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <thread>

#include "fen/env/env.h"
#include "fen/env/sync_group.h"

namespace fen {
namespace {

class UringFsyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fen-uring-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)Env::Default()->RemoveTree(dir_); }
  int NewFile(const std::string& name) {
    int fd = ::open((dir_ + "/" + name).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::write(fd, "x", 1), 1);
    return fd;
  }
  std::string dir_;
};

TEST_F(UringFsyncTest, EveryDescriptorGetsItsOwnResultInOrder) {
  int a = NewFile("a"), b = NewFile("b");
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  auto errors = UringFsyncAll({a, -1, pipe_fds[0], b});
  if (!errors) GTEST_SKIP() << "io_uring unavailable here";
  ASSERT_EQ(errors->size(), 4u);
  EXPECT_EQ((*errors)[0], 0);
  EXPECT_EQ((*errors)[1], EBADF);   // not a descriptor
  EXPECT_EQ((*errors)[2], EINVAL);  // a pipe cannot be fsynced: fsync(2) says EINVAL too
  EXPECT_EQ((*errors)[3], 0);       // attempted after the failures
  for (int fd : {a, b, pipe_fds[0], pipe_fds[1]}) ::close(fd);
}

TEST_F(UringFsyncTest, MoreDescriptorsThanTheRingHoldsAreAllSynced) {
  std::vector<int> fds;
  for (int i = 0; i < 70; ++i) fds.push_back(NewFile("f" + std::to_string(i)));
  fds[45] = -1;  // one bad descriptor in the second chunk
  auto errors = UringFsyncAll(fds);
  if (!errors) GTEST_SKIP() << "io_uring unavailable here";
  ASSERT_EQ(errors->size(), 70u);
  for (size_t i = 0; i < fds.size(); ++i) EXPECT_EQ((*errors)[i], i == 45 ? EBADF : 0) << i;
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
}

// Four threads at once, each with a bad descriptor at its own position: a completion reaped by
// the wrong thread, or attributed to the wrong slot, shows as a misplaced EBADF.
TEST_F(UringFsyncTest, EachThreadUsesItsOwnRing) {
  if (!UringFsyncAll({}).has_value()) GTEST_SKIP() << "io_uring unavailable here";
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0}, rounds{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<int> fds;
      for (int i = 0; i < 5; ++i) {
        fds.push_back(NewFile(std::to_string(t) + "-" + std::to_string(i)));
      }
      const int good = fds[static_cast<size_t>(t)];
      fds[static_cast<size_t>(t)] = -1;
      for (int round = 0; round < 50; ++round) {
        auto errors = UringFsyncAll(fds);
        if (!errors || errors->size() != fds.size()) {
          ++wrong;
          continue;
        }
        for (size_t i = 0; i < fds.size(); ++i) {
          wrong += (*errors)[i] != (i == static_cast<size_t>(t) ? EBADF : 0);
        }
        ++rounds;
      }
      fds[static_cast<size_t>(t)] = good;
      for (int fd : fds) ::close(fd);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(rounds.load(), 200);
}

// PosixEnv::SyncBatch (the io_uring path for its own files): files and directories synced,
// a directory that cannot be opened named in the error, the others still synced.
TEST_F(UringFsyncTest, PosixEnvBatchReportsTheFirstFailureByItem) {
  Env* env = Env::Default();
  auto f1 = env->NewExclusiveFile(dir_ + "/one");
  auto f2 = env->NewExclusiveFile(dir_ + "/two");
  ASSERT_TRUE(f1.ok() && f2.ok());
  ASSERT_TRUE((*f1)->Append("1").ok());
  ASSERT_TRUE(env->CreateDir(dir_ + "/sub").ok());
  EXPECT_TRUE(env->SyncBatch({f1->get(), f2->get()}, {dir_, dir_ + "/sub"}).ok());

  Status missing = env->SyncBatch({f1->get(), f2->get()}, {dir_, dir_ + "/absent", dir_ + "/sub"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.sys_errno(), ENOENT);
  EXPECT_NE(missing.message().find(dir_ + "/absent"), std::string::npos) << missing.message();

  ASSERT_TRUE((*f2)->Close().ok());  // a closed file cannot be synced: its path is named
  Status closed = env->SyncBatch({f1->get(), f2->get()}, {dir_});
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.sys_errno(), EBADF);
  EXPECT_NE(closed.message().find(dir_ + "/two"), std::string::npos) << closed.message();

  SyncGroup group(env);  // the same through a round
  group.AddFile(f1->get());
  group.AddDir(dir_);
  group.AddDir(dir_ + "/sub");
  EXPECT_TRUE(group.Sync().ok());
}

}  // namespace
}  // namespace fen
