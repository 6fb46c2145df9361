// SyncGroup: a set of files and directories made durable together.
//
// A durability protocol is a sequence of rounds: every change of round k must be durable
// before round k+1 starts (shared/spec/storage.md §5.2). Within a round the order of the
// fsyncs does not matter, so a SyncGroup issues them concurrently: on a journaling
// filesystem the kernel folds concurrent fsyncs into one journal commit, where issuing them
// one after another costs one commit each (docs/design/storage.md §6 has the measurements).
//
// Contract:
// - Add*() collect work; Sync() fsyncs everything added since the previous Sync() and
//   returns the first failure (every fsync is attempted even after one fails: a later round
//   must never start on a partly durable round, and the caller aborts on the error anyway).
// - Files are borrowed: they must stay open until Sync() returns. Directories are synced by
//   path through the Env (open O_DIRECTORY + fsync); duplicates are synced once.
// - One SyncGroup is owned by one thread. Sync() hands the round to Env::SyncBatch, which
//   issues the fsyncs concurrently (io_uring in PosixEnv, helper threads otherwise) and
//   returns when all are done.
#pragma once

#include <string>
#include <vector>

#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen {

class SyncGroup {
 public:
  explicit SyncGroup(Env* env) : env_(env) {}
  SyncGroup(const SyncGroup&) = delete;
  SyncGroup& operator=(const SyncGroup&) = delete;

  void AddFile(WritableFile* file) { files_.push_back(file); }
  void AddDir(const std::string& path);
  bool empty() const { return files_.empty() && dirs_.empty(); }
  size_t size() const { return files_.size() + dirs_.size(); }

  // fsyncs every file and directory added since the last call, concurrently.
  Status Sync();

 private:
  Env* env_;
  std::vector<WritableFile*> files_;
  std::vector<std::string> dirs_;
};

}  // namespace fen
