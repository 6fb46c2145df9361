// In-process tests of `fen datastore status`.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/app.h"
#include "cli/cli_test_util.h"
#include "fen/base/json_text.h"
#include "repo/repo_test_util.h"

namespace fen::cli {
namespace {

using repo_test::ScopedEnv;
using repo_test::TempDir;
using repo_test::WriteText;

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(DatastoreCommandsTest, StatusOnFixtureCopy) {
  ScopedEnv no_env("SWAMP_DATASTORE", nullptr);
  TempDir dir;
  std::string repo = repo_test::CopyFixtureRepo(dir);
  ASSERT_FALSE(repo.empty());
  auto before = Listing(repo + "/.swamp");
  CliRun r = Fen({"datastore", "status", "--repo-dir", repo, "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["type"], "filesystem");
  EXPECT_EQ(j["path"], repo + "/.swamp");
  EXPECT_EQ(j["source"], "default");
  EXPECT_TRUE(j["namespace"].is_null());
  EXPECT_EQ(j["repoDir"], repo);
  EXPECT_EQ(j["dataRoot"], repo + "/.swamp/data");
  EXPECT_EQ(j["healthy"], true);
  EXPECT_EQ(j["health"]["exists"], true);
  EXPECT_EQ(j["health"]["isDirectory"], true);
  EXPECT_EQ(j["health"]["writable"], true);
  EXPECT_TRUE(j["health"]["latencyMs"].is_number());
  EXPECT_GE(j["health"]["latencyMs"].get<double>(), 0.0);
  EXPECT_FALSE(j["health"].contains("error"));
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"type", "path", "source", "namespace", "repoDir",
                                            "dataRoot", "healthy", "health"}));
  EXPECT_EQ(Listing(repo + "/.swamp"), before);  // the probe file is gone
}

TEST(DatastoreCommandsTest, SourcesAndNamespace) {
  TempDir dir;
  std::string repo = repo_test::CopyFixtureRepo(dir);
  ASSERT_FALSE(repo.empty());
  std::filesystem::create_directories(dir / "other");
  {
    ScopedEnv env("SWAMP_DATASTORE", nullptr);
    CliRun flag = Fen({"datastore", "status", "--repo-dir", repo, "--json", "--datastore",
                       "filesystem:" + (dir / "other") + "#team-a"});
    ASSERT_EQ(flag.rc, 0) << flag.err;
    Json j = Json::parse(flag.out);
    EXPECT_EQ(j["source"], "flag");
    EXPECT_EQ(j["path"], dir / "other");
    EXPECT_EQ(j["namespace"], "team-a");
    EXPECT_EQ(j["dataRoot"], dir / "other/team-a/data");
  }
  {
    ScopedEnv env("SWAMP_DATASTORE", (dir / "other").c_str());
    CliRun r = Fen({"datastore", "status", "--repo-dir", repo, "--json", "--datastore", "/x"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(Json::parse(r.out)["source"], "env");  // env is read before the flag (swamp)
  }
  {
    ScopedEnv env("SWAMP_DATASTORE", nullptr);
    std::string marker = repo_test::ReadText(repo + "/.swamp.yaml");
    WriteText(repo + "/.swamp.yaml", marker + "datastore:\n  type: filesystem\n  path: ../other\n");
    CliRun r = Fen({"datastore", "status", "--repo-dir", repo, "--json"});
    ASSERT_EQ(r.rc, 0) << r.err;
    Json j = Json::parse(r.out);
    EXPECT_EQ(j["source"], "config");
    EXPECT_EQ(j["path"], dir / "other");
  }
}

TEST(DatastoreCommandsTest, UnhealthyDatastoreIsReportedWithExitZero) {
  TempDir dir;
  std::string repo = repo_test::CopyFixtureRepo(dir);
  ASSERT_FALSE(repo.empty());
  WriteText(dir / "file", "x");
  {
    ScopedEnv env("SWAMP_DATASTORE", (dir / "file").c_str());
    CliRun r = Fen({"datastore", "status", "--repo-dir", repo, "--json"});
    ASSERT_EQ(r.rc, 0) << r.err;
    Json j = Json::parse(r.out);
    EXPECT_EQ(j["healthy"], false);
    EXPECT_EQ(j["health"]["exists"], true);
    EXPECT_EQ(j["health"]["isDirectory"], false);
    EXPECT_TRUE(j["health"]["latencyMs"].is_null());
    EXPECT_EQ(j["health"]["error"], "Datastore path is not a directory: " + (dir / "file"));
  }
  {
    ScopedEnv env("SWAMP_DATASTORE", (dir / "missing").c_str());
    CliRun r = Fen({"datastore", "status", "--repo-dir", repo});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(
        r.out.find("Health: unhealthy: Datastore directory does not exist: " + (dir / "missing")),
        std::string::npos)
        << r.out;
  }
}

TEST(DatastoreCommandsTest, ErrorsForMissingRepoAndBadConfig) {
  ScopedEnv no_env("SWAMP_DATASTORE", nullptr);
  TempDir dir;
  CliRun missing = Fen({"datastore", "status", "--repo-dir", dir.path(), "--json"});
  EXPECT_EQ(missing.rc, 1);
  Json e = Json::parse(missing.err);
  EXPECT_EQ(e["code"], "not_initialized");
  EXPECT_EQ(e["error"].get<std::string>().rfind("Not a swamp repository: " + dir.path(), 0), 0u);

  WriteText(dir / ".swamp.yaml", "swampVersion: x\ndatastore: s3:bucket\n");
  CliRun bad = Fen({"datastore", "status", "--repo-dir", dir.path(), "--json"});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(Json::parse(bad.err)["code"], "invalid_config");

  WriteText(dir / ".swamp.yaml", "swampVersion: [\n");
  CliRun malformed = Fen({"datastore", "status", "--repo-dir", dir.path()});
  EXPECT_EQ(malformed.rc, 1);
  EXPECT_EQ(malformed.err.rfind("Error: Invalid " + (dir / ".swamp.yaml") + ": malformed YAML", 0),
            0u)
      << malformed.err;
  EXPECT_EQ(std::count(malformed.err.begin(), malformed.err.end(), '\n'), 1);
}

}  // namespace
}  // namespace fen::cli
