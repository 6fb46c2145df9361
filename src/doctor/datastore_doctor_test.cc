// Doctor tests: each kind of damage is planted in a copy of the swamp fixture; doctor must
// report it with its path and kind, and --repair must fix exactly the repairable ones.
#include "fen/doctor/datastore_doctor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hardening_test_util.h"
#include "locking/holder_info.h"

namespace fen::doctor {
namespace {

using hardening::ContextFor;
using hardening::CopyFixtureRepo;
using hardening::Exists;
using hardening::kCounterId;
using hardening::Slurp;
using hardening::TempDir;
namespace fs = std::filesystem;

void WriteFile(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

class DoctorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = CopyFixtureRepo(dir_.path());
    ctx_ = ContextFor(repo_);
    name_dir_ = ctx_.data_root + "/command/shell/" + kCounterId + "/result";
  }
  DoctorReport Run(bool repair = false) {
    auto r = CheckDatastore(Env::Default(), ctx_, DoctorOptions{repair});
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : DoctorReport{};
  }
  static const Problem* Find(const DoctorReport& r, const std::string& kind,
                             const std::string& path) {
    for (const auto& p : r.problems) {
      if (p.kind == kind && p.path == path) return &p;
    }
    return nullptr;
  }
  static std::string Dump(const DoctorReport& r) {
    std::string s;
    for (const auto& p : r.problems) s += p.kind + " " + p.path + " " + p.message + "\n";
    return s;
  }
  int64_t Latest() { return std::stoll(Slurp(name_dir_ + "/latest")); }
  TempDir dir_;
  std::string repo_;
  RepoContext ctx_;
  std::string name_dir_;
};

TEST_F(DoctorTest, SwampFixtureIsHealthy) {
  DoctorReport r = Run();
  EXPECT_TRUE(r.problems.empty()) << Dump(r);
  EXPECT_EQ(r.models, 2);
  EXPECT_GT(r.versions, 4);
}

TEST_F(DoctorTest, LeftoversAreReportedAndRepaired) {
  const std::string stage = name_dir_ + "/.fen-stage-1234";
  const std::string ftrash = name_dir_ + "/.fen-trash-5678";
  const std::string tmp = name_dir_ + "/.abcd.tmp";
  const std::string vtmp = name_dir_ + "/" + std::to_string(Latest()) + "/.efgh.tmp";
  const std::string trash = ctx_.fen_dir + "/trash/0000-1111";
  const std::string hwm_tmp = ctx_.fen_dir + "/hwm/command/shell/" + kCounterId + "/.x.tmp";
  WriteFile(stage + "/raw", "partial");
  WriteFile(ftrash + "/1/raw", "old");
  WriteFile(tmp, "4");
  WriteFile(vtmp, "meta");
  WriteFile(trash + "/1/raw", "gone");
  WriteFile(hwm_tmp, "9");
  DoctorReport r = Run();
  EXPECT_TRUE(Find(r, "staging_leftover", stage)) << Dump(r);
  EXPECT_TRUE(Find(r, "trash_leftover", ftrash)) << Dump(r);
  EXPECT_TRUE(Find(r, "tmp_leftover", tmp)) << Dump(r);
  EXPECT_TRUE(Find(r, "tmp_leftover", vtmp)) << Dump(r);
  EXPECT_TRUE(Find(r, "trash_leftover", trash)) << Dump(r);
  EXPECT_TRUE(Find(r, "tmp_leftover", hwm_tmp)) << Dump(r);
  EXPECT_TRUE(r.NoCorruption()) << Dump(r);
  EXPECT_EQ(r.Count(Severity::kLeftover), 6);
  EXPECT_TRUE(Exists(stage));  // report only

  DoctorReport fixed = Run(/*repair=*/true);
  EXPECT_EQ(fixed.RepairedCount(), 6) << Dump(fixed);
  for (const auto& p : {stage, ftrash, tmp, vtmp, trash, hwm_tmp}) EXPECT_FALSE(Exists(p)) << p;
  EXPECT_TRUE(Run().problems.empty()) << Dump(Run());
}

TEST_F(DoctorTest, LeftoverOfAFirstWriteIsFoundWithoutAnyCompleteVersion) {
  // A crash during the very first save of a new model leaves only a staging directory: the
  // model walk cannot see it (no complete version), the leftover walk must.
  const std::string stage =
      ctx_.data_root + "/command/shell/11111111-2222-3333-4444-555555555555/x/.fen-stage-1";
  WriteFile(stage + "/raw", "partial");
  DoctorReport r = Run(true);
  ASSERT_TRUE(Find(r, "staging_leftover", stage)) << Dump(r);
  EXPECT_FALSE(Exists(stage));
}

TEST_F(DoctorTest, IncompleteVersionIsRemovedOnlyByRepairAfterRaisingTheHwm) {
  const std::string dir = name_dir_ + "/9";
  WriteFile(dir + "/raw", "swamp crashed here");
  DoctorReport r = Run();
  const Problem* p = Find(r, "incomplete_version", dir);
  ASSERT_TRUE(p) << Dump(r);
  EXPECT_EQ(p->severity, Severity::kLeftover);
  EXPECT_TRUE(Exists(dir));
  Run(true);
  EXPECT_FALSE(Exists(dir));
  EXPECT_EQ(Slurp(ctx_.fen_dir + "/hwm/command/shell/" + kCounterId + "/result"), "9");
}

TEST_F(DoctorTest, CorruptionIsReportedAndLeftAlone) {
  const int64_t v = Latest();
  const std::string vdir = name_dir_ + "/" + std::to_string(v);
  // size mismatch on the latest version's raw (appended byte).
  std::string raw = Slurp(vdir + "/raw");
  WriteFile(vdir + "/raw", raw + "x");
  // checksum mismatch on an older version: same size, different bytes.
  std::string older;
  for (auto& e : fs::directory_iterator(name_dir_)) {
    auto n = e.path().filename().string();
    if (n != "latest" && n != std::to_string(v) && storage::ParseVersionStrict(n)) older = n;
  }
  ASSERT_FALSE(older.empty());
  std::string old_raw = Slurp(name_dir_ + "/" + older + "/raw");
  ASSERT_FALSE(old_raw.empty());
  old_raw[0] = old_raw[0] == 'A' ? 'B' : 'A';
  WriteFile(name_dir_ + "/" + older + "/raw", old_raw);
  // corrupt metadata in the other model.
  const std::string other = ctx_.data_root + "/command/shell/84900049-e41d-42e9-941e-cca09d30cb7b";
  WriteFile(other + "/result/3/metadata.yaml", "version: [unclosed");
  // raw missing in the log artifact.
  fs::remove(other + "/log/1/raw");
  // corrupt HWM.
  const std::string hwm = ctx_.fen_dir + "/hwm/command/shell/" + kCounterId + "/log";
  WriteFile(hwm, "seven");

  DoctorReport r = Run(true);
  EXPECT_TRUE(Find(r, "size_mismatch", vdir + "/raw")) << Dump(r);
  EXPECT_TRUE(Find(r, "checksum_mismatch", name_dir_ + "/" + older + "/raw")) << Dump(r);
  EXPECT_TRUE(Find(r, "corrupt_metadata", other + "/result/3/metadata.yaml")) << Dump(r);
  EXPECT_TRUE(Find(r, "raw_missing", other + "/log/1/raw")) << Dump(r);
  EXPECT_TRUE(Find(r, "corrupt_hwm", hwm)) << Dump(r);
  EXPECT_EQ(r.RepairedCount(), 0);
  for (const auto& p : r.problems) {
    EXPECT_FALSE(p.repairable) << p.kind;
    EXPECT_NE(p.action.find("left alone"), std::string::npos) << p.kind;
  }
  EXPECT_EQ(Slurp(vdir + "/raw"), raw + "x");  // nothing rewritten
  EXPECT_EQ(Slurp(hwm), "seven");
}

TEST_F(DoctorTest, LatestMarkerStates) {
  const int64_t v = Latest();
  ASSERT_GT(v, 1);
  // lagging: legal, a warning.
  WriteFile(name_dir_ + "/latest", std::to_string(v - 1));
  DoctorReport lag = Run(true);
  const Problem* p = Find(lag, "latest_lags", name_dir_ + "/latest");
  ASSERT_TRUE(p) << Dump(lag);
  EXPECT_EQ(p->severity, Severity::kWarning);
  EXPECT_EQ(Latest(), v - 1);  // left alone
  // dangling.
  WriteFile(name_dir_ + "/latest", "99");
  EXPECT_TRUE(Find(Run(), "latest_dangling", name_dir_ + "/latest"));
  // garbled.
  WriteFile(name_dir_ + "/latest", "not a number");
  EXPECT_TRUE(Find(Run(), "latest_garbled", name_dir_ + "/latest"));
  // missing: legal fallback, a warning.
  fs::remove(name_dir_ + "/latest");
  const Problem* m = Find(Run(), "latest_missing", name_dir_ + "/latest");
  ASSERT_TRUE(m);
}

TEST_F(DoctorTest, StaleLockInfoFilesAreRemovedLiveOnesKept) {
  const std::string dir = ctx_.datastore_root + "/.fen/locks/default/holders/global";
  const std::string stale = dir + "/host-boot-1-dead.json";
  WriteFile(stale, "{\"pid\":1}");
  Json info = Json::object();
  info["pid"] = 2;
  auto live = locking::WriteInfoFile(Env::Default(), dir, "alive", info);
  ASSERT_TRUE(live.ok()) << live.status().message();
  DoctorReport r = Run(/*repair=*/true);
  const Problem* p = Find(r, "stale_lock_info", stale);
  ASSERT_TRUE(p) << Dump(r);
  EXPECT_TRUE(p->repaired);
  EXPECT_FALSE(Exists(stale));
  EXPECT_FALSE(Find(r, "stale_lock_info", live->path)) << Dump(r);
  EXPECT_TRUE(Exists(live->path));
  locking::RemoveInfoFile(Env::Default(), &*live);
}

TEST_F(DoctorTest, CliJsonShapeAndRepair) {
  const std::string stage = name_dir_ + "/.fen-stage-cli";
  WriteFile(stage + "/raw", "partial");
  auto run = hardening::SpawnFen(repo_, {"doctor", "datastores", "--json"}, dir_.path());
  ASSERT_EQ(run.rc, 0) << run.err;
  auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["healthy"], false);
  EXPECT_EQ(j["repair"], false);
  EXPECT_EQ(j["summary"]["leftover"], 1);
  ASSERT_EQ(j["problems"].size(), 1u);
  EXPECT_EQ(j["problems"][0]["kind"], "staging_leftover");
  EXPECT_EQ(j["problems"][0]["path"], stage);
  EXPECT_EQ(j["problems"][0]["severity"], "leftover");
  EXPECT_TRUE(Exists(stage));
  auto fix = hardening::SpawnFen(repo_, {"doctor", "datastores", "--repair"}, dir_.path());
  ASSERT_EQ(fix.rc, 0) << fix.err;
  EXPECT_NE(fix.out.find("1 repaired"), std::string::npos) << fix.out;
  EXPECT_FALSE(Exists(stage));
  auto again = hardening::SpawnFen(repo_, {"doctor", "datastores"}, dir_.path());
  EXPECT_NE(again.out.find("Datastore healthy"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace fen::doctor
