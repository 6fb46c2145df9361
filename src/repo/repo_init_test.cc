#include "fen/repo/repo_init.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "fen/base/uuid.h"
#include "fen/repo/marker.h"
#include "repo/repo_test_util.h"

namespace fen {
namespace {

using repo_test::Exists;
using repo_test::IsDir;
using repo_test::ReadText;
using repo_test::TempDir;
using repo_test::WriteText;

const std::set<std::string> kSkeleton = {"models",
                                         "workflows",
                                         "vaults",
                                         "grants",
                                         ".swamp",
                                         ".swamp/data",
                                         ".swamp/outputs",
                                         ".swamp/workflow-runs",
                                         ".swamp/workflows-evaluated",
                                         ".swamp/definitions-evaluated",
                                         ".swamp/secrets",
                                         ".swamp/audit",
                                         ".swamp/vault-bundles"};

std::set<std::string> Entries(const std::string& root, bool dirs) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_directory() == dirs) {
      out.insert(std::filesystem::relative(e.path(), root).string());
    }
  }
  return out;
}

TEST(RepoInitTest, MatchesFixtureLayoutGitignoreAndMarker) {
  TempDir dir;
  RepoInitOptions o;
  o.path = dir / "new";
  auto r = InitRepo(Env::Default(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::string repo = dir / "new";
  EXPECT_EQ(r->path, repo);
  EXPECT_EQ(r->gitignore_action, "created");
  EXPECT_EQ(r->version, "20260206.200442.0");

  // Directory layout: exactly steps 3-4; every top-level dir of the fixture is among them
  // (the fixture README lists the empty ones git did not keep).
  EXPECT_EQ(Entries(repo, true), kSkeleton);
  const std::string fx = std::string(FEN_FIXTURES_DIR) + "/swamp-repo";
  for (const auto& e : std::filesystem::directory_iterator(fx)) {
    if (e.is_directory()) {
      EXPECT_TRUE(IsDir(repo + "/" + e.path().filename().string())) << e.path();
    }
  }
  for (const auto& e : std::filesystem::directory_iterator(fx + "/.swamp")) {
    if (e.is_directory()) {
      EXPECT_TRUE(IsDir(repo + "/.swamp/" + e.path().filename().string())) << e.path();
    }
  }
  EXPECT_EQ(Entries(repo, false), (std::set<std::string>{".gitignore", ".swamp.yaml"}));

  EXPECT_EQ(ReadText(repo + "/.gitignore"), ReadText(fx + "/.gitignore"));

  // .swamp.yaml: the fixture's bytes with our id and timestamp.
  std::string marker = ReadText(repo + "/.swamp.yaml");
  auto m = Marker::Parse(marker, "m");
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->repo_id().has_value());
  EXPECT_TRUE(IsValidUuid(*m->repo_id()));
  EXPECT_EQ(m->initialized_at(), r->initialized_at);
  std::string expected = ReadText(fx + "/.swamp.yaml");
  expected.replace(expected.find("2026-11-26T20:31:14.773Z"), 24, r->initialized_at);
  expected.replace(expected.find("489f4f28-f669-41ef-871f-c9a8e92aeb3f"), 36, *m->repo_id());
  EXPECT_EQ(marker, expected);
}

TEST(RepoInitTest, AlreadyInitializedThenForce) {
  TempDir dir;
  RepoInitOptions o;
  o.path = dir.path();
  o.tools = {"claude", "cursor", "claude"};
  auto first = InitRepo(Env::Default(), o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->tools, (std::vector<std::string>{"claude", "cursor"}));
  std::string marker = ReadText(dir / ".swamp.yaml");
  EXPECT_NE(ReadText(dir / ".gitignore").find(".claude/worktrees/"), std::string::npos);

  o.tools = {};
  auto again = InitRepo(Env::Default(), o);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(),
            "Repository already initialized at " + dir.path() +
                " (tools: claude, cursor). To change the enrolled tools, run: swamp repo upgrade "
                "--tool <tool>. To reinitialize from scratch, run: swamp repo init --force --tool "
                "<tool>");
  EXPECT_EQ(ReadText(dir / ".swamp.yaml"), marker);

  // --force: new marker (extra keys dropped), removed tools reported, .gitignore updated.
  WriteText(dir / ".swamp.yaml", marker + "datastore:\n  path: elsewhere\n");
  o.force = true;
  o.tools = {"cursor"};
  auto forced = InitRepo(Env::Default(), o);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_EQ(forced->removed_tools, std::vector<std::string>{"claude"});
  EXPECT_EQ(forced->gitignore_action, "updated");
  auto m = Marker::Load(Env::Default(), dir / ".swamp.yaml");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->datastore().is_null());
  EXPECT_EQ(m->tools(), std::vector<std::string>{"cursor"});
  EXPECT_EQ(ReadText(dir / ".gitignore"),
            ReadText(std::string(FEN_FIXTURES_DIR) + "/swamp-repo/.gitignore"));

  o.tools = {"cursor"};
  auto unchanged = InitRepo(Env::Default(), o);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->gitignore_action, "unchanged");
  EXPECT_TRUE(unchanged->removed_tools.empty());
}

