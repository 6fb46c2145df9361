// shared/spec/locking.md §7.1 #24 and §6.9: an interactive `fen data gc` left at its
// confirmation prompt does not block writers. The gc runs on a pseudo-terminal (prompts show only
// on a TTY) and sits at "Proceed with garbage collection?" while several real `fen model method
// run` writers on the same model complete, each with a short SWAMP_LOCK_TIMEOUT_MS (a writer
// blocked by the pending prompt would fail with exit 75). The writers grow the gc plan, so gc
// re-plans under its lock, asks again (the user must see what will be deleted), and then
// collects exactly down to the retention count.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "fen/base/json_text.h"
#include "models/model_test_util.h"
#include "support/fen_process.h"

namespace fen {
namespace {

using fentest::MonotonicMs;
using fentest::ReadFileText;
namespace fs = std::filesystem;

// A `fen` child whose stdin/stdout/stderr are the slave side of a pseudo-terminal.
class PtyFen {
 public:
  PtyFen(std::vector<std::string> args, const std::string& repo) {
    args.insert(args.begin(), FEN_BINARY);
    args.push_back("--repo-dir");
    args.push_back(repo);
    pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      unsetenv("SWAMP_REPO_DIR");
      unsetenv("SWAMP_DATASTORE");
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(FEN_BINARY, argv.data());
      _exit(127);
    }
  }
  ~PtyFen() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }
  PtyFen(const PtyFen&) = delete;
  PtyFen& operator=(const PtyFen&) = delete;

  bool started() const { return pid_ > 0 && master_ >= 0; }
  pid_t pid() const { return pid_; }
  const std::string& transcript() const { return text_; }

  // Reads until the transcript contains `needle` at or after offset `from`; returns the position
  // after it, or std::string::npos on timeout/EOF.
  size_t WaitFor(const std::string& needle, size_t from, int timeout_ms) {
    int64_t until = MonotonicMs() + timeout_ms;
    for (;;) {
      size_t at = text_.find(needle, from);
      if (at != std::string::npos) return at + needle.size();
      int64_t left = until - MonotonicMs();
      if (left <= 0 || !ReadSome(static_cast<int>(left))) return std::string::npos;
    }
  }
  void Type(const std::string& s) { (void)!write(master_, s.data(), s.size()); }
  // Drains output until EOF and returns the exit code (128+signal if killed).
  int Finish(int timeout_ms) {
    int64_t until = MonotonicMs() + timeout_ms;
    while (MonotonicMs() < until && ReadSome(static_cast<int>(until - MonotonicMs()))) {
    }
    int st = 0;
    int64_t grace = MonotonicMs() + 2000;  // the pty reports EOF slightly before the exit
    pid_t got = 0;
    while ((got = waitpid(pid_, &st, WNOHANG)) == 0 && MonotonicMs() < grace) usleep(10 * 1000);
    if (got != pid_) {  // still running: a hang
      kill(pid_, SIGKILL);
      if (waitpid(pid_, &st, 0) != pid_) return -1;
    }
    reaped_ = true;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }

 private:
  bool ReadSome(int timeout_ms) {
    struct pollfd p = {master_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[4096];
    ssize_t n = read(master_, buf, sizeof buf);  // EIO once the child has exited
    if (n <= 0) return false;
    text_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int master_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string text_;
};

// Numeric version directories of one data name.
int CountVersions(const std::string& dir) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() && !name.empty() &&
        name.find_first_not_of("0123456789") == std::string::npos) {
      ++n;
    }
  }
  return n;
}

// The N of the first "versions to delete: N" at or after `from` (-1 if none).
int64_t PlannedVersions(const std::string& transcript, size_t from) {
  const std::string key = "versions to delete: ";
  size_t at = transcript.find(key, from);
  if (at == std::string::npos) return -1;
  return std::strtoll(transcript.c_str() + at + key.size(), nullptr, 10);
}

TEST(LockGcPromptTest, PendingGcPromptDoesNotBlockWriters) {
  models::testing::TempDir tmp;
  std::string repo = models::testing::CopyFixtureRepo(tmp.path());
  std::string id = fentest::WriteShellModel(repo, "busy", "echo tick");
  std::string result_dir = repo + "/.swamp/data/command/shell/" + id + "/result";
  auto run = [&](int timeout_ms) {
    int64_t t0 = MonotonicMs();
    pid_t p = fentest::SpawnFen({"model", "method", "run", "busy", "execute", "--json"}, repo,
                                {"SWAMP_LOCK_TIMEOUT_MS=" + std::to_string(timeout_ms)},
                                tmp.path() + "/out", tmp.path() + "/err");
    int rc = fentest::WaitFen(p);
    EXPECT_EQ(rc, 0) << ReadFileText(tmp.path() + "/err");
    return MonotonicMs() - t0;
  };
  // 11 versions: one more than the shell model's retention (garbageCollection: 10).
  for (int i = 0; i < 11; ++i) run(60000);
  ASSERT_EQ(ReadFileText(result_dir + "/latest"), "11");

  PtyFen gc({"data", "gc"}, repo);
  ASSERT_TRUE(gc.started());
  const std::string prompt = "Proceed with garbage collection?";
  size_t pos = gc.WaitFor(prompt, 0, 20000);
  ASSERT_NE(pos, std::string::npos) << gc.transcript();
  int64_t prompt_shown = MonotonicMs();

  // While the prompt is pending: the datastore lock is free and writers run unhindered.
  models::testing::ProcResult status =
      models::testing::RunFenProcess({"datastore", "lock", "status", "--json"}, repo);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(Json::parse(status.out)["held"], false) << status.out;
  constexpr int kWriters = 4;
  int64_t slowest = 0;
  for (int i = 0; i < kWriters; ++i) slowest = std::max(slowest, run(2000));
  // Hold the prompt a while longer; it is still pending and the gc has not touched anything.
  while (MonotonicMs() - prompt_shown < 5000) usleep(100 * 1000);
  int code = 0;
  ASSERT_FALSE(fentest::FenExited(gc.pid(), &code)) << gc.transcript();
  EXPECT_EQ(ReadFileText(result_dir + "/latest"), std::to_string(11 + kWriters));
  EXPECT_EQ(CountVersions(result_dir), 11 + kWriters);
  std::printf("[ counts ] %d writers while gc prompt pending %lld ms; slowest writer %lld ms\n",
              kWriters, static_cast<long long>(MonotonicMs() - prompt_shown),
              static_cast<long long>(slowest));
  EXPECT_LT(slowest, 2000);

  // Answer. The plan grew while the prompt was pending, so gc shows it and asks again.
  gc.Type("y\n");
  size_t again = gc.WaitFor(prompt, pos, 20000);
  ASSERT_NE(again, std::string::npos) << gc.transcript();
  int64_t first_plan = PlannedVersions(gc.transcript(), 0);
  int64_t second_plan = PlannedVersions(gc.transcript(), pos);
  EXPECT_GT(first_plan, 0) << gc.transcript();
  EXPECT_GT(second_plan, first_plan) << gc.transcript();
  gc.Type("y\n");
  EXPECT_EQ(gc.Finish(20000), 0) << gc.transcript();
  EXPECT_NE(gc.transcript().find("Deleted ", again), std::string::npos) << gc.transcript();
  // Retention applied to the data as it was when gc took its lock: the newest 10 remain.
  EXPECT_EQ(CountVersions(result_dir), 10);
  EXPECT_EQ(ReadFileText(result_dir + "/latest"), std::to_string(11 + kWriters));
  // And a writer after gc still works.
  EXPECT_LT(run(2000), 2000);
}

}  // namespace
}  // namespace fen
