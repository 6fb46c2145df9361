#include "locking/filesystem_check.h"

#include <gtest/gtest.h>

namespace fen::locking {
namespace {

const char* kMountInfo =
    "22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda rw,errors=remount-ro\n"
    "40 22 0:35 / /mnt/shared rw,relatime shared:20 - nfs4 srv:/export "
    "rw,vers=4.2,rsize=1048576,hard,proto=tcp,local_lock=none,addr=10.0.0.2\n"
    "41 22 0:36 / /mnt/local\\040lock rw,relatime - nfs srv:/old "
    "rw,vers=3,nolock,proto=tcp,local_lock=all,addr=10.0.0.3\n"
    "42 22 0:37 / /mnt/posix rw - nfs4 srv:/p rw,vers=4.1,local_lock=posix\n"
    "43 22 0:38 / /mnt/flock rw - nfs4 srv:/f rw,vers=4.1,local_lock=flock\n"
    "garbage line without separator\n"
    "44 22 0:39 / /mnt/smb rw - cifs //srv/share rw,vers=3.0\n";

TEST(FilesystemCheckTest, ParsesMountInfo) {
  auto mounts = ParseMountInfo(kMountInfo);
  ASSERT_EQ(mounts.size(), 6u);
  EXPECT_EQ(mounts[1].mount_point, "/mnt/shared");
  EXPECT_EQ(mounts[1].fstype, "nfs4");
  EXPECT_EQ(mounts[1].source, "srv:/export");
  EXPECT_EQ(mounts[2].mount_point, "/mnt/local lock");  // \040 unescaped
  EXPECT_NE(mounts[2].super_options.find("nolock"), std::string::npos);
  EXPECT_EQ(FindMount(mounts, "/mnt/shared/repo/.swamp")->mount_point, "/mnt/shared");
  EXPECT_EQ(FindMount(mounts, "/mnt/sharedx")->mount_point, "/");
  EXPECT_EQ(FindMount(mounts, "/mnt/local lock/d")->fstype, "nfs");
}

TEST(FilesystemCheckTest, RefusesHostLocalNfsLocksUnlessSingleHost) {
  auto mounts = ParseMountInfo(kMountInfo);
  std::string warning;
  EXPECT_TRUE(
      EvaluateLockFilesystem(kNfsMagic, FindMount(mounts, "/mnt/shared/d"), false, &warning).ok());
  EXPECT_TRUE(
      EvaluateLockFilesystem(kNfsMagic, FindMount(mounts, "/mnt/flock/d"), false, &warning).ok());
  for (const char* path : {"/mnt/local lock/d", "/mnt/posix/d"}) {
    Status s = EvaluateLockFilesystem(kNfsMagic, FindMount(mounts, path), false, &warning);
    EXPECT_EQ(s.code(), ErrorCode::kLockUnsupportedFilesystem) << path;
    EXPECT_NE(s.message().find("FEN_SINGLE_HOST=1"), std::string::npos);
    EXPECT_TRUE(EvaluateLockFilesystem(kNfsMagic, FindMount(mounts, path), true, &warning).ok());
  }
  Status s = EvaluateLockFilesystem(kNfsMagic, FindMount(mounts, "/mnt/posix/d"), false, &warning);
  EXPECT_NE(s.message().find("\"local_lock=posix\""), std::string::npos) << s.message();
}

TEST(FilesystemCheckTest, WarnsOnSmbFuse9p) {
  auto mounts = ParseMountInfo(kMountInfo);
  std::string warning;
  EXPECT_TRUE(
      EvaluateLockFilesystem(kCifsMagic, FindMount(mounts, "/mnt/smb/x"), false, &warning).ok());
  EXPECT_NE(warning.find("SMB/CIFS"), std::string::npos);
  EXPECT_TRUE(EvaluateLockFilesystem(kFuseMagic, nullptr, true, &warning).ok());
  EXPECT_TRUE(warning.empty());
  EXPECT_TRUE(EvaluateLockFilesystem(0xEF53, nullptr, false, &warning).ok());  // ext4
  EXPECT_TRUE(warning.empty());
  // The real machine's lock directory is checked without error.
  EXPECT_TRUE(CheckLockFilesystem("/tmp/does/not/exist", false, &warning).ok());
}

}  // namespace
}  // namespace fen::locking
