// RunModelMethod: the `model method run` pipeline for command/shell definitions
// (shared/spec/cli.md §5.2-§5.8, locking.md §6.6/§6.8; docs/design/models.md §4).
//
// Contract:
// - Looks the definition up without a lock, takes the writer lock of {type, id}, re-reads the
//   definition under it, and from then on every write (run log, evaluated copy, data, run
//   record) happens while the lock is held; LockSet::CheckHeld() precedes each commit point.
// - `${{` anywhere in the definition or the effective method arguments fails with
//   unsupported_expression before anything is written.
// - Data goes through DataStore::BeginVersion/VersionWriter (streaming, bounded memory);
//   `result` is committed before `log`. The run record is written once, at the terminal state.
// - Cancellation (SIGINT/SIGTERM/SIGHUP, `--timeout`): the shell group is terminated, the run
//   is recorded `cancelled` while the lock is still held, then the error kCancelled returns.
// - Returns the §5.8 JSON document (without `reports`) on success.
// One call at a time per process (it installs the process's signal handlers while it runs).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fen/base/json_text.h"
#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/locking/lock_manager.h"
#include "fen/models/shell_runner.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_store.h"

namespace fen::models {

struct MethodRunRequest {
  std::string model;  // id or name
  std::string method;
  Json inputs = Json::object();  // parsed --input/--input-file (run_inputs.h)
  std::vector<std::pair<std::string, std::string>> tags;  // --tag
  std::optional<int64_t> cancel_after_ms;                 // --timeout
  std::string command_line;                               // recorded in lock info files
};

struct MethodRunDeps {
  Env* env = nullptr;
  const RepoContext* repo = nullptr;
  storage::DataStore* store = nullptr;
  locking::LockManager* locks = nullptr;
  // Each captured output line as it arrives (text mode prints it).
  std::function<void(OutputStream, std::string_view)> on_line;
  // Non-fatal warnings (broken definition files skipped during lookup, storage warnings such as
  // write-time pruning failures).
  std::function<void(const std::string&)> warning;
  // Lock wait progress (locking.md §6.5), and the "Waiting for lock ..." lines swamp logs as
  // warnings (unset: they go to lock_notice).
  std::function<void(std::string_view)> lock_notice;
  std::function<void(std::string_view)> lock_wait_warning;
  // Include `attributes` of the result in the document (reads the captured output back).
  bool want_attributes = true;
};

Result<Json> RunModelMethod(const MethodRunRequest& request, const MethodRunDeps& deps);

}  // namespace fen::models
