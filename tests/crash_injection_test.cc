// Crash injection with real processes (storage.md §5.1, §5.8). Three kinds of trials:
//  1. A forked child running the library _exit()s at its k-th mutating Env call, for every k of
//     save, version delete, artifact delete, rename and gc (FaultInjectionEnv::ExitAt).
//  2. A forked child runs a loop of writes (save, version delete, rename, gc), reporting each
//     acknowledged write on a pipe, and is SIGKILLed at a random moment.
//  3. The real `fen` binary (data delete / rename / gc) is SIGKILLed at a random moment.
// After each trial: doctor finds no corruption (leftovers allowed), every acknowledged write
// is readable, every visible version is complete, `latest` names a complete version, and the
// next write proceeds without manual cleanup. Trial counts are printed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "env/fault_injection_env.h"
#include "fen/env/durable_file.h"
#include "fen/storage/data_maintenance.h"
#include "fen/storage/filesystem_data_store.h"
#include "hardening_test_util.h"
#include "support/record_participant.h"

namespace fen::hardening {
namespace {

using storage::ArtifactKey;
using storage::DataRecord;
using storage::DataStore;
using storage::FilesystemLayout;
namespace fs = std::filesystem;

DataRecord Record(int64_t gc = 1000) {
  DataRecord r;
  r.content_type = "text/plain";
  r.lifetime = "infinite";
  r.garbage_collection = gc;
  r.tags = {{"type", "resource"}, {"specName", "result"}, {"modelName", "counter"}};
  r.owner.owner_type = "model-method";
  r.owner.owner_ref = kCounterId;
  return r;
}

ArtifactKey Key(const std::string& name) { return ArtifactKey{"command/shell", kCounterId, name}; }

struct Tree {
  explicit Tree(const std::string& root) {
    ctx.repo_dir = root;
    ctx.datastore_root = root + "/.swamp";
    ctx.data_root = ctx.datastore_root + "/data";
    ctx.fen_dir = ctx.datastore_root + "/.fen";
    layout = FilesystemLayout{ctx.data_root, ctx.fen_dir, false};
  }
  RepoContext ctx;
  FilesystemLayout layout;
};

// "result" v1..v3 (gc policy 2, so gc removes v1) and "other" v1.
const std::string& Template() {
  static TempDir* dir = nullptr;
  if (dir == nullptr) {
    dir = new TempDir();
    Tree t(dir->path());
    auto s = storage::OpenFilesystemDataStore(Env::Default(), t.layout);
    for (int i = 1; i <= 3; ++i)
      EXPECT_TRUE(s->Save(Key("result"), Record(2), "v" + std::to_string(i)).ok());
    EXPECT_TRUE(s->Save(Key("other"), Record(2), "o1").ok());
  }
  return dir->path();
}

void CopyTemplate(const Tree& t) {
  fs::copy(Template() + "/.swamp", t.ctx.datastore_root, fs::copy_options::recursive);
}

std::string Content(DataStore* s, const std::string& name, int64_t v) {
  auto c = s->GetContent(Key(name), v);
  return c.ok() && *c ? **c : std::string("<missing>");
}

// Doctor finds no corruption, and the next write proceeds and is readable.
void CheckAfterCrash(const Tree& t, const std::string& where) {
  EXPECT_EQ(CheckTreeInvariants(t.ctx), "") << where;
  auto s = storage::OpenFilesystemDataStore(Env::Default(), t.layout);
  auto next = s->Save(Key("other"), Record(), "next");
  ASSERT_TRUE(next.ok()) << where << ": " << next.status().message();
  EXPECT_EQ(Content(s.get(), "other", next->version), "next") << where;
  for (const char* name : {"result", "other", "renamed"}) {
    auto latest = s->FindOwnLatest(Key(name));
    ASSERT_TRUE(latest.ok()) << where << ": " << latest.status().message();
  }
}

// Two streamed versions (result v4, other v2) and a record, committed together.
Status CommitTwoTogether(DataStore* s, Env* env, const Tree& t) {
  FEN_ASSIGN_OR_RETURN(auto a, s->BeginVersion(Key("result"), Record(2)));
  FEN_ASSIGN_OR_RETURN(auto b, s->BeginVersion(Key("other"), Record(2)));
  FEN_RETURN_IF_ERROR(a->Append("r4"));
  FEN_RETURN_IF_ERROR(b->Append("o2"));
  testsupport::RecordParticipant record(env, t.ctx.datastore_root);
  return s->CommitTogether({a.get(), b.get()}, &record).status();
}

struct CrashOp {
  const char* name;
  std::function<Status(DataStore*, Env*, const Tree&)> run;
  // The effect an acknowledged run must have left (checked with a fresh store).
  std::function<void(DataStore*, const std::string&)> acknowledged;
};

std::vector<CrashOp> CrashOps() {
  return {
      {"save",
       [](DataStore* s, Env*, const Tree&) {
         return s->Save(Key("result"), Record(2), "v4").status();
       },
       [](DataStore* s, const std::string& w) {
         EXPECT_EQ(Content(s, "result", 4), "v4") << w;
         auto l = s->FindOwnLatest(Key("result"));
         ASSERT_TRUE(l.ok() && *l) << w;
         EXPECT_EQ((*l)->version, 4) << w;
       }},
      {"commit-together", CommitTwoTogether,
       [](DataStore* s, const std::string& w) {
         EXPECT_EQ(Content(s, "result", 4), "r4") << w;
         EXPECT_EQ(Content(s, "other", 2), "o2") << w;
         for (auto [name, v] : {std::pair<const char*, int64_t>{"result", 4}, {"other", 2}}) {
           auto l = s->FindOwnLatest(Key(name));
           ASSERT_TRUE(l.ok() && *l) << w;
           EXPECT_EQ((*l)->version, v) << w << " " << name;
         }
       }},
      {"delete-version",
       [](DataStore* s, Env*, const Tree&) {
         std::vector<std::string> warn;
         return s->DeleteVersions(Key("result"), {3}, &warn);
       },
       [](DataStore* s, const std::string& w) {
         auto v = s->ListVersions(Key("result"));
         ASSERT_TRUE(v.ok());
         EXPECT_EQ(*v, (std::vector<int64_t>{1, 2})) << w;
       }},
      {"delete-artifact",
       [](DataStore* s, Env*, const Tree&) {
         std::vector<std::string> warn;
         return s->DeleteArtifact(Key("result"), &warn);
       },
       [](DataStore* s, const std::string& w) {
         auto v = s->ListVersions(Key("result"));
         ASSERT_TRUE(v.ok());
         EXPECT_TRUE(v->empty()) << w;
       }},
      {"rename",
       [](DataStore* s, Env*, const Tree&) { return s->Rename(Key("result"), "renamed").status(); },
       [](DataStore* s, const std::string& w) {
         auto r = s->FindByName(Key("result"));
         ASSERT_TRUE(r.ok() && *r) << w;
         EXPECT_EQ((*r)->name, "renamed") << w;
         EXPECT_EQ(Content(s, "renamed", (*r)->version), "v3") << w;
       }},
      {"gc",
       [](DataStore* s, Env* env, const Tree& t) {
         return storage::CollectGarbage(env, t.ctx, s, false).status();
       },
       [](DataStore* s, const std::string& w) {
         auto v = s->ListVersions(Key("result"));
         ASSERT_TRUE(v.ok());
         EXPECT_EQ(*v, (std::vector<int64_t>{2, 3})) << w;
       }},
  };
}

// SIGKILL keeps the page cache, so fsync adds nothing to what these trials check; running
// them on tmpfs (/dev/shm) when it exists makes ten times more trials fit in the budget.
// (Power loss is out of scope: docs/reliability.md.)
class ScopedTmpdirOnTmpfs {
 public:
  ScopedTmpdirOnTmpfs() {
    const char* old = std::getenv("TMPDIR");
    if (old != nullptr) old_ = old;
    had_ = old != nullptr;
    if (access("/dev/shm", W_OK) == 0) setenv("TMPDIR", "/dev/shm", 1);
  }
  ~ScopedTmpdirOnTmpfs() {
    if (had_) {
      setenv("TMPDIR", old_.c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
  }

 private:
  std::string old_;
  bool had_ = false;
};

int Steps(const CrashOp& op) {
  TempDir d;
  Tree t(d.path());
  CopyTemplate(t);
  FaultInjectionEnv env(Env::Default());
  auto s = storage::OpenFilesystemDataStore(&env, t.layout);
  EXPECT_TRUE(op.run(s.get(), &env, t).ok()) << op.name;
  return env.count();
}

TEST(CrashTest, ExitAtEveryMutatingStep) {
  Template();
  ScopedTmpdirOnTmpfs on_tmpfs;
  int trials = 0, crashed = 0;
  for (const auto& op : CrashOps()) {
    const int steps = Steps(op);
    ASSERT_GT(steps, 3) << op.name;
    for (int k = 1; k <= steps + 1; ++k) {
      TempDir d;
      Tree t(d.path());
      CopyTemplate(t);
      pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        FaultInjectionEnv env(Env::Default());
        env.ExitAt(k, 42);
        auto s = storage::OpenFilesystemDataStore(&env, t.layout);
        _exit(op.run(s.get(), &env, t).ok() ? 0 : 1);
      }
      int status = 0;
      waitpid(pid, &status, 0);
      ASSERT_TRUE(WIFEXITED(status));
      const int code = WEXITSTATUS(status);
      const std::string where = std::string(op.name) + " k=" + std::to_string(k);
      ASSERT_TRUE(code == 42 || code == 0) << where << " code=" << code;
      ++trials;
      if (code == 42) ++crashed;
      if (code == 0) {
        auto s = storage::OpenFilesystemDataStore(Env::Default(), t.layout);
        op.acknowledged(s.get(), where);
      }
      CheckAfterCrash(t, where);
      // A commit's record is published only after every version it names is visible.
      std::ifstream record(t.ctx.datastore_root + "/record");
      for (std::string line; std::getline(record, line);) {
        const auto eq = line.find('=');
        ASSERT_NE(eq, std::string::npos) << where << " torn record line: " << line;
        auto s = storage::OpenFilesystemDataStore(Env::Default(), t.layout);
        EXPECT_NE(Content(s.get(), line.substr(0, eq), std::stoll(line.substr(eq + 1))),
                  "<missing>")
            << where << " record names an invisible version: " << line;
      }
      if (code == 0 && std::string(op.name) == "commit-together") {
        std::ifstream again(t.ctx.datastore_root + "/record");
        std::stringstream text;
        text << again.rdbuf();
        EXPECT_EQ(text.str(), "result=4\nother=2\n") << where;
      }
    }
  }
  std::printf("crash trials (exit at k-th Env call): %d, crashed mid-operation: %d\n", trials,
              crashed);
}

// The child's loop: every acknowledged write is one line on `fd`:
//   "save <name> <version> <content>", "del <version>" (written BEFORE the delete starts: the
//   version may or may not be gone), "rename <from> <to>".
[[noreturn]] void WriterLoop(const Tree& t, int fd, unsigned seed) {
  auto s = storage::OpenFilesystemDataStore(Env::Default(), t.layout);
  std::mt19937 rng(seed);
  auto say = [fd](const std::string& line) {
    std::string l = line + "\n";
    if (write(fd, l.data(), l.size()) != static_cast<ssize_t>(l.size())) _exit(3);
  };
  say("ready");  // the parent's random delay starts here, not at fork
  std::string renamed_from = "other", renamed_to = "other2";
  for (int i = 0;; ++i) {
    switch (rng() % 5) {
      case 0:
      case 1: {
        std::string content = "c" + std::to_string(seed) + "-" + std::to_string(i);
        auto r = s->Save(Key("result"), Record(), content);
        if (!r.ok()) _exit(4);
        say("save result " + std::to_string(r->version) + " " + content);
        break;
      }
      case 2: {
        auto v = s->ListVersions(Key("result"));
        if (!v.ok()) _exit(5);
        if (v->size() < 2) break;
        say("del " + std::to_string(v->front()));
        std::vector<std::string> w;
        if (!s->DeleteVersions(Key("result"), {v->front()}, &w).ok()) _exit(6);
        break;
      }
      case 3: {
        auto r = s->Rename(Key(renamed_from), renamed_to);
        if (!r.ok()) _exit(7);
        say("rename " + renamed_from + " " + renamed_to);
        std::swap(renamed_from, renamed_to);
        break;
      }
      default: {
        auto g = storage::CollectGarbage(Env::Default(), t.ctx, s.get(), false);
        if (!g.ok()) _exit(8);
        break;
      }
    }
  }
}

int TrialCount(const char* var, int fallback) {
  const char* v = std::getenv(var);
  return v != nullptr ? std::atoi(v) : fallback;
}

TEST(CrashTest, SigkillWriterLoopAtRandomMoments) {
  Template();
  ScopedTmpdirOnTmpfs on_tmpfs;
  const int n = TrialCount("FEN_CRASH_TRIALS", 850);
  std::mt19937 rng(20261126);
  int acked_saves = 0, acked_renames = 0;
  for (int trial = 0; trial < n; ++trial) {
    TempDir d;
    Tree t(d.path());
    CopyTemplate(t);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const unsigned seed = rng();
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      WriterLoop(t, fds[1], seed);
    }
    close(fds[1]);
    std::string log;
    char buf[4096];
    while (log.find('\n') == std::string::npos) {  // wait for "ready"
      ssize_t r = read(fds[0], buf, sizeof buf);
      if (r <= 0) break;
      log.append(buf, static_cast<size_t>(r));
    }
    usleep(static_cast<useconds_t>(rng() % 20000));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    const std::string where = "trial " + std::to_string(trial) + " seed " + std::to_string(seed);
    ASSERT_TRUE(WIFSIGNALED(status)) << where << " child exited with " << WEXITSTATUS(status);
    for (ssize_t r; (r = read(fds[0], buf, sizeof buf)) > 0;)
      log.append(buf, static_cast<size_t>(r));
    close(fds[0]);
    // Acknowledged writes survive.
    auto s = storage::OpenFilesystemDataStore(Env::Default(), t.layout);
    std::map<int64_t, std::string> saves;
    std::vector<std::string> rename_targets;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
      std::istringstream ls(line);
      std::string kind;
      ls >> kind;
      if (kind == "save") {
        std::string name, content;
        int64_t v = 0;
        ls >> name >> v >> content;
        saves[v] = content;
      } else if (kind == "del") {
        int64_t v = 0;
        ls >> v;
        saves.erase(v);
      } else if (kind == "rename") {
        std::string from, to;
        ls >> from >> to;
        rename_targets.push_back(to);
      }
    }
    for (const auto& [v, content] : saves) {
      EXPECT_EQ(Content(s.get(), "result", v), content) << where << " acknowledged v" << v;
      ++acked_saves;
    }
    if (!rename_targets.empty()) {
      // The last acknowledged rename's target holds the data (a later unacknowledged rename
      // may have moved it back: then the old name holds it; either way it resolves).
      auto r = s->FindByName(Key(rename_targets.back()));
      ASSERT_TRUE(r.ok()) << where;
      EXPECT_TRUE(r->has_value()) << where << " rename target " << rename_targets.back();
      acked_renames += static_cast<int>(rename_targets.size());
    }
    CheckAfterCrash(t, where);
  }
  std::printf(
      "crash trials (SIGKILL of a library writer loop): %d, acknowledged saves checked: "
      "%d, acknowledged renames: %d\n",
      n, acked_saves, acked_renames);
}

// The real binary: `fen data delete|rename|gc` and `fen model method run` on a copy of the swamp
// fixture, SIGKILLed at a random moment; then `fen doctor datastores --json` reports no corruption
// and the next command succeeds.
TEST(CrashTest, SigkillFenBinaryAtRandomMoments) {
  ScopedTmpdirOnTmpfs on_tmpfs;
  const int n = TrialCount("FEN_CRASH_CLI_TRIALS", 75);
  std::mt19937 rng(4242);
  TempDir base;
  const std::string tmpl = CopyFixtureRepo(base.path());
  const std::vector<std::vector<std::string>> commands = {
      {"data", "delete", "counter", "result", "--version", "3", "-y"},
      {"data", "delete", "counter", "log", "-y"},
      {"data", "rename", "counter", "result", "renamed"},
      {"data", "gc", "-y"},
      {"model", "method", "run", "counter", "execute"},
  };
  int killed = 0, completed = 0;
  for (int trial = 0; trial < n; ++trial) {
    TempDir d;
    const std::string repo = d.path() + "/repo";
    fs::copy(tmpl, repo, fs::copy_options::recursive);
    const auto& cmd = commands[static_cast<size_t>(trial) % commands.size()];
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      if (chdir(repo.c_str()) != 0) _exit(127);
      int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      std::vector<char*> argv;
      std::string bin = FEN_BINARY;
      argv.push_back(bin.data());
      std::vector<std::string> copy = cmd;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      unsetenv("SWAMP_REPO_DIR");
      unsetenv("SWAMP_DATASTORE");
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    const bool model_run = cmd[0] == "model";
    // A data command takes ~20-60 ms, a model run (it runs a shell) ~200 ms.
    usleep(static_cast<useconds_t>(rng() % (model_run ? 250000 : 40000)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    const std::string where = "trial " + std::to_string(trial) + " " + cmd[0] + " " + cmd[1];
    if (WIFSIGNALED(status)) {
      ++killed;
    } else {
      ++completed;
      ASSERT_EQ(WEXITSTATUS(status), 0) << where;
    }
    Tree t(repo);
    EXPECT_EQ(CheckTreeInvariants(ContextFor(repo)), "") << where;
    auto doc = SpawnFen(repo, {"doctor", "datastores", "--json"}, d.path());
    ASSERT_EQ(doc.rc, 0) << where << doc.err;
    auto j = nlohmann::json::parse(doc.out);
    EXPECT_EQ(j["summary"]["corruption"], 0) << where << doc.out;
    // The next command proceeds without manual cleanup.
    auto next = SpawnFen(repo, {"data", "gc", "-y", "--json"}, d.path());
    EXPECT_EQ(next.rc, 0) << where << next.err;
    auto list = SpawnFen(repo, {"data", "list", "counter", "--json"}, d.path());
    EXPECT_EQ(list.rc, 0) << where << list.err;
    if (model_run) {
      // No stuck lock: the same model's writer lock is free again at once.
      auto again =
          SpawnFen(repo, {"model", "method", "run", "counter", "execute", "--json"}, d.path());
      EXPECT_EQ(again.rc, 0) << where << again.err;
      EXPECT_EQ(CheckTreeInvariants(ContextFor(repo)), "") << where << " after the next run";
    }
  }
  std::printf(
      "crash trials (SIGKILL of the fen binary): %d (killed mid-command %d, completed %d)\n", n,
      killed, completed);
}

}  // namespace
}  // namespace fen::hardening
