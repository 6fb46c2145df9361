// `fen datastore lock status` / `release --force` (shared/spec/locking.md §6.11, §7.1 #2, #8,
// #10, #11, §7.3 #43), with real holder processes and the CLI run in-process.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/app.h"
#include "fen/base/clock.h"
#include "fen/base/json_text.h"
#include "fen/locking/filesystem_lock_manager.h"
#include "fen/locking/lock_inspector.h"
#include "locking/holder_info.h"
#include "locking/swamp_lock_file.h"
#include "support/lock_test_util.h"

namespace fen::locking {
namespace {

using locktest::ForkChild;
using locktest::Signal;
using locktest::TempDir;
using locktest::WaitChild;
namespace fs = std::filesystem;

struct CliRun {
  int rc;
  std::string out, err;
};

CliRun Fen(std::vector<std::string> args) {
  std::ostringstream out, err;
  int rc = cli::RunFen(args, out, err, Env::Default());
  return {rc, out.str(), err.str()};
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A copy of the fixture repo (writable).
std::string CopyFixture(const TempDir& tmp) {
  std::string repo = tmp.path() + "/repo";
  fs::copy(std::string(FEN_FIXTURES_DIR) + "/swamp-repo", repo, fs::copy_options::recursive);
  for (auto& e : fs::recursive_directory_iterator(repo)) {
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  }
  return repo;
}

// Splits swamp's concatenated pretty JSON objects.
std::vector<Json> Objects(const std::string& text) {
  std::vector<Json> out;
  std::istringstream in(text);
  std::string line, cur;
  while (std::getline(in, line)) {
    cur += line + "\n";
    if (line == "}") {
      out.push_back(Json::parse(cur));
      cur.clear();
    }
  }
  return out;
}

void Plant(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::trunc) << content;
}

std::string Host() { return ProcessIdentity::Current().hostname; }

TEST(LockCliTest, StatusWithoutLocksMatchesSwampFixture) {
  TempDir tmp;
  std::string repo = CopyFixture(tmp);
  CliRun r = Fen({"datastore", "lock", "status", "--json", "--repo-dir", repo});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(
      r.out,
      ReadAll(std::string(FEN_FIXTURES_DIR) + "/swamp-repo-outputs/lock_status.json") +
          (ReadAll(std::string(FEN_FIXTURES_DIR) + "/swamp-repo-outputs/lock_status.json").back() ==
                   '\n'
               ? ""
               : "\n"));
  CliRun log = Fen({"datastore", "lock", "status", "--repo-dir", repo});
  EXPECT_EQ(log.out, "Lock Status: no lock held\n");
}

// #11: model objects first (live fen writer, stale swamp file), then the global object.
TEST(LockCliTest, StatusListsModelLocksThenGlobal) {
  TempDir tmp;
  std::string repo = CopyFixture(tmp);
  RepoContext ctx = locktest::MakeRepo(repo);
  Signal ready, done;
  pid_t holder = ForkChild([&] {
    auto set = NewFilesystemLockManager(Env::Default(), ctx)
                   ->AcquireWriter({{"command/shell", "live1"}},
                                   LockRequest{"model method run live1 execute", 2000, {}});
    if (!set.ok()) return 1;
    ready.Notify();
    done.Wait();
    return 0;
  });
  ASSERT_EQ(ready.Wait(), 'x');
  // A stale swamp per-model file (dead local pid) and a live swamp global (structural) file.
  Plant(ctx.datastore_root + "/data/aws-ec2/dead1/.lock",
        SwampLockInfoText("bob@" + Host(), Host(), 999999, NowIsoMillis(), "n-dead"));
  Plant(ctx.datastore_root + "/.datastore.lock",
        SwampLockInfoText("carol@" + Host(), Host(), getpid(), NowIsoMillis(), "n-gc"));
  CliRun r = Fen({"datastore", "lock", "status", "--json", "--repo-dir", repo});
  EXPECT_EQ(r.rc, 0) << r.err;
  auto objs = Objects(r.out);
  // The fen writer (listed once, not again as its swamp-format twin), the stale file, global.
  ASSERT_EQ(objs.size(), 3u) << r.out;
  int live_fen = 0, stale_swamp = 0;
  for (size_t i = 0; i + 1 < objs.size(); ++i) {
    ASSERT_TRUE(objs[i].contains("lockScope")) << objs[i];
    if (objs[i]["source"] == "fen") {
      ++live_fen;
      EXPECT_EQ(objs[i]["held"], true);
      EXPECT_EQ(objs[i]["lockScope"], "command/shell/live1");
      EXPECT_EQ(objs[i]["info"]["pid"], holder);
      EXPECT_EQ(objs[i]["mode"], "exclusive");
    } else if (objs[i]["lockScope"] == "aws-ec2/dead1") {
      ++stale_swamp;
      EXPECT_EQ(objs[i]["stale"], true);
      EXPECT_EQ(objs[i]["held"], false);
      EXPECT_EQ(objs[i]["info"]["holder"], "bob@" + Host());
    }
  }
  EXPECT_EQ(live_fen, 1);
  EXPECT_EQ(stale_swamp, 1);
  const Json& g = objs.back();
  EXPECT_FALSE(g.contains("lockScope"));
  EXPECT_EQ(g["held"], true);
  EXPECT_EQ(g["info"]["holder"], "carol@" + Host());
  EXPECT_EQ(g["datastoreType"], "filesystem");
  CliRun log = Fen({"datastore", "lock", "status", "--repo-dir", repo});
  EXPECT_NE(log.out.find("Lock Status: locked [command/shell/live1]\n  Holder:   "),
            std::string::npos)
      << log.out;
  EXPECT_NE(log.out.find("  State:    stale\n"), std::string::npos) << log.out;
  // Breakglass cannot break the live fen holder.
  CliRun rel = Fen({"datastore", "lock", "release", "--force", "--model", "command/shell/live1",
                    "--json", "--repo-dir", repo});
  EXPECT_EQ(rel.rc, 0);
  EXPECT_EQ(Json::parse(rel.out)["reason"], "held by a live process — stop it to release the lock");
  done.Notify();
  EXPECT_EQ(WaitChild(holder), 0);
}

// #10 (a)/(b), #8 and #43: no lock; a stale swamp holder; zero-byte and corrupt files.
TEST(LockCliTest, ReleaseForce) {
  TempDir tmp;
  std::string repo = CopyFixture(tmp);
  RepoContext ctx = locktest::MakeRepo(repo);
  auto release = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"datastore", "lock",       "release", "--force",
                                     "--json",    "--repo-dir", repo};
    args.insert(args.end(), extra.begin(), extra.end());
    CliRun r = Fen(args);
    EXPECT_EQ(r.rc, 0) << r.err;
    return Json::parse(r.out);
  };
  EXPECT_EQ(ToCompactJson(release({})), R"({"released":false,"reason":"no lock held"})");
  std::string global = ctx.datastore_root + "/.datastore.lock";
  Plant(global, SwampLockInfoText("bob@h", "h", 999999, "2026-03-10T12:00:00.000Z", "n1"));
  Json r = release({});
  EXPECT_EQ(r["released"], true);
  EXPECT_EQ(r["previousHolder"]["nonce"], "n1");
  EXPECT_FALSE(fs::exists(global));
  // #8: a zero-byte global file: status reports it as corrupt; breakglass clears it.
  Plant(global, "");
  CliRun st = Fen({"datastore", "lock", "status", "--json", "--repo-dir", repo});
  Json g = Objects(st.out).back();
  EXPECT_EQ(g["corrupt"], true);
  EXPECT_EQ(g["held"], true);
  EXPECT_FALSE(g.contains("info"));
  EXPECT_EQ(ToCompactJson(release({})), R"({"released":true,"previousHolder":null})");
  EXPECT_FALSE(fs::exists(global));
  // #43: a zero-byte per-model file.
  std::string model = ctx.datastore_root + "/data/command/shell/abc/.lock";
  Plant(model, "");
  EXPECT_EQ(ToCompactJson(release({"--model", "command/shell/abc"})),
            R"({"released":true,"previousHolder":null})");
  EXPECT_FALSE(fs::exists(model));
  // Invalid --model: swamp's message, exit 1.
  CliRun bad = Fen(
      {"datastore", "lock", "release", "--force", "--model", "/x", "--json", "--repo-dir", repo});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(Json::parse(bad.err)["error"],
            "Invalid --model format: \"/x\". Expected \"type/id\" (e.g. aws-ec2/my-server, or "
            "@org/name/my-server for scoped extension types).");
  CliRun log = Fen({"datastore", "lock", "release", "--force", "--repo-dir", repo});
  EXPECT_EQ(log.out, "Lock Release: no lock held\n");
}

