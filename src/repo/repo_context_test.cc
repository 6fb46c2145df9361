#include "fen/repo/repo_context.h"

#include <gtest/gtest.h>

#include "repo/repo_test_util.h"

namespace fen {
namespace {

using repo_test::ReadText;
using repo_test::TempDir;
using repo_test::WriteText;

const char kMarker[] =
    "swampVersion: 20260206.200442.0\ninitializedAt: \"2026-01-01T00:00:00.000Z\"\n";

struct Opts {
  std::map<std::string, std::string> env;
  RepoOpenOptions o;
  Opts() { o.env_override = &env; }
};

std::string MakeDeep(const TempDir& dir, int depth) {
  std::string p = dir.path();
  for (int i = 0; i < depth; ++i) p += "/d" + std::to_string(i);
  std::filesystem::create_directories(p);
  return p;
}

TEST(RepoContextTest, RepoDirFlagWinsOverEnvAndSearch) {
  TempDir dir;
  WriteText(dir / "flag/.swamp.yaml", kMarker);
  WriteText(dir / "env/.swamp.yaml", kMarker);
  WriteText(dir / "cwd/.swamp.yaml", kMarker);
  Opts t;
  t.o.cwd = dir / "cwd";
  t.env["SWAMP_REPO_DIR"] = dir / "env";
  t.o.repo_dir_flag = "../flag";  // relative to the cwd
  auto ctx = OpenRepo(Env::Default(), t.o);
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  EXPECT_EQ(ctx->repo_dir, dir / "flag");
  t.o.repo_dir_flag.clear();
  EXPECT_EQ(OpenRepo(Env::Default(), t.o)->repo_dir, dir / "env");
  t.env["SWAMP_REPO_DIR"] = "";  // empty = unset
  EXPECT_EQ(OpenRepo(Env::Default(), t.o)->repo_dir, dir / "cwd");
}

TEST(RepoContextTest, UpwardSearchFindsAncestorMarker) {
  TempDir dir;
  WriteText(dir / ".swamp.yaml", kMarker);
  Opts t;
  t.o.cwd = MakeDeep(dir, 3);
  auto ctx = OpenRepo(Env::Default(), t.o);
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  EXPECT_EQ(ctx->repo_dir, dir.path());
}

TEST(RepoContextTest, UpwardSearchChecksTenDirectoriesAtMost) {
  TempDir dir;
  WriteText(dir / ".swamp.yaml", kMarker);
  Opts t;
  t.o.cwd = MakeDeep(dir, 9);  // the marker is in the 10th directory checked
  auto found = OpenRepo(Env::Default(), t.o);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->repo_dir, dir.path());

  t.o.cwd = MakeDeep(dir, 10);  // the 11th: not searched
  auto missed = OpenRepo(Env::Default(), t.o);
  ASSERT_FALSE(missed.ok());
  EXPECT_EQ(missed.status().code(), ErrorCode::kNotInitialized);
  EXPECT_EQ(missed.status().message(),
            "Not a swamp repository: " + t.o.cwd +
                ". To initialize a new repository, run 'swamp repo init', or specify an existing "
                "repository with 'swamp <command> --repo-dir /path/to/repo'.");
}

TEST(RepoContextTest, UpwardSearchStopsAfterGitTopLevel) {
  TempDir dir;
  WriteText(dir / ".swamp.yaml", kMarker);
  std::filesystem::create_directories(dir / "work/.git");
  std::filesystem::create_directories(dir / "work/src/lib");
  Opts t;
  t.o.cwd = dir / "work/src/lib";
  auto ctx = OpenRepo(Env::Default(), t.o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().code(), ErrorCode::kNotInitialized);

  // A marker in the git top-level itself is still found; a `.git` file (worktree) counts.
  WriteText(dir / "work/.swamp.yaml", kMarker);
  EXPECT_EQ(OpenRepo(Env::Default(), t.o)->repo_dir, dir / "work");
  std::filesystem::remove(dir / "work/.swamp.yaml");
  std::filesystem::remove_all(dir / "work/.git");
  WriteText(dir / "work/.git", "gitdir: /elsewhere\n");
  EXPECT_FALSE(OpenRepo(Env::Default(), t.o).ok());
  std::filesystem::remove(dir / "work/.git");
  EXPECT_EQ(OpenRepo(Env::Default(), t.o)->repo_dir, dir.path());
}

TEST(RepoContextTest, MarkerMustBeRegularFile) {
  TempDir dir;
  std::filesystem::create_directories(dir / ".swamp.yaml");
  Opts t;
  t.o.cwd = dir.path();
  EXPECT_EQ(OpenRepo(Env::Default(), t.o).status().code(), ErrorCode::kNotInitialized);
}

TEST(RepoContextTest, PartiallyInitializedMessage) {
  TempDir dir;
  std::filesystem::create_directories(dir / ".swamp/data");
  Opts t;
  t.o.repo_dir_flag = dir.path();
  auto ctx = OpenRepo(Env::Default(), t.o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().code(), ErrorCode::kNotInitialized);
  EXPECT_EQ(ctx.status().message().rfind(
                "Found a .swamp/ directory at " + dir.path() +
                    " but no .swamp.yaml marker — the repository appears partially initialized "
                    "or corrupted.",
                0),
            0u)
      << ctx.status().message();
}

TEST(RepoContextTest, DefaultDatastoreFillsEveryField) {
  TempDir dir;
  WriteText(dir / ".swamp.yaml", std::string(kMarker) + "autoGc: true\nlogLevel: debug\n");
  Opts t;
  t.o.repo_dir_flag = dir.path();
  auto ctx = OpenRepo(Env::Default(), t.o);
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  EXPECT_EQ(ctx->repo_dir, dir.path());
  EXPECT_EQ(ctx->datastore_type, "filesystem");
  EXPECT_EQ(ctx->datastore_root, dir / ".swamp");
  EXPECT_EQ(ctx->datastore_source, "default");
  EXPECT_EQ(ctx->ns, "");
  EXPECT_EQ(ctx->data_root, dir / ".swamp/data");
  EXPECT_EQ(ctx->fen_dir, dir / ".swamp/.fen");
  EXPECT_EQ(ctx->outputs_dir, dir / ".swamp/outputs");
  EXPECT_EQ(ctx->models_dir, dir / "models");
  EXPECT_TRUE(ctx->auto_gc);
  EXPECT_EQ(ctx->log_level, "debug");
}

TEST(RepoContextTest, DatastoreResolutionOrder) {
  TempDir dir;
  WriteText(
      dir / ".swamp.yaml",
      std::string(kMarker) + "datastore:\n  type: filesystem\n  path: cfg\n  namespace: ns1\n");
  Opts t;
  t.o.repo_dir_flag = dir.path();
  t.o.cwd = dir / "sub";
  std::filesystem::create_directories(t.o.cwd);

  auto cfg = OpenRepo(Env::Default(), t.o);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->datastore_source, "config");
  EXPECT_EQ(cfg->datastore_root, dir / "cfg");  // relative to the repo
  EXPECT_EQ(cfg->ns, "ns1");
  EXPECT_EQ(cfg->data_root, dir / "cfg/ns1/data");
  EXPECT_EQ(cfg->fen_dir, dir / "cfg/ns1/.fen");
  EXPECT_EQ(cfg->outputs_dir, dir / "cfg/ns1/outputs");

