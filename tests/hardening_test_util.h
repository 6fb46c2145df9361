// Helpers shared by the hardening tests (crash, fault, hostile, doctor): a repo copy of the
// swamp fixture, a fen child process, and a whole-tree invariant check. Test-only.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "fen/base/sha256.h"
#include "fen/doctor/datastore_doctor.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_format.h"
#include "storage/storage_test_util.h"

namespace fen::hardening {

using storage::testing::CopyFixtureRepo;
using storage::testing::Exists;
using storage::testing::Slurp;
using storage::testing::TempDir;

inline constexpr char kCounterId[] = "5f9277e4-133a-42e4-848a-8f0df54b77c7";

struct FenRun {
  int rc = -1;
  std::string out, err;
};

// Runs the real fen binary in `cwd` with stdout/stderr captured under `scratch`.
inline FenRun SpawnFen(const std::string& cwd, const std::vector<std::string>& args,
                       const std::string& scratch) {
  const std::string out_path = scratch + "/stdout", err_path = scratch + "/stderr";
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    int in = open("/dev/null", O_RDONLY);
    int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> argv;
    std::string bin = FEN_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    unsetenv("SWAMP_REPO_DIR");
    unsetenv("SWAMP_DATASTORE");
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  FenRun r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  return r;
}

// The RepoContext of a repo whose datastore is the default {repo}/.swamp.
inline RepoContext ContextFor(const std::string& repo) {
  RepoOpenOptions o;
  o.repo_dir_flag = repo;
  std::map<std::string, std::string> none;
  o.env_override = &none;
  auto ctx = OpenRepo(Env::Default(), o);
  EXPECT_TRUE(ctx.ok()) << ctx.status().message();
  return ctx.ok() ? *ctx : RepoContext{};
}

// Every problem of severity corruption, one per line ("" when none).
inline std::string CorruptionSummary(const doctor::DoctorReport& r) {
  std::string s;
  for (const auto& p : r.problems) {
    if (p.severity == doctor::Severity::kCorruption)
      s += p.kind + " " + p.path + ": " + p.message + "\n";
  }
  return s;
}

// The invariants of storage.md §5.1 over the whole tree: every visible version directory has
// metadata.yaml and raw with matching size/checksum, every `latest` names a complete version,
// and doctor finds no corruption (leftovers are allowed). Returns "" or a description.
inline std::string CheckTreeInvariants(const RepoContext& repo) {
  auto report = doctor::CheckDatastore(Env::Default(), repo, doctor::DoctorOptions{});
  if (!report.ok()) return "doctor failed: " + report.status().message();
  return CorruptionSummary(*report);
}

}  // namespace fen::hardening
