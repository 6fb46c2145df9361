// Process-level tests of `fen model create/get/search/validate/delete` on fixture copies.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fen/base/json_text.h"
#include "models/model_test_util.h"

namespace fen::models {
namespace {

using testing::CopyFixtureRepo;
using testing::RunFenProcess;
using testing::Slurp;
using testing::TempDir;

Json Fixture(const std::string& name) {
  return Json::parse(Slurp(std::string(FEN_FIXTURES_DIR) + "/swamp-repo-outputs/" + name));
}

TEST(ModelCommandsTest, CreateMatchesFixtureOutputAndFile) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto r = RunFenProcess({"model", "create", "command/shell", "fresh", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json got = Json::parse(r.out);
  Json want = Fixture("create_hello.json");
  std::string id = got["id"];
  want["id"] = id;
  want["name"] = "fresh";
  want["path"] = repo + "/models/command/shell/fresh.yaml";
  EXPECT_EQ(ToPrettyJson(got), ToPrettyJson(want));
  EXPECT_EQ(Slurp(repo + "/models/command/shell/fresh.yaml"),
            "type: command/shell\ntypeVersion: 2026.02.09.1\nid: " + id +
                "\nname: fresh\nversion: 1\ntags: {}\nglobalArguments: {}\nmethods: {}\n");
  // Names are unique across the repo; bad names and unknown types are refused.
  auto dup = RunFenProcess({"model", "create", "command/shell", "hello", "--json"}, repo);
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_EQ(Json::parse(dup.err)["error"], "Model already exists: hello");
  EXPECT_EQ(Json::parse(dup.err)["code"], "already_exists");
  auto bad = RunFenProcess({"model", "create", "command/shell", "Bad", "--json"}, repo);
  EXPECT_EQ(Json::parse(bad.err)["code"], "validation_failed");
  auto unknown = RunFenProcess({"model", "create", "aws/ec2/vpc", "vpc", "--json"}, repo);
  EXPECT_EQ(Json::parse(unknown.err)["error"],
            "Unknown model type: aws/ec2/vpc. Available types: command/shell");
  EXPECT_EQ(Json::parse(unknown.err)["code"], "unknown_model_type");
  auto global = RunFenProcess(
      {"model", "create", "command/shell", "withglobal", "--global-arg", "run=echo hi", "--json"},
      repo);
  ASSERT_EQ(global.exit_code, 0) << global.err;
  EXPECT_NE(Slurp(repo + "/models/command/shell/withglobal.yaml")
                .find("globalArguments:\n  run: echo hi\n"),
            std::string::npos);
}

TEST(ModelCommandsTest, GetMatchesFixtureOutput) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto r = RunFenProcess({"model", "get", "hello", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ToPrettyJson(Json::parse(r.out)), ToPrettyJson(Fixture("model_get_hello.json")));
  auto by_id =
      RunFenProcess({"model", "get", "84900049-e41d-42e9-941e-cca09d30cb7b", "--json"}, repo);
  EXPECT_EQ(Json::parse(by_id.out)["name"], "hello");
  auto missing = RunFenProcess({"model", "get", "nope", "--json"}, repo);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(Json::parse(missing.err)["error"], "Model not found: nope");
  EXPECT_EQ(Json::parse(missing.err)["code"], "model_not_found");
}

TEST(ModelCommandsTest, SearchFallsBackToJsonWithoutTty) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto r = RunFenProcess({"model", "search", "COUN"}, repo);  // no --json, stdin is /dev/null
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["query"], "COUN");
  ASSERT_EQ(j["results"].size(), 1u);
  EXPECT_EQ(j["results"][0]["name"], "counter");
  EXPECT_EQ(j["results"][0]["id"], "5f9277e4-133a-42e4-848a-8f0df54b77c7");
  EXPECT_EQ(j["results"][0]["type"], "command/shell");
  auto all = RunFenProcess({"model", "list", "--json"}, repo);
  EXPECT_EQ(Json::parse(all.out)["results"].size(), 2u);
}

TEST(ModelCommandsTest, BrokenDefinitionIsSkippedWithWarning) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  testing::WriteText(repo + "/models/command/shell/broken.yaml", "id: [\n");
  auto r = RunFenProcess({"model", "search", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(Json::parse(r.out)["results"].size(), 2u);
  EXPECT_NE(
      r.err.find("Skipping broken definition file " + repo + "/models/command/shell/broken.yaml"),
      std::string::npos)
      << r.err;
}

TEST(ModelCommandsTest, ValidateChecksStoredArguments) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto ok = RunFenProcess({"model", "validate", "hello", "--json"}, repo);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(Json::parse(ok.out)["valid"], true);
  testing::WriteText(repo + "/models/command/shell/bad.yaml",
                     "type: command/shell\nid: 11111111-2222-4333-8444-555555555555\nname: bad\n"
                     "version: 1\nmethods:\n  execute:\n    arguments:\n      timeout: soon\n");
  auto bad = RunFenProcess({"model", "validate", "bad", "--json"}, repo);
  EXPECT_EQ(bad.exit_code, 1);
  Json err = Json::parse(bad.err);
  EXPECT_EQ(err["code"], "validation_failed");
  EXPECT_EQ(err["error"],
            "Model 'bad' is invalid: execute: Invalid input: expected string, received undefined "
            "at \"run\"");
}

TEST(ModelCommandsTest, DeleteRefusesWithDataUnlessForced) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto refused = RunFenProcess({"model", "delete", "hello", "--json"}, repo);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(Json::parse(refused.err)["error"],
            "Model 'hello' has 4 associated data artifact(s). Delete the data first, or use "
            "--force to delete all.");
  EXPECT_TRUE(std::filesystem::exists(repo + "/models/command/shell/hello.yaml"));
  auto forced = RunFenProcess({"model", "delete", "hello", "--force", "--json"}, repo);
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  Json j = Json::parse(forced.out);
  EXPECT_EQ(j["deleted"]["name"], "hello");
  EXPECT_EQ(j["deleted"]["inputPath"], repo + "/models/command/shell/hello.yaml");
  EXPECT_EQ(j["outputsDeleted"], 3);
  EXPECT_EQ(j["dataDeleted"], true);
  EXPECT_FALSE(std::filesystem::exists(repo + "/models/command/shell/hello.yaml"));
  std::string data = repo + "/.swamp/data/command/shell/84900049-e41d-42e9-941e-cca09d30cb7b";
  for (const auto& name : testing::ListNames(data)) {
    EXPECT_EQ(name[0], '.') << "data left behind: " << name;
  }
  for (const auto& f : testing::ListNames(repo + "/.swamp/outputs/command/shell/execute")) {
    EXPECT_FALSE(f.rfind("84900049", 0) == 0 && f.size() > 5 &&
                 f.compare(f.size() - 5, 5, ".yaml") == 0)
        << f;
  }
  // A model without data is deleted without --force.
  ASSERT_EQ(RunFenProcess({"model", "create", "command/shell", "empty", "--json"}, repo).exit_code,
            0);
  auto plain = RunFenProcess({"model", "delete", "empty", "--json"}, repo);
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(Json::parse(plain.out)["dataDeleted"], false);
}

// cli.md §9.1: `.swamp.yaml` `logLevel` sets the level unless a flag or SWAMP_LOG_LEVEL does.
TEST(ModelCommandsTest, RepoLogLevelAppliesUnlessAFlagChoosesTheLevel) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  for (const char* name : {"quiet-one", "loud-one"}) {
    ASSERT_EQ(RunFenProcess({"model", "create", "command/shell", name, "--json"}, repo).exit_code,
              0);
  }
  {
    std::ofstream marker(repo + "/.swamp.yaml", std::ios::app);
    marker << "logLevel: error\n";
  }
  auto quiet = RunFenProcess({"model", "delete", "quiet-one", "-y"}, repo);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ((quiet.out + quiet.err).find("Deleted model: quiet-one"), std::string::npos)
      << quiet.out << quiet.err;
  auto loud = RunFenProcess({"model", "delete", "loud-one", "-y", "--log-level", "info"}, repo);
  ASSERT_EQ(loud.exit_code, 0) << loud.err;
  EXPECT_NE((loud.out + loud.err).find("Deleted model: loud-one"), std::string::npos)
      << loud.out << loud.err;
}

}  // namespace
}  // namespace fen::models