TEST(RepoInitTest, ToolNoneCombinedIsAnErrorAndWritesNothing) {
  TempDir dir;
  RepoInitOptions o;
  o.path = dir / "r";
  o.tools = {"claude", "none"};
  auto r = InitRepo(Env::Default(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArguments);
  EXPECT_EQ(r.status().message().rfind("Cannot combine --tool none with other --tool values. ", 0),
            0u);
  EXPECT_FALSE(Exists(dir / "r"));
  o.tools = {"none", "none"};
  auto ok = InitRepo(Env::Default(), o);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->tools.empty());
}

TEST(RepoInitTest, UnwritableTargetCreatesNothing) {
  TempDir dir;
  // Works for root too: a path under a regular file can never be created.
  WriteText(dir / "file", "x");
  RepoInitOptions o;
  o.path = dir / "file/repo";
  auto r = InitRepo(Env::Default(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Cannot initialize repository at " + (dir / "file/repo") + ": " +
                                      (dir / "file") + " is not a directory");
  EXPECT_EQ(r.status().message().find('\n'), std::string::npos);

  // A skeleton path occupied by a file: fails before creating anything.
  std::filesystem::create_directories(dir / "r2");
  WriteText(dir / "r2/.swamp", "x");
  o.path = dir / "r2";
  auto occupied = InitRepo(Env::Default(), o);
  ASSERT_FALSE(occupied.ok());
  EXPECT_NE(occupied.status().message().find("is not a directory"), std::string::npos);
  EXPECT_FALSE(Exists(dir / "r2/models"));
  EXPECT_FALSE(Exists(dir / "r2/.gitignore"));
  EXPECT_FALSE(Exists(dir / "r2/.swamp.yaml"));
}

TEST(RepoInitTest, ReadOnlyDirectoryCreatesNothing) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: chmod does not stop root from writing; the "
                    "path-under-a-file case of UnwritableTargetCreatesNothing and "
                    "RepoInitRollbackTest.UnwritableSystemDirectoryCreatesNothing cover it";
  }
  TempDir dir;
  std::filesystem::create_directories(dir / "ro");
  std::filesystem::permissions(
      dir / "ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  RepoInitOptions o;
  o.path = dir / "ro";
  auto r = InitRepo(Env::Default(), o);
  std::filesystem::permissions(dir / "ro", std::filesystem::perms::owner_all);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Cannot initialize repository at " + (dir / "ro") +
                                      ": directory " + (dir / "ro") + " is not writable");
  EXPECT_TRUE(std::filesystem::is_empty(dir / "ro"));
}

TEST(RepoInitTest, MalformedExistingMarkerWithoutForceIsReported) {
  TempDir dir;
  WriteText(dir / ".swamp.yaml", "a: [\n");
  RepoInitOptions o;
  o.path = dir.path();
  auto r = InitRepo(Env::Default(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(ReadText(dir / ".swamp.yaml"), "a: [\n");
  o.force = true;
  EXPECT_TRUE(InitRepo(Env::Default(), o).ok());
}

TEST(RepoInitTest, RelativePathAgainstCwd) {
  TempDir dir;
  RepoInitOptions o;
  o.cwd = dir.path();
  o.path = "a/b/../c/";
  auto r = InitRepo(Env::Default(), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, dir / "a/c");
  EXPECT_TRUE(Exists(dir / "a/c/.swamp.yaml"));
}

}  // namespace
}  // namespace fen

