// Process-level tests of `fen model method run` on fixture copies: files swamp's readers
// accept, the --json document, failure paths, locking between real processes, signals.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <thread>

#include "fen/base/clock.h"
#include "fen/base/json_text.h"
#include "fen/models/definition.h"
#include "models/model_test_util.h"

namespace fen::models {
namespace {

using testing::CopyFixtureRepo;
using testing::ListNames;
using testing::RunFenProcess;
using testing::Slurp;
using testing::TempDir;

const std::string kHelloId = "84900049-e41d-42e9-941e-cca09d30cb7b";

Json Yaml(const std::string& path) {
  auto j = YamlToJson(Slurp(path));
  EXPECT_TRUE(j.ok()) << path;
  return j.ok() ? *j : Json();
}

std::vector<std::string> Keys(const Json& j) {
  std::vector<std::string> k;
  for (auto it = j.begin(); it != j.end(); ++it) k.push_back(it.key());
  return k;
}

// Same keys in the same order and the same JSON value types, recursively.
void ExpectSameShape(const Json& want, const Json& got, const std::string& where) {
  ASSERT_EQ(want.type(), got.type()) << where;
  if (want.is_object()) {
    ASSERT_EQ(Keys(want), Keys(got)) << where;
    for (auto it = want.begin(); it != want.end(); ++it) {
      ExpectSameShape(it.value(), got[it.key()], where + "." + it.key());
    }
  } else if (want.is_array() && !want.empty() && want.size() == got.size()) {
    for (size_t i = 0; i < want.size(); ++i) {
      ExpectSameShape(want[i], got[i], where + "[" + std::to_string(i) + "]");
    }
  }
}

std::string WriteModel(const std::string& repo, const std::string& name,
                       const std::string& arguments_yaml, const std::string& extra = "") {
  std::string id = "aaaaaaaa-0000-4000-8000-" +
                   std::string(12 - std::min<size_t>(12, name.size()), '0') + name.substr(0, 12);
  // Only hex is a valid UUID, but definitions accept any id string; keep it unique per name.
  testing::WriteText(repo + "/models/command/shell/" + name + ".yaml",
                     "type: command/shell\ntypeVersion: 2026.02.09.1\nid: " + id +
                         "\nname: " + name +
                         "\nversion: 1\ntags: {}\nglobalArguments: {}\nmethods:\n"
                         "  execute:\n    arguments:\n" +
                         arguments_yaml + extra);
  return id;
}

// Regular files (versions, metadata, markers) under `dir`.
size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) ++n;
  }
  return n;
}

