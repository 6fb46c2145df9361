// Hostile input: path traversal through every name that reaches a path, symlinks planted
// inside the datastore pointing outside it, and files another user owns or cannot read. Each
// must be refused with a clear one-line error (or skipped with a warning) and nothing outside
// the datastore may change: a canary directory outside is snapshotted before and compared after.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "fen/storage/filesystem_data_store.h"
#include "hardening_test_util.h"

namespace fen::hardening {
namespace {

namespace fs = std::filesystem;

// Every path under `root` (symlinks not followed) with its type and content.
std::map<std::string, std::string> Snapshot(const std::string& root) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    const auto& p = it->path();
    std::string key = fs::relative(p, root).string();
    if (it->is_symlink()) {
      out[key] = "link:" + fs::read_symlink(p).string();
    } else if (it->is_directory()) {
      out[key] = "dir";
    } else {
      out[key] = "file:" + Slurp(p.string());
    }
  }
  return out;
}

bool OneLine(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

class HostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = CopyFixtureRepo(dir_.path());
    canary_ = dir_.path() + "/canary";
    // The canary looks like an artifact so a confused walker would treat it as one.
    fs::create_directories(canary_ + "/1");
    const std::string src = repo_ + "/.swamp/data/command/shell/" + kCounterId + "/result";
    for (auto& e : fs::directory_iterator(src)) {
      if (e.is_directory()) {
        fs::copy(e.path(), canary_ + "/1",
                 fs::copy_options::recursive | fs::copy_options::overwrite_existing);
        break;
      }
    }
    std::ofstream(canary_ + "/latest") << "1";
    std::ofstream(canary_ + "/precious.txt") << "do not touch";
    before_ = Snapshot(canary_);
    name_dir_ = repo_ + "/.swamp/data/command/shell/" + kCounterId + "/result";
  }
  void TearDown() override { EXPECT_EQ(Snapshot(canary_), before_) << "canary changed"; }
  FenRun Fen(const std::vector<std::string>& args) { return SpawnFen(repo_, args, dir_.path()); }
  // The command fails with a one-line error (log mode: "Error: ..." on stderr).
  void ExpectRefused(const std::vector<std::string>& args) {
    FenRun r = Fen(args);
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    EXPECT_NE(r.rc, 0) << cmd << r.out;
    EXPECT_TRUE(OneLine(r.err)) << cmd << "stderr: " << r.err;
  }
  TempDir dir_;
  std::string repo_, canary_, name_dir_;
  std::map<std::string, std::string> before_;
};

TEST_F(HostileTest, TraversalNamesAreRefused) {
  for (const std::string bad : {"../../../canary", "..", "a/b", "a\\b", "/etc/passwd", "."}) {
    ExpectRefused({"data", "get", "counter", bad});
    ExpectRefused({"data", "versions", "counter", bad});
    ExpectRefused({"data", "delete", "counter", bad, "-y"});
    ExpectRefused({"data", "rename", "counter", "result", bad});
    ExpectRefused({"data", "get", bad, "result"});  // model name
  }
  ExpectRefused({"datastore", "lock", "release", "--force", "--model", "../../canary/x"});
  ExpectRefused({"datastore", "lock", "release", "--force", "--model", "command/shell/../../x"});
  // Namespaces in the datastore value.
  FenRun ns = SpawnFen(
      repo_,
      {"data", "list", "counter", "--datastore", "filesystem:" + repo_ + "/.swamp#../../canary"},
      dir_.path());
  EXPECT_NE(ns.rc, 0) << ns.out;
  EXPECT_TRUE(OneLine(ns.err)) << ns.err;
}

