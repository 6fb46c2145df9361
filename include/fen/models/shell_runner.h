// ShellRunner: runs one `command/shell` command (shared/spec/cli.md §4.2; docs/design/models.md
// §3) and captures its output with bounded memory.
//
// Contract:
// - `sh -c <run>` in its own process group, stdin /dev/null, stdout and stderr piped and read
//   concurrently (poll). Raw chunks go to `on_chunk`, complete lines (split on \n; a line
//   longer than kMaxLineBytes is delivered in pieces) to `on_line`, and both streams are
//   spooled to unlinked temp files so the captured text never has to fit in memory.
// - Timeout (`timeout_ms`), the cancellation signals (cancellation.h) and the cooperative
//   deadline `cancel_at_ms` (monotonic) terminate the whole process group: SIGTERM, then
//   SIGKILL after kKillGraceMs. Run() returns only after the direct child was reaped and the
//   pipes closed (or the group was killed), so nothing keeps writing afterwards.
// - Failure to spawn, timeout or cancellation: exit_code -1, duration 0, `error_message` set
//   (it becomes the captured stderr, stdout is empty), as swamp does.
// Single-threaded; one Run at a time per object.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fen/base/status.h"

namespace fen::models {

enum class OutputStream { kStdout, kStderr };

// An unlinked temp file holding one captured stream.
class SpoolFile {
 public:
  SpoolFile() = default;
  ~SpoolFile();
  SpoolFile(SpoolFile&& other) noexcept;
  SpoolFile& operator=(SpoolFile&& other) noexcept;
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;

  static Result<SpoolFile> Create(const std::string& dir);
  Status Append(std::string_view bytes);
  int64_t size() const { return size_; }
  // Size without one trailing '\n' (swamp drops exactly one, cli.md §4.2 step 3).
  int64_t captured_size() const { return size_ - (last_ == '\n' ? 1 : 0); }
  // Calls `sink` with successive chunks of bytes [0, limit).
  Status ReadChunks(int64_t limit, const std::function<Status(std::string_view)>& sink) const;
  // The first `limit` bytes as a string (callers bound the size).
  Result<std::string> ReadPrefix(int64_t limit) const;

 private:
  int fd_ = -1;
  int64_t size_ = 0;
  char last_ = 0;
};

struct ShellRunOptions {
  std::string run;
  std::optional<std::string> working_dir;
  std::optional<int64_t> timeout_ms;
  // Added on top of the inherited environment (method env, then lock context).
  std::vector<std::pair<std::string, std::string>> env;
  std::string spool_dir;                // where the unlinked spool files live
  std::optional<int64_t> cancel_at_ms;  // monotonic deadline of `--timeout`
  std::function<void(OutputStream, std::string_view)> on_line;
  std::function<Status(OutputStream, std::string_view)> on_chunk;
  // Called from the wait loop at least once a second while the command runs (method runs keep
  // their locks alive with it: LockSet::KeepAlive).
  std::function<void()> on_tick;
};

struct ShellRunResult {
  int exit_code = -1;
  int64_t duration_ms = 0;
  std::string error_message;  // spawn failure / timeout / cancellation
  bool timed_out = false;
  bool cancelled = false;  // a signal or the --timeout deadline
  SpoolFile out;
  SpoolFile err;
};

inline constexpr size_t kMaxLineBytes = 64 * 1024;
inline constexpr int64_t kKillGraceMs = 2000;

// Errors are only fen's own failures (pipes, spool files, on_chunk); the command's own
// failures are reported in the result.
Result<ShellRunResult> RunShell(const ShellRunOptions& options);

}  // namespace fen::models
