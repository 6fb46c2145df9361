// Output: the only place fen writes to stdout/stderr (docs/design/cli.md).
//
// Contract: in JSON mode stdout carries exactly one pretty-printed document per command and
// stderr carries warnings as compact one-line JSON and errors as one pretty JSON object
// {"error","code",...}. In log mode stdout carries human text; warnings, errors, logs and
// progress go to stderr. Progress lines are written only when stderr is a terminal.
// Single-threaded: owned by the command that is running.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "fen/base/json_text.h"
#include "fen/base/status.h"

namespace fen::cli {

enum class LogLevel { kTrace, kDebug, kInfo, kWarning, kError, kFatal };

class Output {
 public:
  Output(std::ostream& out, std::ostream& err, bool json, bool stderr_is_tty);

  bool json() const { return json_; }
  void set_json(bool json) { json_ = json; }
  void set_log_level(LogLevel level) { level_ = level; }
  LogLevel log_level() const { return level_; }

  // The command's JSON document (JSON mode), followed by a newline.
  void Document(const Json& value);
  // A line of human text on stdout (log mode).
  void Line(std::string_view text);
  // A non-fatal warning: log mode "Warning: <text>", JSON mode one compact line
  // {"warning": code, ...fields}.
  void Warning(std::string_view code, std::string_view text, const Json& fields = Json::object());
  // A progress/notice line on stderr, shown in both modes (lock waits, storage.md §6.5 style).
  void Notice(std::string_view text);
  // Transient progress on long work: stderr, and only when stderr is a TTY.
  void Progress(std::string_view text);
  // A log record at `level` in the plain formatter "<ISO> [INF] <category>: <message>",
  // suppressed in JSON mode and below the effective level.
  void Log(LogLevel level, std::string_view category, std::string_view message);
  // The error envelope. `extra` keys follow "error" and "code" in JSON mode.
  void Error(const Status& status, const Json& extra = Json::object());

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

 private:
  std::ostream& out_;
  std::ostream& err_;
  bool json_;
  bool stderr_is_tty_;
  LogLevel level_ = LogLevel::kInfo;
};

// Parses trace|debug|info|warning|error|fatal (case-insensitive).
bool ParseLogLevel(std::string_view text, LogLevel* level);

}  // namespace fen::cli