TEST_F(HostileTest, TraversalThroughTheLibraryIsRefused) {
  storage::FilesystemLayout l{repo_ + "/.swamp/data", repo_ + "/.swamp/.fen", false};
  auto store = storage::OpenFilesystemDataStore(Env::Default(), l);
  storage::DataRecord rec;
  rec.content_type = "text/plain";
  rec.lifetime = "infinite";
  rec.tags = {{"type", "resource"}};
  rec.owner.owner_type = "manual";
  rec.owner.owner_ref = "x";
  // A type's "." and "::" become "/" and empty segments collapse (storage.md §3.3), so a
  // dotted type lands inside the data root: allowed, and checked below.
  auto dotted = store->Save({"../../../canary", kCounterId, "x"}, rec, "dotted");
  if (dotted.ok()) {
    EXPECT_EQ(dotted->version_dir.rfind(l.data_root + "/", 0), 0u) << dotted->version_dir;
  }
  const std::vector<storage::ArtifactKey> keys = {
      {"command/shell", "..", "x"},          {"command/shell", "../../../../canary", "x"},
      {"command/shell", kCounterId, "../x"}, {"command/shell", kCounterId, std::string("a\0b", 3)},
      {"command/shell", "a/b", "x"},
  };
  for (const auto& k : keys) {
    auto r = store->Save(k, rec, "evil");
    EXPECT_FALSE(r.ok()) << k.type << " " << k.model_id << " " << k.name;
    if (!r.ok()) {
      EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
    }
  }
}

TEST_F(HostileTest, PlantedSymlinksNeverLeadOutside) {
  const std::string model_dir = repo_ + "/.swamp/data/command/shell/" + kCounterId;
  fs::create_directory_symlink(canary_, model_dir + "/evil");       // a data-name dir
  fs::create_directory_symlink(canary_ + "/1", name_dir_ + "/99");  // a version dir
  fs::create_directory_symlink(canary_, model_dir + "/log/50");
  storage::FilesystemLayout l{repo_ + "/.swamp/data", repo_ + "/.swamp/.fen", false};
  auto store = storage::OpenFilesystemDataStore(Env::Default(), l);
  storage::DataRecord rec;
  rec.content_type = "text/plain";
  rec.lifetime = "infinite";
  rec.tags = {{"type", "resource"}};
  rec.owner.owner_type = "manual";
  rec.owner.owner_ref = "x";
  auto w = store->Save({"command/shell", kCounterId, "evil"}, rec, "into the canary?");
  // Refused: either by the ownership check (reads follow the planted link: the record found
  // there has another owner) or by the path check (§3.9). Never written.
  EXPECT_FALSE(w.ok());
  // Reads, listings, gc, delete and doctor --repair over the planted links.
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"data", "list", "counter"},
                                             {"data", "versions", "counter", "result"},
                                             {"data", "get", "counter", "evil"},
                                             {"data", "delete", "counter", "evil", "-y"},
                                             {"data", "gc", "-y"},
                                             {"data", "delete", "counter", "result", "-y"},
                                             {"data", "delete", "counter", "log", "-y"},
                                             {"doctor", "datastores", "--repair"}}) {
    FenRun r = Fen(args);
    if (r.rc != 0) {
      EXPECT_TRUE(OneLine(r.err)) << args[1] << " " << r.err;
    }
  }
  FenRun doc = Fen({"doctor", "datastores", "--json"});
  EXPECT_NE(doc.out.find("unexpected_symlink"), std::string::npos) << doc.out;
}

TEST_F(HostileTest, SymlinkedLatestAndTrashStayInside) {
  fs::remove(name_dir_ + "/latest");
  fs::create_symlink(canary_ + "/1", name_dir_ + "/latest");
  FenRun get = Fen({"data", "get", "counter", "result"});
  if (get.rc != 0) {
    EXPECT_TRUE(OneLine(get.err)) << get.err;
  }
  // The next write replaces the link itself, never what it points to.
  FenRun del = Fen({"data", "delete", "counter", "result", "--version", "1", "-y"});
  if (del.rc != 0) {
    EXPECT_TRUE(OneLine(del.err)) << del.err;
  }
  // A trash directory planted as a symlink to the canary.
  fs::create_directories(repo_ + "/.swamp/.fen");
  fs::remove_all(repo_ + "/.swamp/.fen/trash");
  fs::create_directory_symlink(canary_, repo_ + "/.swamp/.fen/trash");
  FenRun d2 = Fen({"data", "delete", "counter", "log", "-y"});
  if (d2.rc != 0) {
    EXPECT_TRUE(OneLine(d2.err)) << d2.err;
  }
  FenRun gc = Fen({"data", "gc", "-y"});
  if (gc.rc != 0) {
    EXPECT_TRUE(OneLine(gc.err)) << gc.err;
  }
  FenRun doc = Fen({"doctor", "datastores", "--repair"});
  if (doc.rc != 0) {
    EXPECT_TRUE(OneLine(doc.err)) << doc.err;
  }
}

