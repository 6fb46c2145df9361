// The swamp-format halves of fen's writer and structural sequences (shared/spec/locking.md
// §6.10.5), run after the kernel steps while fen's kernel locks for the scope are held.
// Owner-thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/locking/lock_layout.h"
#include "locking/legacy_hold.h"
#include "locking/swamp_lock_file.h"

namespace fen::locking {

struct SwampSteps {
  Env* env;
  const LockLayout* layout;
  ClassifyOptions classify;
  LegacyHold::Identity me;
  int64_t start_ms;     // monotonic start of the whole acquisition sequence
  int64_t deadline_ms;  // its single deadline
  std::function<void(const std::string&)> notice;        // may be empty
  std::function<void(const std::string&)> wait_warning;  // "Waiting for lock ..." lines
  std::optional<int64_t> holder_pid_env;                 // SWAMP_LOCK_HOLDER_PID
};

// Writer steps 1-3: wait for the swamp global file, create per-model files, Dekker re-check.
Status RunSwampWriterSteps(const SwampSteps& s, const std::vector<ModelRef>& models,
                           LegacyHold* hold);
// Structural steps 1-2: create the swamp global file, then drain swamp per-model files.
Status RunSwampStructuralSteps(const SwampSteps& s, LegacyHold* hold);

// One scan of the data root for swamp per-model lock files (".lock" whose path parses as in
// §2.1). A walk error returns an error (the caller rescans), never a partial list.
Result<std::vector<std::string>> ScanSwampModelLocks(Env* env, const std::string& data_root);

}  // namespace fen::locking
