#include "fen/models/shell_runner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fen/base/clock.h"
#include "fen/models/json_string_stream.h"
#include "models/model_test_util.h"

namespace fen::models {
namespace {

struct Captured {
  std::vector<std::string> out_lines, err_lines;
};

Result<ShellRunResult> RunCmd(const std::string& cmd, Captured* cap = nullptr,
                              std::optional<int64_t> timeout = std::nullopt,
                              std::optional<std::string> cwd = std::nullopt) {
  ShellRunOptions o;
  o.run = cmd;
  o.timeout_ms = timeout;
  o.working_dir = cwd;
  o.spool_dir = "/tmp";
  o.env = {{"FEN_TEST_VAR", "from-env"}};
  if (cap != nullptr) {
    o.on_line = [cap](OutputStream s, std::string_view l) {
      (s == OutputStream::kStdout ? cap->out_lines : cap->err_lines).emplace_back(l);
    };
  }
  return RunShell(o);
}

std::string Text(const SpoolFile& f) { return *f.ReadPrefix(f.captured_size()); }

TEST(ShellRunnerTest, CapturesBothStreamsAndDropsOneTrailingNewline) {
  Captured cap;
  auto r = RunCmd("echo hello; printf 'a\\n\\n' >&2; echo $FEN_TEST_VAR; printf 'x\\r\\n'", &cap);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(Text(r->out), "hello\nfrom-env\nx\r");
  EXPECT_EQ(Text(r->err), "a\n");
  EXPECT_EQ(cap.out_lines, (std::vector<std::string>{"hello", "from-env", "x\r"}));
  EXPECT_EQ(cap.err_lines, (std::vector<std::string>{"a", ""}));
  EXPECT_TRUE(r->error_message.empty());
}

TEST(ShellRunnerTest, ExitCodesAndStdin) {
  EXPECT_EQ(RunCmd("exit 3")->exit_code, 3);
  EXPECT_EQ(RunCmd("kill -9 $$")->exit_code, 128 + 9);
  // stdin is /dev/null: `cat` ends immediately instead of waiting on a terminal.
  auto r = RunCmd("cat; echo done");
  EXPECT_EQ(Text(r->out), "done");
}

// on_tick keeps a method run's locks alive (LockSet::KeepAlive): it must come about once a
// second while a silent command runs, not only when output arrives (margin for a loaded VM).
TEST(ShellRunnerTest, OnTickComesAtLeastOnceASecondWhileASilentCommandRuns) {
  ShellRunOptions o;
  o.run = "sleep 2.3";
  o.spool_dir = "/tmp";
  std::vector<int64_t> ticks;
  o.on_tick = [&] { ticks.push_back(MonotonicMillis()); };
  const int64_t start = MonotonicMillis();
  auto r = RunShell(o);
  const int64_t end = MonotonicMillis();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_GE(ticks.size(), 3u);
  int64_t prev = start;
  for (int64_t t : ticks) {
    EXPECT_LE(t - prev, 1500);
    prev = t;
  }
  EXPECT_LE(end - prev, 1500);
}

TEST(ShellRunnerTest, MissingWorkingDirIsASpawnFailure) {
  auto r = RunCmd("pwd", nullptr, std::nullopt, std::string("/nonexistent/dir"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_EQ(r->duration_ms, 0);
  EXPECT_EQ(r->error_message, "Failed to spawn 'sh': No such file or directory (os error 2)");
  auto ok = RunCmd("pwd", nullptr, std::nullopt, std::string("/tmp"));
  EXPECT_EQ(Text(ok->out), "/tmp");
}

TEST(ShellRunnerTest, TimeoutKillsTheWholeGroupIncludingGrandchildren) {
  testing::TempDir tmp;
  std::string pidfile = tmp.path() + "/gc.pid";
  int64_t start = MonotonicMillis();
  // A grandchild that ignores nothing and would outlive its parent, holding the pipes.
  // 2 s: long enough for the shell to record the grandchild's pid even on a loaded machine.
  auto r = RunCmd("sleep 30 & echo $! > " + pidfile + "; wait", nullptr, 2000);
  int64_t elapsed = MonotonicMillis() - start;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_EQ(r->duration_ms, 0);
  EXPECT_EQ(r->error_message, "Command timed out after 2000ms");
  EXPECT_LT(elapsed, 10000);  // far below the grandchild's 30 s
  std::string pid_text = testing::Slurp(pidfile);
  ASSERT_FALSE(pid_text.empty()) << "the shell never started the grandchild";
  pid_t gc = std::stoi(pid_text);
  // The grandchild got the group's signal: it is gone (reaped by init, or at most a zombie)
  // within moments, long before its 30 s sleep would end. Poll: the signal is delivered
  // asynchronously, and the runner returns once `sh` itself has exited.
  auto alive = [gc] {
    if (kill(gc, 0) != 0) return false;
    std::string stat = testing::Slurp("/proc/" + std::to_string(gc) + "/stat");
    return !stat.empty() && stat.find(") Z") == std::string::npos;
  };
  int64_t deadline = MonotonicMillis() + 3000;
  while (alive() && MonotonicMillis() < deadline) usleep(10000);
  EXPECT_FALSE(alive());
}

TEST(ShellRunnerTest, LongLinesAreDeliveredInPieces) {
  Captured cap;
  auto r = RunCmd("head -c 200000 /dev/zero | tr '\\0' x", &cap);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out.size(), 200000);
  size_t total = 0;
  for (const auto& l : cap.out_lines) {
    EXPECT_LE(l.size(), 2 * kMaxLineBytes);
    total += l.size();
  }
  EXPECT_EQ(total, 200000u);
}

TEST(ShellRunnerTest, BigOutputKeepsMemoryBounded) {
  // In a child process, so the peak RSS measured is this run's alone.
  pid_t pid = fork();
  if (pid == 0) {
    ShellRunOptions o;
    o.run = "head -c 120000000 /dev/zero | tr '\\0' 'y' | fold -w 100";
    o.spool_dir = "/tmp";
    int64_t lines = 0;
    o.on_line = [&](OutputStream, std::string_view) { ++lines; };
    auto r = RunShell(o);
    if (!r.ok() || r->exit_code != 0 || r->out.size() < 120000000) _exit(2);
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    _exit(ru.ru_maxrss < 64 * 1024 ? 0 : 3);  // KiB: under 64 MiB for 120+ MB of output
  }
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(JsonStringStreamTest, EscapesLikeJsonStringifyAcrossChunks) {
  JsonStringStream s;
  std::string all = "a\"b\\c\n\t\x01\x7f";
  std::string euro = "\xE2\x82\xAC";  // split across two feeds
  std::string out = s.Feed(all);
  out += s.Feed(euro.substr(0, 1));
  out += s.Feed(euro.substr(1));
  out += s.Feed("\xFF");
  out += s.Finish();
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\t\\u0001\x7f\xE2\x82\xAC\xEF\xBF\xBD");
  JsonStringStream t;
  std::string cut = t.Feed("\xE2\x82");
  cut += t.Finish();
  EXPECT_EQ(cut, "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace fen::models
