#include "cli/app.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_test_util.h"

namespace fen::cli {
namespace {

TEST(AppTest, VersionJson) {
  CliRun r = Fen({"version", "--json"});
  EXPECT_EQ(r.rc, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["version"], FEN_VERSION);
  EXPECT_EQ(r.out.find("  \"version\""), 2u);  // 2-space pretty print
  EXPECT_TRUE(r.err.empty());
}

TEST(AppTest, GlobalJsonFlagAnywhere) {
  CliRun r = Fen({"--json", "version"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(nlohmann::json::parse(r.out)["version"], FEN_VERSION);
}

TEST(AppTest, UnknownCommandSuggestsAndExits2) {
  CliRun r = Fen({"verson", "--json"});
  EXPECT_EQ(r.rc, 2);
  auto j = nlohmann::json::parse(r.err);
  EXPECT_EQ(j["code"], "unknown_command");
  EXPECT_NE(j["error"].get<std::string>().find("Did you mean \"version\"?"), std::string::npos);
  EXPECT_TRUE(r.out.empty());
}

TEST(AppTest, UnknownFlagSuggestsAndExits2) {
  CliRun r = Fen({"version", "--jsn"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("Unknown option \"--jsn\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Did you mean \"--json\"?"), std::string::npos) << r.err;
}

TEST(AppTest, HelpExitsZero) {
  CliRun r = Fen({"--help"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("version"), std::string::npos);
  CliRun v = Fen({"version", "--help"});
  EXPECT_EQ(v.rc, 0);
  EXPECT_NE(v.out.find("Print fen's version"), std::string::npos);
}

// A group command without its subcommand fails (exit 1) and says why: help on stderr, nothing
// on stdout (fuzz finding: `fen data` exited 1 with an empty stderr).
TEST(AppTest, GroupWithoutSubcommandFailsWithHelpOnStderr) {
  CliRun r = Fen({"data"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("get"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("delete"), std::string::npos) << r.err;
}

TEST(AppTest, GroupWithoutSubcommandJsonListsCommands) {
  CliRun r = Fen({"datastore", "lock", "--json"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(r.out.empty()) << r.out;
  auto j = nlohmann::json::parse(r.err);
  EXPECT_EQ(j["error"], "No subcommand specified");
  EXPECT_EQ(j["code"], "missing_subcommand");
  EXPECT_EQ(j["availableCommands"], nlohmann::json({"status", "release"}));
}

TEST(AppTest, BareFenShowsHelpAndSucceeds) {
  CliRun r = Fen({});
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("data"), std::string::npos);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

// RunFen builds only the group argv names (BuildFenApp): what lies below that group, and the
// global options before it, must still parse and explain themselves.
TEST(AppTest, OnlyTheNamedGroupIsBuiltAndStillComplete) {
  CliRun sub = Fen({"data", "lst"});
  EXPECT_EQ(sub.rc, 2);
  EXPECT_NE(sub.err.find("Did you mean \"list\"?"), std::string::npos) << sub.err;
  CliRun value = Fen({"--log-level", "debug", "version", "--json"});  // a value, not a word
  EXPECT_EQ(value.rc, 0) << value.err;
  EXPECT_EQ(nlohmann::json::parse(value.out)["version"], FEN_VERSION);
  CliRun top = Fen({"modle", "--json"});  // unknown word: every top-level name is offered
  EXPECT_EQ(top.rc, 2);
  EXPECT_NE(nlohmann::json::parse(top.err)["error"].get<std::string>().find("\"model\""),
            std::string::npos);
  CliRun help = Fen({"--help"});
  for (const char* group : {"data", "model", "repo", "datastore", "doctor", "completions"}) {
    EXPECT_NE(help.out.find(group), std::string::npos) << group;
  }
}

TEST(AppTest, SuggestClosest) {
  EXPECT_EQ(SuggestClosest("dta", {"data", "model", "repo"}), "data");
  EXPECT_EQ(SuggestClosest("zzzzzz", {"data", "model"}), "");
}

}  // namespace
}  // namespace fen::cli
