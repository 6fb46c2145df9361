// FaultInjectionEnv: an Env that wraps another Env and injects failures (test support; the
// LevelDB FaultInjectionTestEnv idea). Used by tests/fault_*_test.cc and tests/crash_*_test.cc.
//
// Contract:
// - Every call is forwarded to the wrapped Env unless a rule says to fail it. Reads (ReadFile,
//   ListDir, Stat, Lstat, ReadLink, RealPath, Access) are never failed except by
//   FailReadsMatching.
// - "Mutating operations" are NewExclusiveFile, NewAppendableFile, WritableFile::Append,
//   WritableFile::Sync, SyncDir, Rename, RenameNoReplace, Link, Unlink, CreateDir, RemoveDir
//   and RemoveTree. They are counted from 1 in call order (count()).
// - Rules (any combination):
//   FailNth(n, err)             the n-th mutating operation fails with errno `err`;
//   FailFrom(n, err)            the n-th and every later mutating operation fails;
//   FailMatching(substr, err)   every mutating operation on a path containing `substr` fails;
//   FailSyncs(err)              every WritableFile::Sync and SyncDir fails;
//   ExitAt(n, code)             the process _exit()s at the n-th mutating operation, before it
//                               runs (a crash: use in a forked child only);
//   ReadOnly()                  every mutating operation fails with EROFS.
//   A failed operation has no effect on the file system.
// - The wrapped Env must outlive this one. Safe to call from several threads (the counter is
//   atomic; rules are set before use).
// - Not implemented: dropping un-fsynced data at a simulated crash (a real SIGKILL keeps the
//   page cache, which is what the crash tests exercise; power loss is out of scope).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "fen/env/env.h"

namespace fen {

class FaultInjectionEnv final : public Env {
 public:
  explicit FaultInjectionEnv(Env* base) : base_(base) {}

  void FailNth(int n, int err) { fail_nth_ = n, fail_nth_errno_ = err; }
  void FailFrom(int n, int err) { fail_from_ = n, fail_from_errno_ = err; }
  void FailMatching(std::string substr, int err) {
    match_rules_.push_back({std::move(substr), err, false});
  }
  void FailReadsMatching(std::string substr, int err) {
    match_rules_.push_back({std::move(substr), err, true});
  }
  void FailSyncs(int err) { fail_sync_errno_ = err; }
  void ExitAt(int n, int code) { exit_at_ = n, exit_code_ = code; }
  void ReadOnly() { read_only_ = true; }
  void ClearRules();

  int count() const { return count_.load(); }
  int failures() const { return failures_.load(); }

  // Counts one mutating operation on `path` (and `path2`) and returns the injected failure,
  // or OK. `is_sync` marks fsync-type operations. Public for the WritableFile wrapper.
  Status Check(const char* op, const std::string& path, const std::string& path2, bool is_sync);

  Result<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RenameNoReplace(const std::string& from, const std::string& to) override;
  Status Link(const std::string& from, const std::string& to) override;
  Status Unlink(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status RemoveTree(const std::string& path) override;
  Result<std::vector<DirEntry>> ListDir(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<FileInfo> Lstat(const std::string& path) override;
  Result<std::string> ReadLink(const std::string& path) override;
  Result<std::string> RealPath(const std::string& path) override;
  bool Access(const std::string& path, int mode) override;

 private:
  struct MatchRule {
    std::string substr;
    int err = 0;
    bool reads = false;
  };
  Status CheckRead(const std::string& path);

  Env* base_;
  std::atomic<int> count_{0};
  std::atomic<int> failures_{0};
  int fail_nth_ = -1, fail_nth_errno_ = 0;
  int fail_from_ = -1, fail_from_errno_ = 0;
  int fail_sync_errno_ = 0;
  int exit_at_ = -1, exit_code_ = 0;
  bool read_only_ = false;
  std::vector<MatchRule> match_rules_;
};

}  // namespace fen