// A FIFO planted where fen reads a file (`latest`, metadata.yaml, a definition) must not hang
// any command: it reads as empty or unreadable, so the artifact is reported, the others listed.
TEST_F(HostileTest, PlantedFifosNeverBlock) {
  const std::string meta = name_dir_ + "/" + Slurp(name_dir_ + "/latest") + "/metadata.yaml";
  fs::remove(meta);
  ASSERT_EQ(mkfifo(meta.c_str(), 0644), 0);
  const std::string log_dir = repo_ + "/.swamp/data/command/shell/" + kCounterId + "/log";
  fs::remove(log_dir + "/latest");
  ASSERT_EQ(mkfifo((log_dir + "/latest").c_str(), 0644), 0);
  ASSERT_EQ(mkfifo((repo_ + "/models/command/shell/fifo.yaml").c_str(), 0644), 0);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"data", "search", "--json"},
                                             {"data", "list", "counter", "--json"},
                                             {"data", "get", "counter", "result", "--json"},
                                             {"data", "versions", "counter", "log", "--json"},
                                             {"model", "search", "--json"},
                                             {"doctor", "datastores", "--json"}}) {
    const auto start = std::chrono::steady_clock::now();
    FenRun r = Fen(args);  // a hang would stop here until ctest's timeout
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30)) << args[1];
    EXPECT_NE(r.rc, 127) << args[1];
  }
  FenRun search = Fen({"data", "search", "--json"});
  EXPECT_EQ(search.rc, 0) << search.err;
  EXPECT_NE(search.out.find("hello"), std::string::npos) << search.out;  // the others listed
}

// Files another user owns / cannot read: fen runs as `nobody` (setpriv) on a repo owned by
// root with one metadata.yaml unreadable.
TEST_F(HostileTest, OtherUsersFilesAndUnreadableMetadata) {
  if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0) {
    GTEST_SKIP() << "needs root and setpriv to run fen as another user";
  }
  for (std::string p = dir_.path(); p != "/" && !p.empty(); p = fs::path(p).parent_path()) {
    chmod(p.c_str(), 0755);  // let nobody traverse to the repo (mkdtemp makes it 0700)
  }
  std::string victim;
  for (auto& e : fs::directory_iterator(name_dir_)) {
    if (e.is_directory()) victim = e.path().string() + "/metadata.yaml";
  }
  ASSERT_FALSE(victim.empty());
  chmod(victim.c_str(), 0);
  const std::string out = dir_.path() + "/nobody";
  fs::create_directories(out);
  chmod(out.c_str(), 0777);
  auto as_nobody = [&](std::vector<std::string> args) {
    std::vector<std::string> full = {"--reuid=65534", "--regid=65534", "--clear-groups",
                                     FEN_BINARY};
    full.insert(full.end(), args.begin(), args.end());
    std::string cmd = "cd '" + repo_ + "' && /usr/bin/setpriv";
    for (const auto& a : full) cmd += " '" + a + "'";
    cmd += " >'" + out + "/o' 2>'" + out + "/e'";
    int rc = std::system(cmd.c_str());
    return FenRun{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, Slurp(out + "/o"), Slurp(out + "/e")};
  };
  FenRun list = as_nobody({"data", "list", "counter"});
  EXPECT_EQ(list.rc, 0) << list.err;  // the unreadable version is skipped with a warning
  FenRun del = as_nobody({"data", "delete", "counter", "log", "-y"});
  EXPECT_NE(del.rc, 0);
  EXPECT_TRUE(OneLine(del.err)) << del.err;
  EXPECT_NE(del.err.find("ermission denied"), std::string::npos) << del.err;
  FenRun doc = as_nobody({"doctor", "datastores", "--json"});
  EXPECT_EQ(doc.rc, 0) << doc.err;
  EXPECT_NE(doc.out.find("corrupt_metadata"), std::string::npos) << doc.out;
  chmod(victim.c_str(), 0644);
}

}  // namespace
}  // namespace fen::hardening
