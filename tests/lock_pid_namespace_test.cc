// shared/spec/locking.md §7.2 #32: two "containers" (each its own PID and UTS namespace, so
// their own pid numbers and hostname) share one datastore and contend for the same model with
// real `fen model method run` processes incrementing a counter. Mutual exclusion holds, and the
// swamp-format lock files each run sees carry its container's hostname and namespace-local pid
// (no "dead pid" theft across namespaces: kernel locks decide, and a file from another host
// name is never probed with kill). Skipped, saying why, without CAP_SYS_ADMIN.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "fen/base/json_text.h"
#include "models/model_test_util.h"
#include "support/fen_process.h"
#include "support/lock_test_util.h"

namespace fen {
namespace {

using fentest::ReadFileText;

TEST(LockPidNamespaceTest, ContainersWithOwnPidsAndHostnamesExcludeEachOther) {
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  std::string counter = tmp.path() + "/counter";
  std::string seen = tmp.path() + "/seen";
  std::string id = fentest::WriteShellModel(repo, "counter", "x");
  std::string lock_file = repo + "/.swamp/data/command/shell/" + id + "/.lock";
  fentest::WriteShellModel(repo, "counter",
                           "n=$(cat " + counter +
                               " 2>/dev/null || echo 0); sleep 0.05; echo "
                               "$((n+1)) > " +
                               counter + "; (cat " + lock_file + "; echo) >> " + seen);
  constexpr int kRuns = 8;
  // Under ASan, LeakSanitizer reads /proc/<pid>/task at exit, which names another process
  // inside a new PID namespace (its /proc is the host's): leak checking is off for the fen
  // processes of this test only.
  std::vector<std::string> child_env = {"SWAMP_LOCK_TIMEOUT_MS=30000"};
  if (const char* asan = std::getenv("ASAN_OPTIONS"); asan != nullptr) {
    child_env.push_back(std::string("ASAN_OPTIONS=") + asan + ":detect_leaks=0");
  }
  int barrier[2];
  ASSERT_EQ(pipe(barrier), 0);
  auto container = [&](const std::string& hostname) {
    return locktest::ForkChild([&, hostname] {
      close(barrier[1]);
      if (unshare(CLONE_NEWPID | CLONE_NEWUTS) != 0) return 200;
      if (sethostname(hostname.data(), hostname.size()) != 0) return 201;
      pid_t init = locktest::ForkChild([&] {  // pid 1 of the new namespace
        char c;
        (void)!read(barrier[0], &c, 1);  // EOF = go
        for (int i = 0; i < kRuns; ++i) {
          pid_t p = fentest::SpawnFen({"model", "method", "run", "counter", "execute", "--json"},
                                      repo, child_env, tmp.path() + "/out-" + hostname,
                                      tmp.path() + "/err-" + hostname);
          if (fentest::WaitFen(p) != 0) return 10 + i;
        }
        return 0;
      });
      return locktest::WaitChild(init);
    });
  };
  pid_t c1 = container("fen-c1");
  pid_t c2 = container("fen-c2");
  close(barrier[0]);
  close(barrier[1]);
  int r1 = locktest::WaitChild(c1), r2 = locktest::WaitChild(c2);
  if (r1 == 200 || r2 == 200) GTEST_SKIP() << "cannot create PID/UTS namespaces (unshare)";
  ASSERT_EQ(r1, 0) << ReadFileText(tmp.path() + "/err-fen-c1");
  ASSERT_EQ(r2, 0) << ReadFileText(tmp.path() + "/err-fen-c2");
  EXPECT_EQ(ReadFileText(counter), std::to_string(2 * kRuns) + "\n");
  // Every run saw its own container's file: hostname fen-c1/fen-c2 and a small namespace pid.
  std::istringstream lines(ReadFileText(seen));
  std::string text, line;
  int c1_files = 0, c2_files = 0;
  while (std::getline(lines, line)) {
    text += line + "\n";
    if (line != "}") continue;
    Json j = Json::parse(text);
    text.clear();
    if (j["hostname"] == "fen-c1") ++c1_files;
    if (j["hostname"] == "fen-c2") ++c2_files;
    EXPECT_LT(j["pid"].get<int64_t>(), 1000) << j;  // namespace-local numbering
  }
  std::printf("[ counts ] counter %s after %d runs per container; lock files seen: c1 %d, c2 %d\n",
              ReadFileText(counter).c_str(), kRuns, c1_files, c2_files);
  EXPECT_EQ(c1_files, kRuns);
  EXPECT_EQ(c2_files, kRuns);
}

}  // namespace
}  // namespace fen