// An Env that replaces the target file just before the reaper's rename (#10c, #37).
class SwapBeforeRenameEnv : public Env {
 public:
  explicit SwapBeforeRenameEnv(std::string target) : base_(Env::Default()), target_(target) {}
  Result<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& p) override {
    return base_->NewExclusiveFile(p);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& p) override {
    return base_->NewAppendableFile(p);
  }
  Result<std::string> ReadFile(const std::string& p) override { return base_->ReadFile(p); }
  Status SyncDir(const std::string& p) override { return base_->SyncDir(p); }
  Status Rename(const std::string& from, const std::string& to) override {
    if (from == target_ && to.find(".fen-reap-") != std::string::npos && !swapped_) {
      swapped_ = true;
      // A new holder re-acquires between inspection and the reap (new inode).
      std::string fresh = target_ + ".new";
      std::ofstream(fresh) << SwampLockInfoText("new@h", "h", 1, NowIsoMillis(), "fresh");
      base_->Rename(fresh, target_).ok();
    }
    return base_->Rename(from, to);
  }
  Status RenameNoReplace(const std::string& f, const std::string& t) override {
    return base_->RenameNoReplace(f, t);
  }
  Status Link(const std::string& f, const std::string& t) override { return base_->Link(f, t); }
  Status Unlink(const std::string& p) override { return base_->Unlink(p); }
  Status CreateDir(const std::string& p) override { return base_->CreateDir(p); }
  Status RemoveDir(const std::string& p) override { return base_->RemoveDir(p); }
  Status RemoveTree(const std::string& p) override { return base_->RemoveTree(p); }
  Result<std::vector<DirEntry>> ListDir(const std::string& p) override { return base_->ListDir(p); }
  Result<FileInfo> Stat(const std::string& p) override { return base_->Stat(p); }
  Result<FileInfo> Lstat(const std::string& p) override { return base_->Lstat(p); }
  Result<std::string> ReadLink(const std::string& p) override { return base_->ReadLink(p); }
  Result<std::string> RealPath(const std::string& p) override { return base_->RealPath(p); }
  bool Access(const std::string& p, int mode) override { return base_->Access(p, mode); }

 private:
  Env* base_;
  std::string target_;
  bool swapped_ = false;
};

TEST(LockCliTest, ReleaseNeverDeletesANewHolder) {
  TempDir tmp;
  RepoContext ctx = locktest::MakeRepo(tmp.path());
  std::string global = ctx.datastore_root + "/.datastore.lock";
  Plant(global, SwampLockInfoText("old@h", "h", 999999, "2026-03-10T12:00:00.000Z", "old"));
  SwapBeforeRenameEnv env(global);
  auto r = ForceReleaseLock(&env, ctx, std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(
      ToCompactJson(*r),
      R"({"released":false,"reason":"lock holder changed — aborting to avoid breaking an active lock"})");
  EXPECT_EQ(Json::parse(ReadAll(global))["nonce"], "fresh");  // the new holder's file survives
}

}  // namespace
}  // namespace fen::locking
