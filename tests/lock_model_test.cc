// Model checking of the lock protocol (tests/model/locks.pml, docs/design/locking.md §10) with
// spin: safety (I1, I2, structural mutual exclusion, no deadlock) and liveness (a structural
// command holding the gate eventually runs). The model without the gate must fail the liveness
// check, which shows the check can fail. Skipped only when spin is not installed.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/lock_test_util.h"

namespace {

std::string Shell(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    *rc = -1;
    return out;
  }
  std::array<char, 4096> buf;
  while (fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  *rc = pclose(p);
  return out;
}

class LockModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int rc = 0;
    Shell("command -v spin", &rc);
    if (rc != 0) GTEST_SKIP() << "spin is not installed; the Promela model was not checked";
    std::filesystem::copy_file(std::string(FEN_SOURCE_DIR) + "/tests/model/locks.pml",
                               tmp_.path() + "/locks.pml");
  }
  // Generates, compiles and runs the verifier; returns pan's output.
  std::string Check(const std::string& spin_flags, const std::string& cc_flags,
                    const std::string& pan_flags) {
    int rc = 0;
    std::string cd = "cd " + tmp_.path() + " && ";
    std::string gen = Shell(cd + "spin " + spin_flags + " -a locks.pml", &rc);
    EXPECT_EQ(rc, 0) << gen;
    std::string cc = Shell(cd + "cc -O0 " + cc_flags + " -o pan pan.c", &rc);
    EXPECT_EQ(rc, 0) << cc;
    return Shell(cd + "./pan " + pan_flags, &rc);
  }
  fen::locktest::TempDir tmp_;
};

TEST_F(LockModelTest, SafetyAndNoDeadlock) {
  std::string out = Check("", "-DSAFETY -DNOCLAIM", "-m1000000");
  std::printf("%s", out.substr(0, out.find("Stats on memory")).c_str());
  EXPECT_NE(out.find("assertion violations\t+"), std::string::npos) << out;
  EXPECT_NE(out.find("invalid end states\t+"), std::string::npos) << out;
  EXPECT_NE(out.find("errors: 0"), std::string::npos) << out;
  EXPECT_EQ(out.find("depth too small"), std::string::npos) << out;
}

TEST_F(LockModelTest, StructuralCommandHoldingTheGateEventuallyRuns) {
  std::string out = Check("-DONE_STRUCTURAL", "-DNFAIR=3", "-a -f -m1000000");
  EXPECT_NE(out.find("acceptance   cycles \t+ (fairness enabled)"), std::string::npos) << out;
  EXPECT_NE(out.find("errors: 0"), std::string::npos) << out;
}

TEST_F(LockModelTest, WithoutTheGateStructuralStarves) {
  std::string out = Check("-DONE_STRUCTURAL -DNO_GATE", "-DNFAIR=3", "-a -f -m1000000");
  EXPECT_NE(out.find("acceptance cycle"), std::string::npos) << out;
  EXPECT_NE(out.find("errors: 1"), std::string::npos) << out;
}

}  // namespace
