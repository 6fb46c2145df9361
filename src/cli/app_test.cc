#include "cli/app.h"
#include "cli/cli_test_util.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

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

TEST(AppTest, SuggestClosest) {
  EXPECT_EQ(SuggestClosest("dta", {"data", "model", "repo"}), "data");
  EXPECT_EQ(SuggestClosest("zzzzzz", {"data", "model"}), "");
}

}  // namespace
}  // namespace fen::cli
