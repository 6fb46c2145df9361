// DefinitionIndex. See src/models/definition_index.h and docs/design/models.md §11.
#include "models/definition_index.h"

#include <algorithm>

#include "fen/base/char_scan.h"
#include "fen/base/clock.h"
#include "fen/base/json_text.h"
#include "fen/env/durable_file.h"

namespace fen::models {
namespace {

constexpr const char* kFormat = "fen-definition-index-1";

// JSON carries only UTF-8: an entry with other bytes would come back altered, so it is not
// recorded (that file is parsed on every lookup instead).
bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const int n = scan::Utf8SequenceLength(s, i);
    if (n <= 0) return false;
    i += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

DefinitionIndex::DefinitionIndex(Env* env, std::string path, int64_t racy_window_ns)
    : env_(env), path_(std::move(path)), racy_window_ns_(racy_window_ns) {}

void DefinitionIndex::Load() {
  entries_.clear();
  changed_ = false;
  auto text = env_->ReadFile(path_);
  if (!text.ok()) return;
  Json doc = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  const bool ours = doc.is_object() && doc.contains("format") && doc["format"].is_string() &&
                    doc["format"].get_ref<const std::string&>() == kFormat &&
                    doc.contains("entries") && doc["entries"].is_array();
  if (!ours) {
    changed_ = true;  // replace what could not be used
    return;
  }
  for (const Json& e : doc["entries"]) {
    if (!e.is_object()) continue;
    const auto u64 = [&](const char* k) {
      return e.contains(k) && e[k].is_number_unsigned() ? e[k].get<uint64_t>() : 0;
    };
    const auto i64 = [&](const char* k) {
      return e.contains(k) && e[k].is_number_integer() ? e[k].get<int64_t>() : 0;
    };
    const auto str = [&](const char* k) {
      return e.contains(k) && e[k].is_string() ? e[k].get<std::string>() : std::string();
    };
    const std::string file = str("path");
    if (file.empty()) continue;
    Entry entry;
    entry.dev = u64("dev");
    entry.ino = u64("ino");
    entry.size = u64("size");
    entry.mtime_ns = i64("mtime_ns");
    entry.ctime_ns = i64("ctime_ns");
    entry.recorded_ns = i64("recorded_ns");
    entry.summary.ok = e.contains("ok") && e["ok"].is_boolean() && e["ok"].get<bool>();
    entry.summary.name = str("name");
    entry.summary.id = str("id");
    entry.summary.type = str("type");
    entry.summary.error = str("error");
    entries_[file] = std::move(entry);
  }
}

const DefinitionSummary* DefinitionIndex::Lookup(const std::string& file, const FileInfo& stamp) {
  auto it = entries_.find(file);
  if (it == entries_.end()) return nullptr;
  Entry& e = it->second;
  e.used = true;
  const bool same = e.dev == stamp.dev && e.ino == stamp.ino && e.size == stamp.size &&
                    e.mtime_ns == stamp.mtime_ns && e.ctime_ns == stamp.ctime_ns;
  // Racy: a file changed within the window before the recording may have changed again in
  // the same timestamp tick after it was read.
  const bool settled = std::max(e.mtime_ns, e.ctime_ns) < e.recorded_ns - racy_window_ns_;
  return same && settled ? &e.summary : nullptr;
}

void DefinitionIndex::Record(const std::string& file, const FileInfo& stamp,
                             DefinitionSummary summary) {
  const std::initializer_list<const std::string*> texts = {&file, &summary.name, &summary.id,
                                                           &summary.type, &summary.error};
  for (const std::string* s : texts) {
    if (!IsUtf8(*s)) {
      if (entries_.erase(file) != 0) changed_ = true;
      return;
    }
  }
  Entry& e = entries_[file];
  e.dev = stamp.dev;
  e.ino = stamp.ino;
  e.size = stamp.size;
  e.mtime_ns = stamp.mtime_ns;
  e.ctime_ns = stamp.ctime_ns;
  e.recorded_ns = WallNowNanos();
  e.summary = std::move(summary);
  e.used = true;
  changed_ = true;
}

void DefinitionIndex::SaveIfChanged() {
  // An entry this lookup did not use belongs to a file that is gone (or no longer a definition
  // file): dropping it is a change too. Nothing changed: nothing is built or written (the
  // common case of every run).
  const bool dropped = std::any_of(entries_.begin(), entries_.end(),
                                   [](const auto& entry) { return !entry.second.used; });
  if (!changed_ && !dropped) return;
  Json entries = Json::array();
  for (const auto& [file, e] : entries_) {
    if (!e.used) continue;
    Json j = Json::object();
    j["path"] = file;
    j["dev"] = e.dev;
    j["ino"] = e.ino;
    j["size"] = e.size;
    j["mtime_ns"] = e.mtime_ns;
    j["ctime_ns"] = e.ctime_ns;
    j["recorded_ns"] = e.recorded_ns;
    j["ok"] = e.summary.ok;
    if (e.summary.ok) {
      j["name"] = e.summary.name;
      j["id"] = e.summary.id;
      j["type"] = e.summary.type;
    } else {
      j["error"] = e.summary.error;
    }
    entries.push_back(std::move(j));
  }
  Json doc = Json::object();
  doc["format"] = kFormat;
  doc["entries"] = std::move(entries);
  (void)ReplaceFileNotDurably(env_, path_, ToCompactJson(doc));
  changed_ = false;
}

}  // namespace fen::models
