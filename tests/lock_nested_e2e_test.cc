// Nested fen processes with real `fen` binaries (shared/spec/locking.md §6.6, §7.1 #20, #21):
// a model's shell step runs fen again. The inner command must fail fast with the nested-lock
// error instead of waiting for the outer run's locks (swamp: a 60 s hang, then exit 75), and
// the outer run is not disturbed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "fen/base/json_text.h"
#include "models/model_test_util.h"
#include "support/fen_process.h"

namespace fen {
namespace {

using fentest::MonotonicMs;
using fentest::ReadFileText;

struct Nested {
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  std::string inner_out = tmp.path() + "/inner.out";
  std::string inner_err = tmp.path() + "/inner.err";

  // A shell body that runs `fen {args} --json --repo-dir {repo}` and prints its exit code.
  std::string InnerFen(const std::string& args) {
    return std::string("'") + FEN_BINARY + "' " + args + " --json --repo-dir '" + repo + "' > '" +
           inner_out + "' 2> '" + inner_err + "'; echo inner=$?";
  }
  // Runs model `name` (default timeout: a nested wait would show as ~60 s) and returns the
  // outer run's JSON document.
  Json Run(const std::string& name, int64_t* took_ms) {
    int64_t t0 = MonotonicMs();
    pid_t p = fentest::SpawnFen({"model", "method", "run", name, "execute", "--json"}, repo, {},
                                tmp.path() + "/out", tmp.path() + "/err");
    int rc = fentest::WaitFen(p);
    *took_ms = MonotonicMs() - t0;
    EXPECT_EQ(rc, 0) << ReadFileText(tmp.path() + "/err");
    return Json::parse(ReadFileText(tmp.path() + "/out"));
  }
};

// #21: a step on model A runs `fen model method run A`: lock_nested_same_model at once.
TEST(LockNestedE2eTest, RunOfTheSameModelInsideItsOwnStepFailsFast) {
  Nested n;
  fentest::WriteShellModel(n.repo, "selfish", n.InnerFen("model method run selfish execute"));
  int64_t took = 0;
  Json outer = n.Run("selfish", &took);
  std::string inner = outer["dataArtifacts"][0]["attributes"]["stdout"];
  EXPECT_TRUE(inner.rfind("inner=", 0) == 0 && inner != "inner=0") << outer;
  Json err = Json::parse(ReadFileText(n.inner_err));
  EXPECT_EQ(err["code"], "lock_nested_same_model") << err;
  std::printf("[ counts ] nested same-model run: outer took %lld ms\n",
              static_cast<long long>(took));
  EXPECT_LT(took, 10000);
}

// #20: a step on model A runs `fen data gc` while a sibling run on model B is actively writing:
// lock_nested_structural at once (swamp skips B and runs concurrently with it); the sibling
// completes normally.
TEST(LockNestedE2eTest, StructuralCommandInsideAStepFailsFastWhileASiblingWrites) {
  Nested n;
  fentest::WriteShellModel(n.repo, "sibling", "for i in $(seq 20); do echo $i; sleep 0.1; done");
  fentest::WriteShellModel(n.repo, "parent", n.InnerFen("data gc -y"));
  pid_t sibling =
      fentest::SpawnFen({"model", "method", "run", "sibling", "execute", "--json"}, n.repo, {},
                        n.tmp.path() + "/sib.out", n.tmp.path() + "/sib.err");
  usleep(300 * 1000);
  int64_t took = 0;
  Json outer = n.Run("parent", &took);
  std::string inner = outer["dataArtifacts"][0]["attributes"]["stdout"];
  EXPECT_TRUE(inner.rfind("inner=", 0) == 0 && inner != "inner=0") << outer;
  Json err = Json::parse(ReadFileText(n.inner_err));
  EXPECT_EQ(err["code"], "lock_nested_structural") << err;
  int code = 0;
  EXPECT_FALSE(fentest::FenExited(sibling, &code)) << "the sibling should still be writing";
  EXPECT_EQ(fentest::WaitFen(sibling), 0) << ReadFileText(n.tmp.path() + "/sib.err");
  std::printf("[ counts ] nested structural: outer took %lld ms\n", static_cast<long long>(took));
  EXPECT_LT(took, 10000);
}

}  // namespace
}  // namespace fen
