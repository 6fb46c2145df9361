// End-to-end stress of the issues "Lock manager" and "Model runs" with REAL `fen` processes
// (FEN_BINARY) on a copy of the fixture repo: shared/spec/locking.md §7 (#25 stampede, #26
// counter, #29 structural vs writers, the SIGKILLed holder) and the reproduction of swamp PR
// 1303 (shared/seed/swamp-pr-1303.txt: `data delete --force` racing writers of the same
// artifact). Every test prints its counts. Sized to keep the whole file under ~2 minutes on the
// shared 2-core VM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "fen/base/json_text.h"
#include "models/model_test_util.h"

namespace fen {
namespace {

using models::testing::CopyFixtureRepo;
using models::testing::ListNames;
using models::testing::Slurp;
using models::testing::TempDir;
using models::testing::WriteText;

int64_t RealtimeNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t MonoMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// A command/shell model `name` whose execute body is `body` (double-quoted YAML scalar).
std::string WriteShellModel(const std::string& repo, const std::string& name,
                            const std::string& body) {
  char id[64];
  std::snprintf(id, sizeof id, "e2e00000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(std::hash<std::string>{}(name)&0xffffffffffffULL));
  std::string escaped;
  for (char c : body) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  WriteText(repo + "/models/command/shell/" + name + ".yaml",
            "type: command/shell\ntypeVersion: 2026.02.09.1\nid: " + std::string(id) +
                "\nname: " + name +
                "\nversion: 1\ntags: {}\nglobalArguments: {}\nmethods:\n  execute:\n"
                "    arguments:\n      run: \"" +
                escaped + "\"\n");
  return id;
}

// fork + exec FEN_BINARY `args` --repo-dir `repo`, stdout/stderr to the given files.
pid_t SpawnFen(std::vector<std::string> args, const std::string& repo, const std::string& out,
               const std::string& err) {
  args.insert(args.begin(), FEN_BINARY);
  args.push_back("--repo-dir");
  args.push_back(repo);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    int n = ::open("/dev/null", O_RDONLY);
    dup2(o, 1);
    dup2(e, 2);
    dup2(n, 0);
    execv(FEN_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

int WaitExit(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

bool Exists(const std::string& p) { return std::filesystem::exists(p); }

bool MentionsNotEmpty(const std::string& s) {
  return s.find("Directory not empty") != std::string::npos ||
         s.find("ENOTEMPTY") != std::string::npos || s.find("os error 39") != std::string::npos;
}

void WaitForFile(const std::string& path, int timeout_ms) {
  int64_t until = MonoMs() + timeout_ms;
  while (!Exists(path) && MonoMs() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_TRUE(Exists(path)) << path;
}

struct Section {
  int64_t enter, exit;
};

// Lines "E <ns>" / "X <ns>" appended by the bodies, paired in order of appearance per pid.
std::vector<Section> ReadSections(const std::string& path) {
  std::map<std::string, int64_t> open;
  std::vector<Section> out;
  std::istringstream in(Slurp(path));
  std::string kind, pid;
  int64_t ns;
  while (in >> kind >> pid >> ns) {
    if (kind == "E") {
      open[pid] = ns;
    } else if (open.count(pid) != 0) {
      out.push_back({open[pid], ns});
      open.erase(pid);
    }
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.enter < b.enter; });
  return out;
}

int CountOverlaps(const std::vector<Section>& s) {
  int n = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i].enter < s[i - 1].exit) ++n;
  }
  return n;
}

// A body that logs its critical section with the shell's pid: E <pid> <ns> ... X <pid> <ns>.
std::string SectionBody(const std::string& log, const std::string& middle) {
  return "echo E $$ $(date +%s%N) >> " + log + "; " + middle + "; echo X $$ $(date +%s%N) >> " +
         log;
}

// A temp dir on tmpfs (/dev/shm) when there is one: for the delete race, whose subject is the
// lock protocol, not the disk. On the shared VM's ext4 every run costs 19 journal commits
// (docs/performance.md "Model runs"): 1,000 deletes took 378 s there vs 49 s on tmpfs.
class TmpfsTempDir {
 public:
  TmpfsTempDir() {
    std::string base = std::filesystem::is_directory("/dev/shm")
                           ? std::string("/dev/shm")
                           : std::filesystem::temp_directory_path().string();
    std::string tmpl = base + "/fen-e2e-XXXXXX";
    char* p = mkdtemp(tmpl.data());
    path_ = p == nullptr ? std::string() : std::string(p);
  }
  ~TmpfsTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TmpfsTempDir(const TmpfsTempDir&) = delete;
  TmpfsTempDir& operator=(const TmpfsTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// shared/seed/swamp-pr-1303.txt: 4 writers loop `model method run` on ONE model while a tight
// loop runs `data delete <model> result|log --force --json` on the same artifacts.
TEST(E2eModelLockTest, DeleteRacingWritersNeverFailsOrLosesAcknowledgedVersions) {
  TmpfsTempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  std::string id = WriteShellModel(repo, "race", "echo hi");
  const int kWriters = 4, kDeletes = 1000;
  const std::string stop = tmp.path() + "/stop";
  const std::string data = repo + "/.swamp/data/command/shell/" + id;
  int64_t t0 = MonoMs();

  // Each writer is a forked loop (single-threaded) that runs fen until `stop` exists, then once
  // more; it records "<exit> <out> <err>" per run in its manifest.
  std::vector<pid_t> writers;
  for (int w = 0; w < kWriters; ++w) {
    std::string dir = tmp.path() + "/w" + std::to_string(w);
    std::filesystem::create_directories(dir);
    pid_t pid = fork();
    if (pid == 0) {
      FILE* manifest = std::fopen((dir + "/manifest").c_str(), "w");
      bool last = false;
      for (int k = 0; !last; ++k) {
        last = Exists(stop);
        std::string out = dir + "/out" + std::to_string(k), err = dir + "/err" + std::to_string(k);
        int rc = WaitExit(
            SpawnFen({"model", "method", "run", "race", "execute", "--json"}, repo, out, err));
        std::fprintf(manifest, "%d %d %s %s\n", rc, last ? 1 : 0, out.c_str(), err.c_str());
        std::fflush(manifest);
      }
      std::fclose(manifest);
      _exit(0);
    }
    writers.push_back(pid);
  }

  int deletes_ok = 0, deletes_not_found = 0, deletes_failed = 0, not_empty = 0;
  std::string first_failure;
  const std::string dout = tmp.path() + "/dout", derr = tmp.path() + "/derr";
  for (int i = 0; i < kDeletes; ++i) {
    std::string name = i % 2 == 0 ? "result" : "log";
    int rc =
        WaitExit(SpawnFen({"data", "delete", "race", name, "--force", "--json"}, repo, dout, derr));
    std::string out = Slurp(dout), err = Slurp(derr);
    if (MentionsNotEmpty(out) || MentionsNotEmpty(err)) ++not_empty;
    if (rc == 0) {
      ++deletes_ok;
    } else if (err.find("No data named \\\"" + name + "\\\" exists") != std::string::npos ||
               err.find("No data named \"" + name + "\" exists") != std::string::npos) {
      ++deletes_not_found;
    } else {
      ++deletes_failed;
      if (first_failure.empty()) first_failure = "exit " + std::to_string(rc) + ": " + err + out;
    }
  }
  WriteText(stop, "");
  int64_t t_delete_loop = MonoMs() - t0;
  for (pid_t p : writers) EXPECT_EQ(WaitExit(p), 0);

  int runs = 0, runs_failed = 0, final_runs = 0;
  std::string first_run_failure;
  std::map<std::string, std::set<int64_t>> versions;  // name -> versions acknowledged
  int duplicates = 0;
  std::vector<std::string> must_exist;  // versions of runs started after the deletes stopped
  for (int w = 0; w < kWriters; ++w) {
    std::istringstream manifest(Slurp(tmp.path() + "/w" + std::to_string(w) + "/manifest"));
    int rc, last;
    std::string out_path, err_path;
    while (manifest >> rc >> last >> out_path >> err_path) {
      ++runs;
      std::string out = Slurp(out_path), err = Slurp(err_path);
      if (MentionsNotEmpty(out) || MentionsNotEmpty(err)) ++not_empty;
      if (rc != 0) {
        ++runs_failed;
        if (first_run_failure.empty()) first_run_failure = err;
        continue;
      }
      Json doc = Json::parse(out);
      for (const auto& a : doc["dataArtifacts"]) {
        std::string path = a["path"];
        std::string name = std::filesystem::path(path).parent_path().filename();
        int64_t v = std::stoll(std::filesystem::path(path).filename().string());
        if (!versions[name].insert(v).second) ++duplicates;
        if (last == 1) must_exist.push_back(path);
      }
      if (last == 1) ++final_runs;
    }
  }
  int missing = 0;
  for (const auto& p : must_exist) {
    if (!Exists(p + "/raw") || !Exists(p + "/metadata.yaml")) ++missing;
  }
  // `latest` names the highest version, which exists.
  for (const char* name : {"result", "log"}) {
    std::string latest = Slurp(data + "/" + name + "/latest");
    ASSERT_FALSE(latest.empty()) << name;
    EXPECT_EQ(std::stoll(latest), *versions[name].rbegin()) << name;
    EXPECT_TRUE(Exists(data + "/" + name + "/" + latest + "/raw")) << name;
  }
  std::printf(
      "[ counts ] delete race: %d deletes (%d ok, %d not-found, %d failed) in %lld ms; %d runs "
      "(%d failed, %d final), %zu result + %zu log versions acknowledged, %d duplicates, %d "
      "ENOTEMPTY, %d final versions missing\n",
      kDeletes, deletes_ok, deletes_not_found, deletes_failed,
      static_cast<long long>(t_delete_loop), runs, runs_failed, final_runs,
      versions["result"].size(), versions["log"].size(), duplicates, not_empty, missing);
  EXPECT_EQ(not_empty, 0);
  EXPECT_EQ(deletes_failed, 0) << first_failure;
  EXPECT_EQ(runs_failed, 0) << first_run_failure;
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(final_runs, kWriters);
  EXPECT_GT(deletes_ok, 0);
  EXPECT_GE(runs, kWriters * 2);
}

// A SIGKILLed `model method run` holds the model lock while 16 contenders queue; after the
// kill they stampede. The contenders' bodies log their sections: none may overlap.
TEST(E2eModelLockTest, StampedeAfterSigkilledRunHasNoOverlappingSections) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  const std::string hold = tmp.path() + "/hold", held = tmp.path() + "/held";
  const std::string log = tmp.path() + "/sections";
  WriteShellModel(repo, "stampede",
                  "if [ -f " + hold + " ]; then rm " + hold + "; touch " + held +
                      "; exec sleep 3; fi; " + SectionBody(log, "sleep 0.005"));
  const int kRounds = 3, kContenders = 16;
  int failed = 0, sections = 0, overlaps = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::filesystem::remove(held);
    WriteText(hold, "");
    std::string d = tmp.path() + "/r" + std::to_string(round);
    std::filesystem::create_directories(d);
    pid_t holder = SpawnFen({"model", "method", "run", "stampede", "execute", "--json"}, repo,
                            d + "/hout", d + "/herr");
    WaitForFile(held, 10000);
    std::vector<pid_t> contenders;
    for (int i = 0; i < kContenders; ++i) {
      contenders.push_back(SpawnFen({"model", "method", "run", "stampede", "execute", "--json"},
                                    repo, d + "/out" + std::to_string(i),
                                    d + "/err" + std::to_string(i)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let them queue
    kill(holder, SIGKILL);
    EXPECT_EQ(WaitExit(holder), 128 + SIGKILL);
    for (size_t i = 0; i < contenders.size(); ++i) {
      int rc = WaitExit(contenders[i]);
      if (rc != 0) {
        ++failed;
        ADD_FAILURE() << "contender " << i << " exit " << rc << ": "
                      << Slurp(d + "/err" + std::to_string(i));
      }
    }
  }
  auto s = ReadSections(log);
  sections = static_cast<int>(s.size());
  overlaps = CountOverlaps(s);
  std::printf(
      "[ counts ] stampede: %d rounds x %d contenders, %d sections, %d overlaps, %d "
      "failed\n",
      kRounds, kContenders, sections, overlaps, failed);
  EXPECT_EQ(sections, kRounds * kContenders);
  EXPECT_EQ(overlaps, 0);
  EXPECT_EQ(failed, 0);
}

// 32 processes increment a counter file under one model lock with real runs.
TEST(E2eModelLockTest, ThirtyTwoRunsIncrementACounterExactly) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  const std::string counter = tmp.path() + "/counter";
  WriteText(counter, "0\n");
  WriteShellModel(repo, "counter",
                  "n=$(cat " + counter + "); sleep 0.001; echo $((n+1)) > " + counter);
  const int kProcs = 32;
  int64_t t0 = MonoMs();
  std::vector<pid_t> pids;
  for (int i = 0; i < kProcs; ++i) {
    pids.push_back(SpawnFen({"model", "method", "run", "counter", "execute", "--json"}, repo,
                            tmp.path() + "/out" + std::to_string(i),
                            tmp.path() + "/err" + std::to_string(i)));
  }
  int failed = 0;
  for (int i = 0; i < kProcs; ++i) {
    if (WaitExit(pids[i]) != 0) {
      ++failed;
      ADD_FAILURE() << Slurp(tmp.path() + "/err" + std::to_string(i));
    }
  }
  int final_count = std::stoi(Slurp(counter));
  std::printf("[ counts ] counter: %d runs, final count %d, %d failed, %lld ms\n", kProcs,
              final_count, failed, static_cast<long long>(MonoMs() - t0));
  EXPECT_EQ(final_count, kProcs);
  EXPECT_EQ(failed, 0);
}

// A steady stream of overlapping writers (sleep 0.3 bodies, 4 models) does not starve
// `data gc` (structural): it completes within the longest writer section plus a margin.
TEST(E2eModelLockTest, DataGcIsNotStarvedByAStreamOfWriters) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  const int kModels = 4;
  const std::string log = tmp.path() + "/sections";
  for (int m = 0; m < kModels; ++m) {
    WriteShellModel(repo, "stream" + std::to_string(m), SectionBody(log, "sleep 0.3"));
  }
  const std::string stop = tmp.path() + "/stop";
  std::vector<pid_t> loops;
  for (int m = 0; m < kModels; ++m) {
    pid_t pid = fork();
    if (pid == 0) {
      // One runner per model, back to back: the four models' sections overlap all the time.
      int rc = 0;
      std::string dir = tmp.path() + "/m" + std::to_string(m);
      for (int k = 0; !Exists(stop); ++k) {
        if (WaitExit(SpawnFen(
                {"model", "method", "run", "stream" + std::to_string(m), "execute", "--json"}, repo,
                dir + "out", dir + "err")) != 0) {
          rc = 1;
        }
      }
      _exit(rc);
    }
    loops.push_back(pid);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // the stream is running
  const int kGcs = 3;
  int64_t worst_gc = 0;
  for (int g = 0; g < kGcs; ++g) {
    int64_t start = MonoMs();
    int rc = WaitExit(
        SpawnFen({"data", "gc", "--json"}, repo, tmp.path() + "/gcout", tmp.path() + "/gcerr"));
    int64_t took = MonoMs() - start;
    worst_gc = std::max(worst_gc, took);
    EXPECT_EQ(rc, 0) << Slurp(tmp.path() + "/gcerr");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  WriteText(stop, "");
  for (pid_t p : loops) EXPECT_EQ(WaitExit(p), 0);
  auto s = ReadSections(log);
  int64_t longest = 0;
  for (const auto& x : s) longest = std::max(longest, (x.exit - x.enter) / 1000000);
  std::printf(
      "[ counts ] gc vs writers: %zu writer sections (longest %lld ms), %d gc runs, "
      "slowest gc %lld ms\n",
      s.size(), static_cast<long long>(longest), kGcs, static_cast<long long>(worst_gc));
  EXPECT_GE(s.size(), static_cast<size_t>(kModels * 2));
  // A writer section is ~300 ms plus its run's commit work; 1.5 s of margin for the loaded VM.
  EXPECT_LT(worst_gc, longest + 1500);
}

// The next waiter takes a SIGKILLed holder's lock at once: the gap between the SIGKILL and the
// waiter's body starting is the kernel releasing the OFD lock plus the waiter's pre-body work.
TEST(E2eModelLockTest, SigkilledHoldersLockPassesToTheNextWaiterWithoutDelay) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  const std::string hold = tmp.path() + "/hold", held = tmp.path() + "/held";
  const std::string started = tmp.path() + "/started";
  WriteShellModel(repo, "handoff",
                  "if [ -f " + hold + " ]; then rm " + hold + "; touch " + held +
                      "; exec sleep 3; fi; date +%s%N > " + started);
  std::vector<int64_t> gaps;
  for (int round = 0; round < 5; ++round) {
    std::filesystem::remove(held);
    std::filesystem::remove(started);
    WriteText(hold, "");
    pid_t holder = SpawnFen({"model", "method", "run", "handoff", "execute", "--json"}, repo,
                            tmp.path() + "/hout", tmp.path() + "/herr");
    WaitForFile(held, 10000);
    pid_t waiter = SpawnFen({"model", "method", "run", "handoff", "execute", "--json"}, repo,
                            tmp.path() + "/wout", tmp.path() + "/werr");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(Exists(started)) << "the waiter ran while the holder held the lock";
    int64_t killed_at = RealtimeNs();
    kill(holder, SIGKILL);
    EXPECT_EQ(WaitExit(holder), 128 + SIGKILL);
    EXPECT_EQ(WaitExit(waiter), 0) << Slurp(tmp.path() + "/werr");
    gaps.push_back((std::stoll(Slurp(started)) - killed_at) / 1000000);
  }
  std::sort(gaps.begin(), gaps.end());
  std::printf("[ counts ] SIGKILLed holder -> next body: gaps ms min %lld median %lld max %lld\n",
              static_cast<long long>(gaps.front()), static_cast<long long>(gaps[gaps.size() / 2]),
              static_cast<long long>(gaps.back()));
  EXPECT_LT(gaps[gaps.size() / 2], 500);
}

}  // namespace
}  // namespace fen
