// §7.1 #14: a writer W and a structural command S, each a real process driven step by step
// (lock, write/mutate, unlock) by this test, in all 20 interleavings of their steps, with and
// without swamp-format files. A step that blocks in the kernel is detected by a missing ack and
// the schedule continues with the other process. Never W.write while S.mutate.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "fen/locking/filesystem_lock_manager.h"
#include "support/lock_test_util.h"

namespace fen::locking {
namespace {

struct Stepper {
  pid_t pid = -1;
  int cmd = -1;  // write end
  int ack = -1;  // read end
};

// A child that executes 'L' (acquire), 'X' (write/mutate), 'U' (release) on command and acks
// each completed step; 'Q' quits.
Stepper StartStepper(const RepoContext& repo, bool structural, bool compat) {
  int c[2], a[2];
  if (pipe(c) != 0 || pipe(a) != 0) return {};
  pid_t pid = locktest::ForkChild([&] {
    close(c[1]);
    close(a[0]);
    FilesystemLockOptions o;
    o.swamp_compat = compat;
    o.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    auto mgr = NewFilesystemLockManager(Env::Default(), repo, o);
    std::unique_ptr<LockSet> held;
    LockRequest req{structural ? "data gc" : "model method run", 20000, {}, {}};
    for (;;) {
      char op = 0;
      if (read(c[0], &op, 1) != 1 || op == 'Q') return 0;
      if (op == 'L') {
        auto r = structural ? mgr->AcquireStructural(req) : mgr->AcquireWriter({{"t", "m"}}, req);
        if (!r.ok()) return 2;
        held = std::move(r).value();
      } else if (op == 'X') {
        if (!held || !held->CheckHeld().ok()) return 3;
      } else if (op == 'U') {
        held.reset();
      }
      if (write(a[1], &op, 1) != 1) return 4;
    }
  });
  close(c[0]);
  close(a[1]);
  return Stepper{pid, c[1], a[0]};
}

bool AckWithin(const Stepper& s, int ms) {
  struct pollfd p = {s.ack, POLLIN, 0};
  if (poll(&p, 1, ms) <= 0) return false;
  char op;
  return read(s.ack, &op, 1) == 1;
}

void Send(const Stepper& s, char op) { (void)!write(s.cmd, &op, 1); }

// Runs one interleaving (a sequence of 3 'W' and 3 'S'); returns the number of moments at which
// both were inside their critical sections.
int RunSchedule(const std::string& order, Stepper* procs) {
  const char kSteps[] = {'L', 'X', 'U'};
  int done[2] = {0, 0};
  bool pending[2] = {false, false};
  bool in_cs[2] = {false, false};
  int violations = 0;
  auto apply = [&](int p) {  // step done[p] has been acknowledged
    if (kSteps[done[p]] == 'L') {
      in_cs[p] = true;
      if (in_cs[1 - p]) ++violations;
    } else if (kSteps[done[p]] == 'X') {
      if (in_cs[1 - p]) ++violations;
    }
    ++done[p];
  };
  auto issue = [&](int p, int wait_ms) {
    if (kSteps[done[p]] == 'U') in_cs[p] = false;  // the release starts now
    Send(procs[p], kSteps[done[p]]);
    if (AckWithin(procs[p], wait_ms))
      apply(p);
    else
      pending[p] = true;  // blocked in the kernel (or slow): acked later
  };
  for (char c : order) {
    int p = c == 'W' ? 0 : 1;
    if (done[p] < 3 && !pending[p]) issue(p, 30);
    for (int q = 0; q < 2; ++q) {
      if (pending[q] && AckWithin(procs[q], 30)) {
        pending[q] = false;
        apply(q);
      }
    }
  }
  while (done[0] < 3 || done[1] < 3) {
    bool progressed = false;
    for (int p = 0; p < 2; ++p) {
      if (pending[p]) {
        if (AckWithin(procs[p], 100)) {
          pending[p] = false;
          apply(p);
          progressed = true;
        }
      } else if (done[p] < 3) {
        issue(p, 2000);
        progressed = true;
      }
    }
    if (!progressed && !pending[0] && !pending[1]) break;
  }
  EXPECT_EQ(done[0], 3) << order;
  EXPECT_EQ(done[1], 3) << order;
  return violations;
}

TEST(LockInterleavingTest, WriterAndStructuralNeverOverlapInAnyInterleaving) {
  std::vector<std::string> orders;
  std::string base = "SSSWWW";  // sorted: next_permutation enumerates all
  do orders.push_back(base);
  while (std::next_permutation(base.begin(), base.end()));
  ASSERT_EQ(orders.size(), 20u);
  for (bool compat : {false, true}) {
    locktest::TempDir tmp;
    RepoContext repo = locktest::MakeRepo(tmp.path());
    Stepper procs[2] = {StartStepper(repo, false, compat), StartStepper(repo, true, compat)};
    int violations = 0;
    for (const std::string& order : orders) violations += RunSchedule(order, procs);
    std::printf("interleavings (swamp files %s): %zu schedules, %d overlaps\n",
                compat ? "on" : "off", orders.size(), violations);
    EXPECT_EQ(violations, 0);
    for (auto& s : procs) {
      Send(s, 'Q');
      EXPECT_EQ(locktest::WaitChild(s.pid), 0);
      close(s.cmd);
      close(s.ack);
    }
  }
}

}  // namespace
}  // namespace fen::locking
