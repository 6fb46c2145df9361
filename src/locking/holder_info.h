// Holder info files (shared/spec/locking.md §6.7): who holds a fen kernel lock, for messages and
// `datastore lock status` only. NEVER used to decide ownership (invariant I5): the kernel lock
// on the target decides.
//
// Contract:
// - WriteInfoFile is called by the holder right AFTER it acquired the kernel lock; the file is
//   written atomically (temp, write, fsync, rename) and carries a "presence lock": the holder
//   keeps it open with an exclusive OFD lock for as long as it holds the lock it describes.
// - RemoveInfoFile is called right BEFORE the kernel lock is released (unlink, then close).
// - ReadHolders may be called by anyone; `live` = the presence lock is held (holder alive).
// Functions are thread-safe; an InfoFile belongs to its holder's thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fen/base/json_text.h"
#include "fen/base/status.h"
#include "fen/env/env.h"
#include "locking/ofd_lock.h"

namespace fen::locking {

// This process as it appears in lock metadata. Computed once; thread-safe.
struct ProcessIdentity {
  std::string holder;  // "{user}@{hostname}" (USER, else USERNAME, else "unknown")
  std::string hostname;
  int pid = 0;
  std::string boot_id;                      // /proc/sys/kernel/random/boot_id
  uint64_t pid_namespace = 0;               // inode of /proc/self/ns/pid
  static const ProcessIdentity& Current();  // re-evaluated after fork (pid changes)
};

struct InfoFile {
  std::string path;
  OfdLock presence;  // exclusive, on the info file's own descriptor
};

// Writes `info` into `dir` (created if missing) as "{host}-{bootId}-{pid}-{nonce}.json".
Result<InfoFile> WriteInfoFile(Env* env, const std::string& dir, const std::string& nonce,
                               const Json& info);
void RemoveInfoFile(Env* env, InfoFile* file);

struct ObservedHolder {
  std::string path;
  Json info;          // parsed content (object), or null if unparseable
  bool live = false;  // presence lock held
};

// All info files in `dir` (missing dir = none). Temp files (leading '.') are skipped.
Result<std::vector<ObservedHolder>> ReadHolders(Env* env, const std::string& dir);

// The live holder with the earliest acquiredAt, or nullptr.
const ObservedHolder* EarliestLive(const std::vector<ObservedHolder>& holders);

}  // namespace fen::locking
