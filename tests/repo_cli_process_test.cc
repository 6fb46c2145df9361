// End-to-end checks of the repo layer through the real fen binary (fork + exec): real cwd,
// real environment, real exit statuses.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <optional>

#include "fen/base/json_text.h"
#include "repo/repo_test_util.h"

namespace fen {
namespace {

using repo_test::ReadText;
using repo_test::TempDir;
using repo_test::WriteText;

struct ProcRun {
  int rc = -1;
  std::string out;
  std::string err;
};

// Runs FEN_BINARY with `args` in `cwd`; `env` entries are set (value) or removed (nullopt).
ProcRun RunFenProcess(const std::vector<std::string>& args, const std::string& cwd,
                      const std::map<std::string, std::optional<std::string>>& env = {}) {
  TempDir io;
  const std::string out_path = io / "out", err_path = io / "err";
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::unsetenv("SWAMP_REPO_DIR");
    ::unsetenv("SWAMP_DATASTORE");
    for (const auto& [k, v] : env) {
      if (v.has_value())
        ::setenv(k.c_str(), v->c_str(), 1);
      else
        ::unsetenv(k.c_str());
    }
    std::vector<char*> argv;
    std::string bin = FEN_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ProcRun r;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    r.rc = WEXITSTATUS(status);
  }
  r.out = ReadText(out_path);
  r.err = ReadText(err_path);
  return r;
}

TEST(RepoCliProcessTest, InitInCwdThenDiscoverUpward) {
  TempDir dir;
  ProcRun init = RunFenProcess({"repo", "init", "--json"}, dir.path());
  ASSERT_EQ(init.rc, 0) << init.err;
  EXPECT_EQ(Json::parse(init.out)["path"], dir.path());
  EXPECT_EQ(ReadText(dir / ".gitignore"),
            ReadText(std::string(FEN_FIXTURES_DIR) + "/swamp-repo/.gitignore"));

  std::filesystem::create_directories(dir / "models/a/b");
  ProcRun status = RunFenProcess({"datastore", "status", "--json"}, dir / "models/a/b");
  ASSERT_EQ(status.rc, 0) << status.err;
  Json j = Json::parse(status.out);
  EXPECT_EQ(j["repoDir"], dir.path());
  EXPECT_EQ(j["healthy"], true);
  EXPECT_TRUE(status.err.empty());

  ProcRun again = RunFenProcess({"init", "--json"}, dir.path());
  EXPECT_EQ(again.rc, 1);
  EXPECT_EQ(Json::parse(again.err)["code"], "already_exists");
}

TEST(RepoCliProcessTest, EnvironmentAndFlagsSelectTheRepo) {
  TempDir dir;
  std::string repo = repo_test::CopyFixtureRepo(dir);
  ASSERT_FALSE(repo.empty());
  std::filesystem::create_directories(dir / "elsewhere");

  ProcRun none = RunFenProcess({"datastore", "status", "--json"}, dir / "elsewhere");
  EXPECT_EQ(none.rc, 1);
  EXPECT_EQ(Json::parse(none.err)["code"], "not_initialized");

  ProcRun env = RunFenProcess({"datastore", "status", "--json"}, dir / "elsewhere",
                              {{"SWAMP_REPO_DIR", repo}});
  ASSERT_EQ(env.rc, 0) << env.err;
  EXPECT_EQ(Json::parse(env.out)["path"], repo + "/.swamp");

  ProcRun flag =
      RunFenProcess({"datastore", "status", "--repo-dir=" + repo, "--json"}, dir / "elsewhere");
  ASSERT_EQ(flag.rc, 0) << flag.err;

  ProcRun ds =
      RunFenProcess({"datastore", "status", "--json"}, repo, {{"SWAMP_DATASTORE", "s3:bucket"}});
  EXPECT_EQ(ds.rc, 1);
  EXPECT_EQ(Json::parse(ds.err)["code"], "invalid_config");
}

TEST(RepoCliProcessTest, GitTopLevelStopsTheSearch) {
  TempDir dir;
  ASSERT_EQ(RunFenProcess({"repo", "init"}, dir.path()).rc, 0);
  std::filesystem::create_directories(dir / "checkout/.git");
  std::filesystem::create_directories(dir / "checkout/src");
  ProcRun r = RunFenProcess({"datastore", "status"}, dir / "checkout/src");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "Error: Not a swamp repository: " + (dir / "checkout/src") +
                       ". To initialize a new repository, run 'swamp repo init', or specify an "
                       "existing repository with 'swamp <command> --repo-dir /path/to/repo'.\n");
}

TEST(RepoCliProcessTest, ExitCodes) {
  TempDir dir;
  EXPECT_EQ(RunFenProcess({"repo", "nosuch"}, dir.path()).rc, 2);
  EXPECT_EQ(RunFenProcess({"repo", "init", "--nosuch"}, dir.path()).rc, 2);
  EXPECT_EQ(RunFenProcess({"completions"}, dir.path()).rc, 2);
  ProcRun bash = RunFenProcess({"completions", "bash"}, dir.path());
  EXPECT_EQ(bash.rc, 0);
  EXPECT_NE(bash.out.find("complete -o default -F _fen fen"), std::string::npos);
}

}  // namespace
}  // namespace fen