TEST(ModelRunTest, HelloRunWritesSwampReadableFilesAndFixtureShapedJson) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto r = RunFenProcess({"model", "method", "run", "hello", "execute", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json got = Json::parse(r.out);
  Json want =
      Json::parse(Slurp(std::string(FEN_FIXTURES_DIR) + "/swamp-repo-outputs/run_hello_1.json"));
  want.erase("reports");  // C-3: fen runs no reports
  ExpectSameShape(want, got, "$");
  EXPECT_EQ(got["status"], "succeeded");
  EXPECT_EQ(got["dataArtifacts"][0]["attributes"]["stdout"], "hello world");
  EXPECT_EQ(got["dataArtifacts"][0]["attributes"]["stderr"], "");
  EXPECT_EQ(got["methodArguments"], want["methodArguments"]);

  const std::string data = repo + "/.swamp/data/command/shell/" + kHelloId;
  EXPECT_EQ(got["dataArtifacts"][0]["path"], data + "/result/4");
  EXPECT_EQ(got["dataArtifacts"][1]["path"], data + "/log/4");
  EXPECT_EQ(Slurp(data + "/result/latest"), "4");
  EXPECT_EQ(Slurp(data + "/log/latest"), "4");
  EXPECT_EQ(Slurp(data + "/log/4/raw"), "[stdout]\nhello world");
  Json raw = Json::parse(Slurp(data + "/result/4/raw"));
  EXPECT_EQ(raw, got["dataArtifacts"][0]["attributes"]);
  EXPECT_EQ(Keys(raw), (std::vector<std::string>{"exitCode", "executedAt", "command", "durationMs",
                                                 "stdout", "stderr"}));
  // metadata.yaml: the keys and shape swamp wrote for version 1.
  for (const char* name : {"result", "log"}) {
    Json m1 = Yaml(data + "/" + name + "/1/metadata.yaml");
    Json m4 = Yaml(data + "/" + name + "/4/metadata.yaml");
    ExpectSameShape(m1, m4, name);
    EXPECT_EQ(m4["version"], 4);
    EXPECT_EQ(m4["tags"], m1["tags"]);
    EXPECT_EQ(m4["ownerDefinition"], m1["ownerDefinition"]);
    EXPECT_EQ(m4["streaming"], m1["streaming"]);
    EXPECT_EQ(m4["id"],
              std::string(got["dataArtifacts"][std::string(name) == "log" ? 1 : 0]["id"]));
  }
  // The run record: same keys as swamp's, written once with the fixture's definition hash.
  std::string rec_path;
  for (const auto& f : ListNames(repo + "/.swamp/outputs/command/shell/execute")) {
    std::string p = repo + "/.swamp/outputs/command/shell/execute/" + f;
    if (f.size() > 5 && f.compare(f.size() - 5, 5, ".yaml") == 0 &&
        Slurp(p).find(std::string(got["outputId"])) != std::string::npos) {
      rec_path = p;
    }
  }
  ASSERT_FALSE(rec_path.empty());
  Json rec = Yaml(rec_path);
  Json fixture_rec = Yaml(repo + "/.swamp/outputs/command/shell/execute/" + kHelloId +
                          "-2026-11-26T20-31-22-121Z.yaml");
  ExpectSameShape(fixture_rec, rec, "record");
  EXPECT_EQ(rec["provenance"], fixture_rec["provenance"]);
  EXPECT_EQ(rec["status"], "succeeded");
  EXPECT_EQ(rec["durationMs"], got["duration"]);
  EXPECT_EQ(repo + "/" + std::string(rec["logFile"]), got["logFile"]);
  EXPECT_NE(Slurp(rec_path).find("startedAt: '"), std::string::npos);
  // The run log.
  std::string log = Slurp(got["logFile"]);
  EXPECT_TRUE(std::regex_match(
      log,
      std::regex(
          R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[INF\] model·method·run·hello·execute: hello world\n)")))
      << log;
  // The evaluated copy is the definition re-serialized.
  EXPECT_EQ(Slurp(repo + "/.swamp/definitions-evaluated/command/shell/hello.yaml"),
            "type: command/shell\ntypeVersion: 2026.02.09.1\nid: " + kHelloId +
                "\nname: hello\nversion: 1\ntags: {}\nglobalArguments: {}\nmethods:\n  execute:\n"
                "    arguments:\n      run: echo hello world\n");
}

TEST(ModelRunTest, StdoutAndStderrLogAndTagsPrecedence) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  std::string id =
      WriteModel(repo, "both", "      run: \"printf 'o1\\\\no2\\\\n'; echo e1 >&2\"\n", "");
  testing::WriteText(repo + "/models/command/shell/both.yaml",
                     Slurp(repo + "/models/command/shell/both.yaml") + "owner: kept\n");
  auto r = RunFenProcess({"model", "method", "run", "both", "execute", "--json", "--tag",
                          "type=custom", "--tag", "team=a"},
                         repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string data = repo + "/.swamp/data/command/shell/" + id;
  EXPECT_EQ(Slurp(data + "/log/1/raw"), "[stdout]\no1\no2\n[stderr]\ne1");
  Json meta = Yaml(data + "/result/1/metadata.yaml");
  EXPECT_EQ(ToCompactJson(meta["tags"]),
            "{\"type\":\"custom\",\"specName\":\"result\",\"modelName\":\"both\","
            "\"initiatedBy\":\"ghost\",\"team\":\"a\"}");
  // The unknown top-level key is still in the definition after the run.
  EXPECT_NE(Slurp(repo + "/models/command/shell/both.yaml").find("owner: kept"), std::string::npos);
}

TEST(ModelRunTest, InputsOverrideMethodArgumentsAndGlobalsAreDefaults) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto r = RunFenProcess({"model", "method", "run", "hello", "execute", "--json", "--input",
                          "run=echo $GREETING", "--input", "env.GREETING=hi there"},
                         repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json got = Json::parse(r.out);
  EXPECT_EQ(got["dataArtifacts"][0]["attributes"]["stdout"], "hi there");
  EXPECT_EQ(ToCompactJson(got["methodArguments"]),
            "{\"run\":\"echo $GREETING\",\"env\":{\"GREETING\":\"hi there\"}}");
  ASSERT_EQ(RunFenProcess({"model", "create", "command/shell", "g", "--global-arg",
                           "run=echo global", "--json"},
                          repo)
                .exit_code,
            0);
  auto g = RunFenProcess({"model", "method", "run", "g", "execute", "--json"}, repo);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(Json::parse(g.out)["dataArtifacts"][0]["attributes"]["stdout"], "global");
}

struct Failure {
  std::vector<std::string> args;
  std::string code;
  std::string message;  // "" = not checked
};

TEST(ModelRunTest, FailuresReportCodesAndWriteNoData) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  WriteModel(repo, "fails", "      run: \"echo out; exit 3\"\n");
  WriteModel(repo, "nowhere", "      run: pwd\n      workingDir: /nonexistent/dir\n");
  std::vector<Failure> cases = {
      {{"nope", "execute"}, "model_not_found", "Model not found: nope"},
      {{"hello", "destroy"},
       "unknown_method",
       "Unknown method 'destroy' for type 'command/shell'. Available methods: execute"},
      {{"hello", "execute", "--input", "bogus=1", "--input", "zap=2"},
       "validation_failed",
       "Unknown method input(s): bogus, zap. Valid inputs are: run, workingDir, timeout, env, "
       "ignoreExitCode"},
      {{"hello", "execute", "--input", "run"},
       "invalid_arguments",
       "Invalid input format: \"run\". Expected key=value format."},
      {{"hello", "execute", "--tag", "novalue"},
       "invalid_arguments",
       "Invalid tag format: \"novalue\". Expected KEY=VALUE"},
      {{"hello", "execute", "--input", "timeout=abc"},
       "validation_failed",
       "Method arguments validation failed: Invalid input: expected number, received string at "
       "\"timeout\""},
      {{"fails", "execute"}, "method_execution_failed", "Command exited with code 3"},
      {{"nowhere", "execute"}, "method_execution_failed", "Command exited with code -1"},
      {{"hello", "execute", "--input", "run=echo ${{ inputs.x }}"},
       "unsupported_expression",
       "Unsupported expression ${{ inputs.x }} in definition \"hello\" at "
       "methods.execute.arguments.run: CEL expressions are not supported"},
  };
  const std::string data = repo + "/.swamp/data";
  size_t data_files = CountFiles(data);
  for (const auto& c : cases) {
    std::vector<std::string> args = {"model", "method", "run"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.push_back("--json");
    auto r = RunFenProcess(args, repo);
    EXPECT_EQ(r.exit_code, 1) << c.args[0] << " " << c.args[1];
    EXPECT_TRUE(r.out.empty()) << r.out;
    Json err = Json::parse(r.err, nullptr, false);
    ASSERT_FALSE(err.is_discarded()) << r.err;
    EXPECT_EQ(err["code"], c.code) << r.err;
    if (!c.message.empty()) {
      EXPECT_EQ(err["error"], c.message);
    }
  }
  // No data version appeared, and no staging directory was left.
  EXPECT_EQ(CountFiles(data), data_files);
  // Method failures leave a `failed` run record with the message.
  bool found_failed = false;
  for (const auto& f : ListNames(repo + "/.swamp/outputs/command/shell/execute")) {
    std::string text = Slurp(repo + "/.swamp/outputs/command/shell/execute/" + f);
    if (text.find("status: failed") != std::string::npos &&
        text.find("message: Command exited with code 3") != std::string::npos) {
      found_failed = true;
      Json rec = *YamlToJson(text);
      EXPECT_EQ(rec["artifacts"]["dataArtifacts"].size(), 0u);
      EXPECT_EQ(Keys(rec),
                (std::vector<std::string>{"id", "definitionId", "methodName", "status", "startedAt",
                                          "retryCount", "provenance", "artifacts", "completedAt",
                                          "durationMs", "error", "logFile", "pid"}));
    }
  }
  EXPECT_TRUE(found_failed);
}

TEST(ModelRunTest, ExpressionInDefinitionWritesNothing) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  WriteModel(repo, "expr", "      run: \"echo ${{ self.name }}\"\n");
  size_t before = CountFiles(repo + "/.swamp");
  auto r = RunFenProcess({"model", "method", "run", "expr", "execute", "--json"}, repo);
  EXPECT_EQ(r.exit_code, 1);
  Json err = Json::parse(r.err);
  EXPECT_EQ(err["code"], "unsupported_expression");
  EXPECT_EQ(err["error"],
            "Unsupported expression ${{ self.name }} in definition \"expr\" at "
            "methods.execute.arguments.run: CEL expressions are not supported");
  // No run log, evaluated copy, record or data (lock files aside).
  size_t after = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(repo + "/.swamp");
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    std::string p = it->path().string();
    if (it->is_regular_file() && p.find("/.fen") == std::string::npos &&
        p.find(".lock") == std::string::npos && p.find("/aaaaaaaa-") == std::string::npos) {
      ++after;
    }
  }
  EXPECT_EQ(after, before);
  EXPECT_FALSE(
      std::filesystem::exists(repo + "/.swamp/definitions-evaluated/command/shell/expr.yaml"));
}

TEST(ModelRunTest, IgnoreExitCodeWritesDataAndTimeoutMessageBecomesStderr) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  WriteModel(repo, "ignored", "      run: \"echo partial; exit 4\"\n      ignoreExitCode: true\n");
  auto r = RunFenProcess({"model", "method", "run", "ignored", "execute", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["dataArtifacts"][0]["attributes"]["exitCode"], 4);
  WriteModel(
      repo, "slow",
      "      run: \"echo early; sleep 5\"\n      timeout: 200\n      ignoreExitCode: true\n");
  auto t = RunFenProcess({"model", "method", "run", "slow", "execute", "--json"}, repo);
  ASSERT_EQ(t.exit_code, 0) << t.err;
  Json attrs = Json::parse(t.out)["dataArtifacts"][0]["attributes"];
  EXPECT_EQ(attrs["exitCode"], -1);
  EXPECT_EQ(attrs["durationMs"], 0);
  EXPECT_EQ(attrs["stdout"], "");
  EXPECT_EQ(attrs["stderr"], "Command timed out after 200ms");
  std::string log_path = Json::parse(t.out)["dataArtifacts"][1]["path"];
  EXPECT_EQ(Slurp(log_path + "/raw"), "[stderr]\nCommand timed out after 200ms");
}

struct Spawned {
  pid_t pid;
  std::string out, err;
};

Spawned SpawnFen(const std::vector<std::string>& args, const std::string& repo,
                 const std::string& dir, int n) {
  Spawned s{0, dir + "/out" + std::to_string(n), dir + "/err" + std::to_string(n)};
  s.pid = fork();
  if (s.pid == 0) {
    int o = ::open(s.out.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    int e = ::open(s.err.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<std::string> all = {FEN_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    all.push_back("--repo-dir");
    all.push_back(repo);
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(FEN_BINARY, argv.data());
    _exit(127);
  }
  return s;
}

int Wait(pid_t pid) {
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Each run prints its start and end (ns since epoch) around a sleep.
const char* kTimedBody = "      run: \"date +%s%N; sleep 0.3; date +%s%N\"\n";

std::pair<int64_t, int64_t> Interval(const Json& doc) {
  std::string out = doc["dataArtifacts"][0]["attributes"]["stdout"];
  size_t nl = out.find('\n');
  return {std::stoll(out.substr(0, nl)), std::stoll(out.substr(nl + 1))};
}

TEST(ModelRunTest, ParallelRunsOnDifferentModelsOverlap) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  std::vector<Spawned> runs;
  // Each run prints its start time, marks itself started, then waits (up to 30 s) until all 8
  // are (time first: a run that saw all 8 marks must end after every start was printed): a fixed
  // sleep is shorter than the spread of 8 process start-ups on a loaded machine or under a
  // sanitizer. If the runs were serialised, the first one would time out alone and end before the
  // last began.
  const std::string started = tmp.path() + "/started";
  std::filesystem::create_directories(started);
  for (int i = 0; i < 8; ++i) {
    const std::string name = "par" + std::to_string(i);
    WriteModel(repo, name,
               "      run: \"date +%s%N; touch " + started + "/" + name + "; i=0; while [ $(ls " +
                   started +
                   " | wc -l) -lt 8 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; "
                   "date +%s%N\"\n");
  }
  for (int i = 0; i < 8; ++i) {
    runs.push_back(
        SpawnFen({"model", "method", "run", "par" + std::to_string(i), "execute", "--json"}, repo,
                 tmp.path(), i));
  }
  int64_t max_start = 0, min_end = INT64_MAX;
  for (auto& s : runs) {
    ASSERT_EQ(Wait(s.pid), 0) << Slurp(s.err);
    auto [b, e] = Interval(Json::parse(Slurp(s.out)));
    max_start = std::max(max_start, b);
    min_end = std::min(min_end, e);
  }
  EXPECT_LT(max_start, min_end) << "the 8 runs did not all overlap";
}

TEST(ModelRunTest, ParallelRunsOnOneModelNeverOverlapAndAllVersionsExist) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  std::string id = WriteModel(repo, "serial", kTimedBody);
  std::vector<Spawned> runs;
  for (int i = 0; i < 8; ++i) {
    runs.push_back(
        SpawnFen({"model", "method", "run", "serial", "execute", "--json"}, repo, tmp.path(), i));
  }
  std::vector<std::pair<int64_t, int64_t>> intervals;
  for (auto& s : runs) {
    ASSERT_EQ(Wait(s.pid), 0) << Slurp(s.err);
    intervals.push_back(Interval(Json::parse(Slurp(s.out))));
  }
  std::sort(intervals.begin(), intervals.end());
  for (size_t i = 1; i < intervals.size(); ++i) {
    EXPECT_GE(intervals[i].first, intervals[i - 1].second) << "runs " << i - 1 << " and " << i;
  }
  std::string data = repo + "/.swamp/data/command/shell/" + id;
  std::vector<std::string> want;
  for (int v = 1; v <= 8; ++v) want.push_back(std::to_string(v));
  want.push_back("latest");
  EXPECT_EQ(ListNames(data + "/result"), want);
  EXPECT_EQ(ListNames(data + "/log"), want);  // 16 versions in all
  EXPECT_EQ(Slurp(data + "/result/latest"), "8");
}

TEST(ModelRunTest, SigkilledRunLeavesNoVisibleVersionAndDoesNotBlock) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  std::string id = WriteModel(repo, "victim", "      run: \"echo started; sleep 1\"\n");
  auto s = SpawnFen({"model", "method", "run", "victim", "execute", "--json"}, repo, tmp.path(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  kill(s.pid, SIGKILL);
  EXPECT_EQ(Wait(s.pid), 128 + SIGKILL);
  std::string data = repo + "/.swamp/data/command/shell/" + id;
  for (const char* name : {"result", "log"}) {
    for (const auto& e : ListNames(data + "/" + name)) {
      EXPECT_EQ(e[0], '.') << "visible entry after SIGKILL: " << name << "/" << e;
    }
  }
  int64_t start = MonotonicMillis();
  auto next = RunFenProcess({"model", "method", "run", "victim", "execute", "--json"}, repo,
                            {"SWAMP_LOCK_TIMEOUT_MS=5000"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_LT(MonotonicMillis() - start, 4000);
  EXPECT_EQ(Slurp(data + "/result/latest"), "1");
}

TEST(ModelRunTest, SigtermCancelsRecordsAndExitsOne) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  std::string id = WriteModel(repo, "cancel", "      run: \"echo started; sleep 10\"\n");
  auto s = SpawnFen({"model", "method", "run", "cancel", "execute", "--json"}, repo, tmp.path(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  int64_t start = MonotonicMillis();
  kill(s.pid, SIGTERM);
  EXPECT_EQ(Wait(s.pid), 1);
  EXPECT_LT(MonotonicMillis() - start, 3000);
  Json err = Json::parse(Slurp(s.err));
  EXPECT_EQ(err["code"], "cancelled");
  bool found = false;
  for (const auto& f : ListNames(repo + "/.swamp/outputs/command/shell/execute")) {
    if (f.rfind(id, 0) == 0 && f.size() > 5 && f.compare(f.size() - 5, 5, ".yaml") == 0) {
      Json rec = Yaml(repo + "/.swamp/outputs/command/shell/execute/" + f);
      EXPECT_EQ(rec["status"], "cancelled");
      EXPECT_EQ(rec["error"]["message"], "aborted");
      found = true;
    }
  }
  EXPECT_TRUE(found);
  EXPECT_FALSE(std::filesystem::exists(repo + "/.swamp/data/command/shell/" + id + "/result/1"));
}

TEST(ModelRunTest, DeclaredInputsAreAcceptedButDoNotReplaceArguments) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  WriteModel(repo, "withinputs", "      run: \"echo fixed\"\n",
             "inputs:\n  properties:\n    who:\n      type: string\n");
  auto r = RunFenProcess(
      {"model", "method", "run", "withinputs", "execute", "--input", "who=x", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json doc = Json::parse(r.out);
  EXPECT_EQ(doc["dataArtifacts"][0]["attributes"]["stdout"], "fixed");
  EXPECT_EQ(ToCompactJson(doc["methodArguments"]), "{\"run\":\"echo fixed\"}");
}

TEST(ModelRunTest, TimeoutFlagCancelsWithExitOne) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  std::string id = WriteModel(repo, "long", "      run: \"sleep 10\"\n");
  int64_t start = MonotonicMillis();
  auto r = RunFenProcess(
      {"model", "method", "run", "long", "execute", "--timeout", "300ms", "--json"}, repo);
  EXPECT_LT(MonotonicMillis() - start, 4000);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Json::parse(r.err)["code"], "cancelled");
  EXPECT_FALSE(std::filesystem::exists(repo + "/.swamp/data/command/shell/" + id + "/result"));
}

TEST(ModelRunTest, TextModeStreamsLinesAndSummarizes) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto r = RunFenProcess({"model", "method", "run", "hello", "execute"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out.rfind("              hello world\n\n  Completed   execute on hello succeeded in ", 0),
      0u)
      << r.out;
}

TEST(ModelRunTest, BrokenDefinitionIsSkippedWithWarningOnRun) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  testing::WriteText(repo + "/models/command/shell/broken.yaml", "name: [\n");
  auto r = RunFenProcess({"model", "method", "run", "broken", "execute", "--json"}, repo);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Skipping broken definition file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"code\": \"model_not_found\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fen::models
