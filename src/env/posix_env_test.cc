// PosixEnv::RealPath asks the kernel (an O_PATH open and /proc/self/fd); these tests hold it
// to realpath(3), which it replaced (docs/design/storage.md §7).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "fen/env/env.h"

namespace fen {
namespace {

class PosixEnvRealPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fen-realpath-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(::mkdir((dir_ + "/real").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((dir_ + "/real/sub").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((dir_ + "/other").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((dir_ + "/real/x (deleted)").c_str(), 0755), 0);
    std::ofstream(dir_ + "/real/file") << "f";
    ASSERT_EQ(::symlink("real", (dir_ + "/rel-link").c_str()), 0);
    ASSERT_EQ(::symlink((dir_ + "/other").c_str(), (dir_ + "/real/abs-link").c_str()), 0);
    ASSERT_EQ(::symlink("../rel-link/sub", (dir_ + "/other/chain").c_str()), 0);
    ASSERT_EQ(::symlink("loop-b", (dir_ + "/loop-a").c_str()), 0);
    ASSERT_EQ(::symlink("loop-a", (dir_ + "/loop-b").c_str()), 0);
    ASSERT_EQ(::symlink("nowhere", (dir_ + "/dangling").c_str()), 0);
  }
  void TearDown() override { (void)Env::Default()->RemoveTree(dir_); }

  // realpath(3)'s answer; `*err` receives its errno, or 0.
  static std::string Reference(const std::string& path, int* err) {
    char* p = ::realpath(path.c_str(), nullptr);
    *err = p == nullptr ? errno : 0;
    if (p == nullptr) return "";
    std::string out(p);
    std::free(p);
    return out;
  }

  void ExpectSameAsRealpath(const std::string& path) {
    int err = 0;
    std::string want = Reference(path, &err);
    auto got = Env::Default()->RealPath(path);
    if (err == 0) {
      ASSERT_TRUE(got.ok()) << path << ": " << got.status().ToString();
      EXPECT_EQ(*got, want) << path;
    } else {
      ASSERT_FALSE(got.ok()) << path << " resolved to " << *got;
      EXPECT_EQ(got.status().sys_errno(), err) << path << ": " << got.status().ToString();
      EXPECT_EQ(got.status().message(),
                "cannot resolve " + path + ": " + std::string(std::strerror(err)));
    }
  }

  std::string dir_;
};

TEST_F(PosixEnvRealPathTest, ResolvesLikeRealpath) {
  int checked = 0;
  for (const std::string rel :
       {"real", "real/sub", "real/file", "rel-link", "rel-link/sub", "real/abs-link",
        "real/abs-link/chain", "real/abs-link/chain/..", "rel-link/../other/./chain", "real//sub/",
        "real/x (deleted)", "dangling", "missing", "missing/deeper", "real/file/under-a-file",
        "loop-a", "loop-a/x", "rel-link/sub/../../loop-b"}) {
    ExpectSameAsRealpath(dir_ + "/" + rel);
    ++checked;
  }
  ExpectSameAsRealpath("/");
  ExpectSameAsRealpath("");
  ExpectSameAsRealpath(std::string(PATH_MAX + 10, 'a'));
  EXPECT_EQ(checked, 18);
}

TEST_F(PosixEnvRealPathTest, RelativePathsResolveFromTheWorkingDirectory) {
  char cwd[PATH_MAX];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(::chdir((dir_ + "/rel-link").c_str()), 0);
  for (const std::string rel : {".", "sub", "../other/chain", "abs-link/../real", "nope"}) {
    ExpectSameAsRealpath(rel);
  }
  auto here = Env::Default()->RealPath(".");
  ASSERT_EQ(::chdir(cwd), 0);
  ASSERT_TRUE(here.ok());
  int err = 0;
  EXPECT_EQ(*here, Reference(dir_, &err) + "/real");
  EXPECT_EQ(err, 0);
}

// The kernel names a removed working directory "<path> (deleted)". Here a directory by that
// very name exists, so only the inode check tells the kernel's name is not the answer.
TEST_F(PosixEnvRealPathTest, ARemovedDirectoryIsNotMistakenForItsNamesake) {
  const std::string gone = dir_ + "/real/gone";
  ASSERT_EQ(::mkdir(gone.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((gone + " (deleted)").c_str(), 0755), 0);
  char cwd[PATH_MAX];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(::chdir(gone.c_str()), 0);
  ASSERT_EQ(::rmdir(gone.c_str()), 0);
  auto got = Env::Default()->RealPath(".");
  int err = 0;
  std::string want = Reference(".", &err);
  ASSERT_EQ(::chdir(cwd), 0);
  EXPECT_EQ(err, ENOENT) << want;
  ASSERT_FALSE(got.ok()) << "resolved to " << *got;
  EXPECT_TRUE(got.status().IsNotFound()) << got.status().ToString();
}

// With no descriptor to spare the O_PATH open fails (EMFILE); realpath(3) needs none.
TEST_F(PosixEnvRealPathTest, ResolvesWithoutAFreeDescriptor) {
  // A call with descriptors to spare first: UBSan checks the dynamic type of a virtual call's
  // object once per type, and that first check needs a pipe (sanitizer_common's readability
  // probe), which it could not create below.
  Env* env = Env::Default();
  ASSERT_TRUE(env->RealPath(dir_).ok());
  int lowest_free = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(lowest_free, 0);
  ::close(lowest_free);
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(lowest_free);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
  const int open_errno = ::open("/dev/null", O_RDONLY | O_CLOEXEC) < 0 ? errno : 0;
  auto got = env->RealPath(dir_ + "/rel-link/sub");
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_EQ(open_errno, EMFILE);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  int err = 0;
  EXPECT_EQ(*got, Reference(dir_ + "/real/sub", &err));
  EXPECT_EQ(err, 0);
}

TEST_F(PosixEnvRealPathTest, MissingPathIsNotFound) {
  auto got = Env::Default()->RealPath(dir_ + "/missing");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsNotFound()) << got.status().ToString();
}

}  // namespace
}  // namespace fen
