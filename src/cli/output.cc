#include "cli/output.h"

#include <cctype>

#include "fen/base/clock.h"

namespace fen::cli {

Output::Output(std::ostream& out, std::ostream& err, bool json, bool stderr_is_tty)
    : out_(out), err_(err), json_(json), stderr_is_tty_(stderr_is_tty) {}

void Output::Document(const Json& value) {
  out_ << ToPrettyJson(value) << '\n';
  out_.flush();
}

void Output::Line(std::string_view text) { out_ << text << '\n'; }

void Output::Warning(std::string_view code, std::string_view text, const Json& fields) {
  if (json_) {
    Json j = Json::object();
    j["warning"] = std::string(code);
    for (const auto& [k, v] : fields.items()) j[k] = v;
    err_ << ToCompactJson(j) << '\n';
  } else {
    err_ << "Warning: " << text << '\n';
  }
  err_.flush();
}

void Output::Notice(std::string_view text) {
  err_ << text << '\n';
  err_.flush();
}

void Output::Progress(std::string_view text) {
  if (!stderr_is_tty_) return;
  err_ << '\r' << text << "\x1b[K";
  err_.flush();
}

void Output::Log(LogLevel level, std::string_view category, std::string_view message) {
  if (json_ || level < level_) return;
  static const char* kTags[] = {"TRC", "DBG", "INF", "WRN", "ERR", "FTL"};
  err_ << NowIsoMillis() << " [" << kTags[static_cast<int>(level)] << "] " << category << ": "
       << message << '\n';
}

void Output::Error(const Status& status, const Json& extra) {
  if (json_) {
    Json j = Json::object();
    j["error"] = status.message();
    j["code"] = std::string(ErrorCodeName(status.code()));
    for (const auto& [k, v] : extra.items()) j[k] = v;
    err_ << ToPrettyJson(j) << '\n';
  } else {
    err_ << "Error: " << status.message() << '\n';
  }
  err_.flush();
}

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  std::string t;
  for (char c : text) t.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (t == "trace")
    *level = LogLevel::kTrace;
  else if (t == "debug")
    *level = LogLevel::kDebug;
  else if (t == "info")
    *level = LogLevel::kInfo;
  else if (t == "warning" || t == "warn")
    *level = LogLevel::kWarning;
  else if (t == "error")
    *level = LogLevel::kError;
  else if (t == "fatal")
    *level = LogLevel::kFatal;
  else
    return false;
  return true;
}

}  // namespace fen::cli