  t.o.datastore_flag = "filesystem:flagds";  // relative to the cwd
  auto flag = OpenRepo(Env::Default(), t.o);
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->datastore_source, "flag");
  EXPECT_EQ(flag->datastore_root, dir / "sub/flagds");
  EXPECT_EQ(flag->ns, "ns1");  // the repo's namespace still applies

  t.env["SWAMP_DATASTORE"] = dir / "envds";
  auto env = OpenRepo(Env::Default(), t.o);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->datastore_source, "env");
  EXPECT_EQ(env->datastore_root, dir / "envds");

  t.env["SWAMP_DATASTORE"] = "filesystem:" + (dir / "envds") + "#other";
  EXPECT_EQ(OpenRepo(Env::Default(), t.o)->ns, "other");
}

TEST(RepoContextTest, UnknownDatastoreTypeIsInvalidConfig) {
  TempDir dir;
  WriteText(dir / ".swamp.yaml", kMarker);
  Opts t;
  t.o.repo_dir_flag = dir.path();
  t.env["SWAMP_DATASTORE"] = "s3:bucket";
  auto r = OpenRepo(Env::Default(), t.o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidConfig);
  EXPECT_NE(r.status().message().find("s3:bucket"), std::string::npos);

  t.env.clear();
  WriteText(dir / ".swamp.yaml", std::string(kMarker) + "datastore:\n  type: s3\n");
  EXPECT_EQ(OpenRepo(Env::Default(), t.o).status().code(), ErrorCode::kInvalidConfig);
}

TEST(RepoContextTest, MalformedMarkerIsInvalidConfigAndUntouched) {
  TempDir dir;
  const std::string bad = "swampVersion: 1\n  bad indent: [\n";
  WriteText(dir / ".swamp.yaml", bad);
  Opts t;
  t.o.repo_dir_flag = dir.path();
  auto r = OpenRepo(Env::Default(), t.o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidConfig);
  EXPECT_NE(r.status().message().find(dir / ".swamp.yaml"), std::string::npos);
  EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  EXPECT_EQ(ReadText(dir / ".swamp.yaml"), bad);
}

TEST(RepoContextTest, DatastoreThatIsAFileIsUnavailable) {
  TempDir dir;
  WriteText(dir / ".swamp.yaml", kMarker);
  WriteText(dir / ".swamp", "not a dir");
  Opts t;
  t.o.repo_dir_flag = dir.path();
  auto r = OpenRepo(Env::Default(), t.o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kDatastoreUnavailable);
  EXPECT_EQ(r.status().message(), "Datastore path is not a directory: " + (dir / ".swamp"));
  EXPECT_TRUE(ResolveRepo(Env::Default(), t.o).ok());  // resolution alone does not check

  // A missing datastore directory is fine (created lazily).
  std::filesystem::remove(dir / ".swamp");
  EXPECT_TRUE(OpenRepo(Env::Default(), t.o).ok());

  // A path under a regular file cannot be stat'ed: "Cannot access datastore at ...".
  WriteText(dir / "file", "x");
  t.env["SWAMP_DATASTORE"] = dir / "file/ds";
  auto under = OpenRepo(Env::Default(), t.o);
  ASSERT_FALSE(under.ok());
  EXPECT_EQ(under.status().code(), ErrorCode::kDatastoreUnavailable);
  EXPECT_EQ(
      under.status().message().rfind("Cannot access datastore at " + (dir / "file/ds") + ": ", 0),
      0u)
      << under.status().message();
}

}  // namespace
}  // namespace fen