namespace fen {
namespace {

// Delegates to the POSIX Env, failing CreateDir / Rename for paths ending in `fail_suffix`:
// drives InitRepo's rollback with a real filesystem underneath.
class FailingEnv final : public Env {
 public:
  explicit FailingEnv(std::string fail_suffix) : suffix_(std::move(fail_suffix)) {}
  Result<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& p) override {
    return base_->NewExclusiveFile(p);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& p) override {
    return base_->NewAppendableFile(p);
  }
  Result<std::string> ReadFile(const std::string& p) override { return base_->ReadFile(p); }
  Status SyncDir(const std::string& p) override { return base_->SyncDir(p); }
  Status Rename(const std::string& from, const std::string& to) override {
    if (Fails(to)) return Status(ErrorCode::kIoError, "injected rename failure: " + to, EIO);
    return base_->Rename(from, to);
  }
  Status RenameNoReplace(const std::string& from, const std::string& to) override {
    return base_->RenameNoReplace(from, to);
  }
  Status Link(const std::string& from, const std::string& to) override {
    return base_->Link(from, to);
  }
  Status Unlink(const std::string& p) override { return base_->Unlink(p); }
  Status CreateDir(const std::string& p) override {
    if (Fails(p)) return Status(ErrorCode::kIoError, "injected mkdir failure: " + p, EIO);
    return base_->CreateDir(p);
  }
  Status RemoveDir(const std::string& p) override { return base_->RemoveDir(p); }
  Status RemoveTree(const std::string& p) override { return base_->RemoveTree(p); }
  Result<std::vector<DirEntry>> ListDir(const std::string& p) override { return base_->ListDir(p); }
  Result<FileInfo> Stat(const std::string& p) override { return base_->Stat(p); }
  Result<FileInfo> Lstat(const std::string& p) override { return base_->Lstat(p); }
  Result<std::string> ReadLink(const std::string& p) override { return base_->ReadLink(p); }
  Result<std::string> RealPath(const std::string& p) override { return base_->RealPath(p); }
  bool Access(const std::string& p, int mode) override { return base_->Access(p, mode); }

 private:
  bool Fails(const std::string& p) const {
    return p.size() >= suffix_.size() &&
           p.compare(p.size() - suffix_.size(), suffix_.size(), suffix_) == 0;
  }
  Env* base_ = Env::Default();
  std::string suffix_;
};

TEST(RepoInitRollbackTest, FailedMkdirRemovesWhatWasCreated) {
  TempDir dir;
  FailingEnv env("/.swamp/audit");
  RepoInitOptions o;
  o.path = dir / "new/repo";
  auto r = InitRepo(&env, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("injected mkdir failure"), std::string::npos);
  EXPECT_FALSE(Exists(dir / "new"));  // even the created parents are gone
}

TEST(RepoInitRollbackTest, FailedMarkerWriteRestoresGitignoreAndDirs) {
  TempDir dir;
  std::filesystem::create_directories(dir / "models");
  WriteText(dir / ".gitignore", "mine\n");
  FailingEnv env("/.swamp.yaml");
  RepoInitOptions o;
  o.path = dir.path();
  auto r = InitRepo(&env, o);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(Exists(dir / ".swamp.yaml"));
  EXPECT_EQ(ReadText(dir / ".gitignore"), "mine\n");
  EXPECT_TRUE(IsDir(dir / "models"));  // existed before: kept
  EXPECT_FALSE(Exists(dir / ".swamp"));
  EXPECT_FALSE(Exists(dir / "grants"));
  // No temp files left behind either.
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
}

TEST(RepoInitRollbackTest, UnwritableSystemDirectoryCreatesNothing) {
  // /proc refuses mkdir even to root (whose access(W_OK) check passes), so this exercises the
  // preflight for normal users and the creation failure + rollback for root.
  RepoInitOptions o;
  o.path = "/proc/fen-init-test-" + NewUuidV4();
  auto r = InitRepo(Env::Default(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  EXPECT_FALSE(Exists(o.path));
}

}  // namespace
}  // namespace fen
