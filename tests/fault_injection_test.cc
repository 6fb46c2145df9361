// Fault tests: ENOSPC / EIO / EACCES / EROFS injected at every mutating step of save, version
// delete, artifact delete, rename and gc (FaultInjectionEnv), fsync failures, and real ENOSPC
// and read-only file systems on a small tmpfs. Each failure must give a clear one-line error,
// leave the previous state readable (latest valid, no torn file: doctor finds no corruption)
// and let the next command proceed.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "env/fault_injection_env.h"
#include "fen/storage/data_maintenance.h"
#include "fen/storage/filesystem_data_store.h"
#include "hardening_test_util.h"

namespace fen::hardening {
namespace {

using storage::ArtifactKey;
using storage::DataRecord;
using storage::DataStore;
using storage::FilesystemLayout;

DataRecord Record() {
  DataRecord r;
  r.content_type = "text/plain";
  r.lifetime = "infinite";
  r.garbage_collection = int64_t{2};
  r.tags = {{"type", "resource"}, {"specName", "result"}, {"modelName", "counter"}};
  r.owner.owner_type = "model-method";
  r.owner.owner_ref = kCounterId;
  return r;
}

ArtifactKey Key(const std::string& name = "result") {
  return ArtifactKey{"command/shell", kCounterId, name};
}

struct Tree {
  explicit Tree(const std::string& root) {
    ctx.datastore_root = root + "/.swamp";
    ctx.data_root = ctx.datastore_root + "/data";
    ctx.fen_dir = ctx.datastore_root + "/.fen";
    ctx.repo_dir = root;
    layout = FilesystemLayout{ctx.data_root, ctx.fen_dir, false};
  }
  RepoContext ctx;
  FilesystemLayout layout;
};

// Three versions of "result" (contents v1, v2, v3) and one of "other".
void PopulateSlow(const Tree& t) {
  auto s = storage::OpenFilesystemDataStore(Env::Default(), t.layout);
  for (int i = 1; i <= 3; ++i) {
    auto r = s->Save(Key(), Record(), "v" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  ASSERT_TRUE(s->Save(Key("other"), Record(), "o1").ok());
}

// PopulateSlow once per process, then plain copies (no fsyncs): keeps the many trials fast.
void Populate(const Tree& t) {
  static TempDir* tmpl = nullptr;
  if (tmpl == nullptr) {
    tmpl = new TempDir();  // lives until exit
    PopulateSlow(Tree(tmpl->path()));
  }
  std::filesystem::copy(tmpl->path() + "/.swamp", t.ctx.datastore_root,
                        std::filesystem::copy_options::recursive);
}

using Op = std::function<Status(DataStore*, Env*, const Tree&)>;

struct NamedOp {
  const char* name;
  Op op;
};

std::vector<NamedOp> Ops() {
  return {
      {"save",
       [](DataStore* s, Env*, const Tree&) { return s->Save(Key(), Record(), "v4").status(); }},
      {"delete-version",
       [](DataStore* s, Env*, const Tree&) {
         std::vector<std::string> w;
         return s->DeleteVersions(Key(), {3}, &w);
       }},
      {"delete-artifact",
       [](DataStore* s, Env*, const Tree&) {
         std::vector<std::string> w;
         return s->DeleteArtifact(Key(), &w);
       }},
      {"rename",
       [](DataStore* s, Env*, const Tree&) { return s->Rename(Key(), "renamed").status(); }},
      // gc turns a failed per-artifact removal into a warning and goes on with the next
      // artifact (data_maintenance.cc); the test treats the first warning as the error.
      {"gc",
       [](DataStore* s, Env* env, const Tree& t) {
         auto r = storage::CollectGarbage(env, t.ctx, s, false);
         if (!r.ok()) return r.status();
         if (!r->warnings.empty()) return Status(ErrorCode::kIoError, r->warnings.front());
         return Status::Ok();
       }},
  };
}

// Readers see a consistent tree: doctor finds no corruption; every artifact that still has
// versions resolves its latest to a readable record whose raw matches.
void ExpectConsistent(const Tree& t, const std::string& where) {
  EXPECT_EQ(CheckTreeInvariants(t.ctx), "") << where;
  auto s = storage::OpenFilesystemDataStore(Env::Default(), t.layout);
  for (const char* name : {"result", "other", "renamed"}) {
    auto versions = s->ListVersions(Key(name));
    ASSERT_TRUE(versions.ok()) << where;
    if (versions->empty()) continue;
    auto latest = s->FindOwnLatest(Key(name));
    ASSERT_TRUE(latest.ok()) << where << " " << latest.status().message();
    ASSERT_TRUE(latest->has_value()) << where << " " << name;
    auto content = s->GetContent(Key(name), (*latest)->version);
    ASSERT_TRUE(content.ok() && content->has_value()) << where;
  }
}

// The next command proceeds without manual cleanup.
void ExpectNextWriteWorks(const Tree& t, const std::string& where) {
  auto s = storage::OpenFilesystemDataStore(Env::Default(), t.layout);
  auto r = s->Save(Key("other"), Record(), "after");
  ASSERT_TRUE(r.ok()) << where << ": " << r.status().message();
  auto back = s->GetContent(Key("other"), r->version);
  ASSERT_TRUE(back.ok() && *back && **back == "after") << where;
}

int CountSteps(const NamedOp& op) {
  TempDir d;
  Tree t(d.path());
  Populate(t);
  FaultInjectionEnv env(Env::Default());
  auto s = storage::OpenFilesystemDataStore(&env, t.layout);
  EXPECT_TRUE(op.op(s.get(), &env, t).ok()) << op.name;
  return env.count();
}

TEST(FaultTest, EveryErrnoAtEveryMutatingStep) {
  int trials = 0, failed_ops = 0;
  for (const auto& op : Ops()) {
    const int steps = CountSteps(op);
    ASSERT_GT(steps, 0) << op.name;
    // Every step with each errno in turn (three full passes would triple the run time
    // without exercising a different code path: the errno only changes the message).
    {
      for (int n = 1; n <= steps; ++n) {
        const int err = std::vector<int>{ENOSPC, EIO, EACCES}[static_cast<size_t>(n) % 3];
        TempDir d;
        Tree t(d.path());
        Populate(t);
        FaultInjectionEnv env(Env::Default());
        env.FailNth(n, err);
        auto s = storage::OpenFilesystemDataStore(&env, t.layout);
        Status st = op.op(s.get(), &env, t);
        const std::string where = std::string(op.name) + " " + strerror(err) + " at step " +
                                  std::to_string(n) + "/" + std::to_string(steps);
        ++trials;
        if (!st.ok()) {
          ++failed_ops;
          EXPECT_FALSE(st.message().empty()) << where;
          EXPECT_EQ(st.message().find('\n'), std::string::npos) << where << ": " << st.message();
          EXPECT_NE(st.message().find(strerror(err)), std::string::npos)
              << where << ": " << st.message();
        }
        ExpectConsistent(t, where);
        ExpectNextWriteWorks(t, where);
      }
    }
  }
  std::printf("fault trials: %d (operation reported the error in %d)\n", trials, failed_ops);
  EXPECT_GT(failed_ops, trials / 2);
}

TEST(FaultTest, FsyncFailureIsNeverAcknowledged) {
  for (const auto& op : Ops()) {
    TempDir d;
    Tree t(d.path());
    Populate(t);
    FaultInjectionEnv env(Env::Default());
    env.FailSyncs(EIO);
    auto s = storage::OpenFilesystemDataStore(&env, t.layout);
    Status st = op.op(s.get(), &env, t);
    // Every mutating operation fsyncs before acknowledging (storage.md §5.1 P2).
    EXPECT_FALSE(st.ok()) << op.name;
    EXPECT_EQ(st.message().find('\n'), std::string::npos) << st.message();
    ExpectConsistent(t, std::string("fsync ") + op.name);
    ExpectNextWriteWorks(t, std::string("fsync ") + op.name);
  }
}

TEST(FaultTest, ReadOnlyDatastoreRefusesEveryWriteAndStaysReadable) {
  for (const auto& op : Ops()) {
    TempDir d;
    Tree t(d.path());
    Populate(t);
    FaultInjectionEnv env(Env::Default());
    env.ReadOnly();
    auto s = storage::OpenFilesystemDataStore(&env, t.layout);
    Status st = op.op(s.get(), &env, t);
    EXPECT_FALSE(st.ok()) << op.name;
    EXPECT_NE(st.message().find(strerror(EROFS)), std::string::npos) << st.message();
    // Nothing changed at all.
    auto latest = s->FindOwnLatest(Key());
    ASSERT_TRUE(latest.ok() && *latest);
    EXPECT_EQ((*latest)->version, 3) << op.name;
    ExpectConsistent(t, std::string("read-only ") + op.name);
  }
}

// A real small tmpfs: fill it, then every operation either succeeds or fails cleanly with
// ENOSPC, and after freeing space the next command works. Then remount it read-only.
TEST(FaultTest, RealEnospcAndReadOnlyOnTmpfs) {
  TempDir d;
  const std::string mnt = d.path() + "/mnt";
  std::filesystem::create_directories(mnt);
  if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=512k") != 0) {
    GTEST_SKIP() << "cannot mount tmpfs here: " << strerror(errno);
  }
  struct Unmount {
    std::string p;
    ~Unmount() { umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};
  Tree t(mnt);
  Populate(t);
  auto s = storage::OpenFilesystemDataStore(Env::Default(), t.layout);
  const std::string big(64 * 1024, 'x');
  int saved = 0;
  Status last;
  for (int i = 0; i < 64; ++i) {
    auto r = s->Save(Key("big" + std::to_string(i)), Record(), big);
    if (!r.ok()) {
      last = r.status();
      break;
    }
    ++saved;
  }
  ASSERT_FALSE(last.ok()) << "tmpfs never filled";
  EXPECT_EQ(last.sys_errno(), ENOSPC) << last.message();
  EXPECT_EQ(last.message().find('\n'), std::string::npos);
  std::printf("tmpfs: %d saves of 64 KiB before ENOSPC: %s\n", saved, last.message().c_str());
  // Operations on the full file system fail cleanly or succeed.
  for (const auto& op : Ops()) {
    Status st = op.op(s.get(), Env::Default(), t);
    if (!st.ok()) {
      EXPECT_EQ(st.message().find('\n'), std::string::npos) << st.message();
    }
    ExpectConsistent(t, std::string("full tmpfs ") + op.name);
  }
  // Every acknowledged big write is intact.
  for (int i = 0; i < saved; ++i) {
    auto c = s->GetContent(Key("big" + std::to_string(i)), 1);
    ASSERT_TRUE(c.ok() && *c) << i;
    EXPECT_EQ(**c, big);
  }
  // Free space: the next command proceeds without manual cleanup.
  std::vector<std::string> w;
  for (int i = 0; i < saved; ++i)
    ASSERT_TRUE(s->DeleteArtifact(Key("big" + std::to_string(i)), &w).ok());
  ExpectNextWriteWorks(t, "after freeing space");
  // Read-only remount.
  ASSERT_EQ(mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, "size=512k"), 0)
      << strerror(errno);
  auto ro = s->Save(Key(), Record(), "ro");
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.status().sys_errno(), EROFS) << ro.status().message();
  ExpectConsistent(t, "read-only tmpfs");
}

}  // namespace
}  // namespace fen::hardening
