// `fen completions`: every command and option of the real tree appears in every script, and
// the bash script is valid bash that completes.
#include "cli/completions.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <sstream>

#include "cli/app.h"
#include "cli/cli_test_util.h"
#include "repo/repo_test_util.h"

namespace fen::cli {
namespace {

// Walks the same tree RunFen parses (BuildFenApp), independently of the generator: every
// command path with its subcommand names and the options valid there (its own and, since
// every command falls through, its ancestors').
struct Expected {
  std::string path;
  std::vector<std::string> commands;
  std::vector<std::string> options;
};

void Walk(CLI::App* app, const std::string& path, std::vector<Expected>& out) {
  Expected e;
  e.path = path;
  for (CLI::App* a = app; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* opt : a->get_options()) {
      for (const auto& l : opt->get_lnames()) e.options.push_back("--" + l);
      for (const auto& s : opt->get_snames()) e.options.push_back("-" + s);
    }
  }
  auto subs = app->get_subcommands([](CLI::App*) { return true; });
  for (CLI::App* sub : subs) {
    e.commands.push_back(sub->get_name());
    for (const auto& a : sub->get_aliases()) e.commands.push_back(a);
  }
  out.push_back(e);
  for (CLI::App* sub : subs) Walk(sub, path + " " + sub->get_name(), out);
}

std::vector<Expected> ExpectedTree() {
  CLI::App app;
  GlobalOptions global;
  bool show_version = false;
  CommandRegistry registry(&app);
  BuildFenApp(app, global, show_version, registry);
  std::vector<Expected> out;
  Walk(&app, "fen", out);
  return out;
}

// The rest of the line `skip_lines` lines after the end of `marker` ("" if absent).
std::string LineAfter(const std::string& text, const std::string& marker, size_t skip_lines) {
  size_t p = text.find(marker);
  if (p == std::string::npos) return "";
  p += marker.size();
  for (size_t i = 0; i < skip_lines; ++i) p = text.find('\n', p) + 1;
  return text.substr(p, text.find('\n', p) - p);
}

std::set<std::string> SplitWords(const std::string& s) {
  std::set<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.insert(w);
  return out;
}

std::string RunBash(const std::string& script) {
  repo_test::TempDir dir;
  repo_test::WriteText(dir / "s.sh", script);
  std::string cmd = "bash " + (dir / "s.sh") + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  return rc == 0 ? out : "exit " + std::to_string(rc) + ": " + out;
}

TEST(CompletionsTest, EveryCommandAndOptionAppearsInEveryScript) {
  std::vector<Expected> tree = ExpectedTree();
  ASSERT_GT(tree.size(), 4u);
  CliRun bash = Fen({"completions", "bash"});
  CliRun zsh = Fen({"completions", "zsh"});
  CliRun fish = Fen({"completions", "fish"});
  ASSERT_EQ(bash.rc + zsh.rc + fish.rc, 0);
  for (const Expected& e : tree) {
    // bash: the path's case arm lists every subcommand and option.
    std::string arm = LineAfter(bash.out, "    '" + e.path + "') words='", 0);
    std::set<std::string> words = SplitWords(arm.substr(0, arm.find('\'')));
    // zsh: the path's arm has cmds=( 'name:desc' ... ) then opts=( 'opt:desc' ... ).
    std::string cmds = LineAfter(zsh.out, "    '" + e.path + "')\n", 0);
    std::string opts = LineAfter(zsh.out, "    '" + e.path + "')\n", 1);
    // fish: the `complete` lines conditioned on this path.
    const std::string cond = R"(= '\'')" + e.path + R"('\''' )";
    std::string fish_lines;
    std::istringstream in(fish.out);
    for (std::string line; std::getline(in, line);) {
      if (line.find(cond) != std::string::npos) fish_lines += line + "\n";
    }
    for (const auto& c : e.commands) {
      EXPECT_TRUE(words.count(c)) << "bash: " << e.path << " lacks command " << c;
      EXPECT_NE(cmds.find("'" + c + ":"), std::string::npos) << "zsh: " << e.path << " " << c;
      EXPECT_NE(fish_lines.find("-a '" + c + "'"), std::string::npos)
          << "fish: " << e.path << " " << c;
    }
    for (const auto& o : e.options) {
      EXPECT_TRUE(words.count(o)) << "bash: " << e.path << " lacks option " << o;
      EXPECT_NE(opts.find("'" + o + ":"), std::string::npos) << "zsh: " << e.path << " " << o;
      std::string fish_opt =
          o.rfind("--", 0) == 0 ? "-l '" + o.substr(2) + "'" : "-s '" + o.substr(1) + "'";
      EXPECT_NE(fish_lines.find(fish_opt), std::string::npos) << "fish: " << e.path << " " << o;
    }
  }
}

TEST(CompletionsTest, BashScriptParsesAndCompletes) {
  CliRun r = Fen({"completions", "bash"});
  ASSERT_EQ(r.rc, 0);
  repo_test::TempDir dir;
  repo_test::WriteText(dir / "fen.bash", r.out);
  EXPECT_EQ(std::system(("bash -n " + (dir / "fen.bash")).c_str()), 0);

  auto complete = [&](const std::string& line) {
    return RunBash("source " + (dir / "fen.bash") + "\nCOMP_WORDS=(" + line +
                   ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_fen\necho \"${COMPREPLY[*]}\"\n");
  };
  EXPECT_EQ(complete("fen rep"), "repo\n");
  EXPECT_EQ(complete("fen repo in"), "init\n");
  EXPECT_EQ(complete("fen --json repo init --fo"), "--force\n");
  EXPECT_EQ(complete("fen datastore st"), "status\n");
  EXPECT_EQ(complete("fen --log-level de"), "debug\n");
}

TEST(CompletionsTest, UnknownShellIsUsageError) {
  CliRun r = Fen({"completions", "tcsh", "--json"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(Fen({"completions"}).rc, 2);
}

}  // namespace
}  // namespace fen::cli
