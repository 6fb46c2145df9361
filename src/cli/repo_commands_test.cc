// In-process tests of `fen repo init` / `fen init` (RunFen with captured streams).
#include <gtest/gtest.h>

#include <sstream>

#include "cli/app.h"
#include "cli/cli_test_util.h"
#include "fen/base/json_text.h"
#include "repo/repo_test_util.h"

namespace fen::cli {
namespace {

using repo_test::Exists;
using repo_test::ReadText;
using repo_test::TempDir;
using repo_test::WriteText;

Json FixtureInitJson(const std::string& repo, const std::string& initialized_at) {
  std::string text = ReadText(std::string(FEN_FIXTURES_DIR) + "/swamp-repo-outputs/init.json");
  Json j = Json::parse(text);
  j["path"] = repo;
  j["initializedAt"] = initialized_at;
  return j;
}

TEST(RepoCommandsTest, InitJsonMatchesFixture) {
  for (const char* form : {"repo", "init"}) {
    TempDir dir;
    std::vector<std::string> args = {form};
    if (std::string(form) == "repo") args.push_back("init");
    args.push_back(dir / "r");
    args.push_back("--json");
    CliRun r = Fen(args);
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    Json got = Json::parse(r.out);
    ASSERT_TRUE(got["initializedAt"].is_string());
    // Same keys, same order, same values (path and timestamp aside), 2-space pretty print.
    EXPECT_EQ(ToPrettyJson(got),
              ToPrettyJson(FixtureInitJson(dir / "r", got["initializedAt"].get<std::string>())));
    EXPECT_EQ(r.out, ToPrettyJson(got) + "\n");
    EXPECT_NE(ReadText(dir / "r/.swamp.yaml").find(got["initializedAt"].get<std::string>()),
              std::string::npos);
  }
}

TEST(RepoCommandsTest, InitToolsAndToolField) {
  TempDir dir;
  CliRun one = Fen({"repo", "init", "-t", "claude", dir / "a", "--json"});
  ASSERT_EQ(one.rc, 0) << one.err;
  Json j = Json::parse(one.out);
  EXPECT_EQ(j["tools"], Json::array({"claude"}));
  EXPECT_EQ(j["tool"], "claude");
  EXPECT_TRUE(Exists(dir / "a/.swamp.yaml"));  // the positional was not taken by -t

  CliRun two = Fen({"repo", "init", dir / "b", "--tool=cursor", "--tool", "kiro", "--json"});
  ASSERT_EQ(two.rc, 0) << two.err;
  Json k = Json::parse(two.out);
  EXPECT_EQ(k["tools"], Json::array({"cursor", "kiro"}));
  EXPECT_TRUE(k["tool"].is_null());

  CliRun force = Fen({"repo", "init", dir / "b", "-f", "--json"});
  ASSERT_EQ(force.rc, 0) << force.err;
  Json f = Json::parse(force.out);
  EXPECT_EQ(f["removedTools"], Json::array({"cursor", "kiro"}));
  EXPECT_EQ(f["gitignoreAction"], "unchanged");
}

TEST(RepoCommandsTest, InitErrors) {
  TempDir dir;
  ASSERT_EQ(Fen({"init", dir.path()}).rc, 0);
  CliRun again = Fen({"init", dir.path(), "--json"});
  EXPECT_EQ(again.rc, 1);
  EXPECT_TRUE(again.out.empty());
  Json e = Json::parse(again.err);
  EXPECT_EQ(e["code"], "already_exists");
  EXPECT_EQ(e["error"].get<std::string>().rfind(
                "Repository already initialized at " + dir.path() + " (tools: none).", 0),
            0u);
  EXPECT_EQ(e.begin().key(), "error");

  CliRun none = Fen({"repo", "init", dir / "n", "-t", "none", "-t", "claude", "--json"});
  EXPECT_EQ(none.rc, 1);
  EXPECT_EQ(Json::parse(none.err)["code"], "invalid_arguments");
  EXPECT_FALSE(Exists(dir / "n"));

  WriteText(dir / "file", "x");
  CliRun unwritable = Fen({"repo", "init", dir / "file/r"});
  EXPECT_EQ(unwritable.rc, 1);
  EXPECT_EQ(unwritable.err, "Error: Cannot initialize repository at " + (dir / "file/r") + ": " +
                                (dir / "file") + " is not a directory\n");
}

TEST(RepoCommandsTest, InitArgumentParsing) {
  TempDir dir;
  CliRun extra = Fen({"repo", "init", dir / "a", dir / "b", "--json"});
  EXPECT_EQ(extra.rc, 2);
  EXPECT_FALSE(Exists(dir / "a"));
  CliRun flag = Fen({"repo", "init", "--forse", dir / "a"});
  EXPECT_EQ(flag.rc, 2);
  EXPECT_NE(flag.err.find("Did you mean \"--force\"?"), std::string::npos) << flag.err;
  CliRun missing = Fen({"repo", "init", "-t"});
  EXPECT_EQ(missing.rc, 2);
  CliRun group = Fen({"repo", "--json"});
  EXPECT_EQ(group.rc, 1);
  EXPECT_EQ(Json::parse(group.err)["availableCommands"], Json::array({"init"}));
}

TEST(RepoCommandsTest, InitLogModeText) {
  TempDir dir;
  CliRun r = Fen({"repo", "init", dir.path(), "-t", "claude"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "Initialized swamp repository at " + dir.path() +
                       " (tools: claude)\n"
                       ".gitignore: created\n"
                       "What's next:\n"
                       "  - Run `fen --help` to see available commands\n");
  EXPECT_TRUE(r.err.empty());
}

}  // namespace
}  // namespace fen::cli
