// cli.md §5.2 input parsing (docs/design/models.md §4).
#include "fen/models/run_inputs.h"

#include <cstdlib>

#include "fen/base/char_scan.h"
#include "fen/models/definition.h"

namespace fen::models {
namespace {

Status BadArgs(const std::string& m) { return Status(ErrorCode::kInvalidArguments, m); }

// @[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+ : a scoped id, not a file reference.
bool IsScopedId(std::string_view v) {
  auto head = [](char c) { return scan::IsAlnum(c) || c == '_' || c == '.' || c == '-'; };
  auto tail = [&](char c) { return head(c) || c == '/'; };
  if (v.empty() || v[0] != '@') return false;
  const size_t slash = scan::Span(v, 1, head);
  if (slash == 1 || slash >= v.size() || v[slash] != '/') return false;
  return scan::NonEmptyAll(v.substr(slash + 1), tail);
}

Result<Json> ResolveValue(Env* env, const std::string& key, const std::string& raw, bool as_json) {
  std::string value = raw;
  if (value.rfind("\\@", 0) == 0) {
    value = value.substr(1);
  } else if (!value.empty() && value[0] == '@' && !IsScopedId(value)) {
    std::string path = value.substr(1);
    if (path.rfind("~/", 0) == 0) {
      const char* home = std::getenv("HOME");
      path = std::string(home ? home : "") + path.substr(1);
    }
    auto content = env->ReadFile(path);
    if (!content.ok()) {
      return BadArgs("Cannot read file for input \"" + key + "\": " + content.status().message());
    }
    value = *content;
  }
  if (!as_json) return Json(value);
  Json parsed = Json::parse(value, nullptr, false);
  if (parsed.is_discarded()) return BadArgs("Invalid JSON for input \"" + key + "\": " + value);
  return parsed;
}

Status SetDotted(Json* root, const std::string& key, Json value) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  Json* cur = root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    Json& next = (*cur)[parts[i]];
    if (!next.is_object()) next = Json::object();
    cur = &next;
  }
  (*cur)[parts.back()] = std::move(value);
  return Status::Ok();
}

Result<Json> ParsePairs(Env* env, const std::vector<std::string>& items) {
  Json out = Json::object();
  for (const auto& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return BadArgs("Invalid input format: \"" + item + "\". Expected key=value format.");
    }
    std::string key = item.substr(0, eq);
    bool as_json = false;
    if (key.size() > 5 && key.compare(key.size() - 5, 5, ":json") == 0) {
      as_json = true;
      key.resize(key.size() - 5);
    }
    if (key.empty()) {
      return BadArgs("Invalid input format: \"" + item + "\". Key cannot be empty.");
    }
    FEN_ASSIGN_OR_RETURN(Json v, ResolveValue(env, key, item.substr(eq + 1), as_json));
    FEN_RETURN_IF_ERROR(SetDotted(&out, key, std::move(v)));
  }
  return out;
}

}  // namespace

void DeepMerge(Json* base, const Json& over) {
  if (!base->is_object() || !over.is_object()) {
    *base = over;
    return;
  }
  for (auto it = over.begin(); it != over.end(); ++it) {
    if (base->contains(it.key()) && (*base)[it.key()].is_object() && it.value().is_object()) {
      DeepMerge(&(*base)[it.key()], it.value());
    } else {
      (*base)[it.key()] = it.value();
    }
  }
}

Result<Json> ParseRunInputs(Env* env, const std::vector<std::string>& inputs,
                            const std::string& input_file) {
  Json base = Json::object();
  if (!input_file.empty()) {
    auto text = env->ReadFile(input_file);
    if (!text.ok()) {
      return BadArgs("Cannot read input file " + input_file + ": " + text.status().message());
    }
    auto parsed = YamlToJson(*text);
    if (!parsed.ok() || !(parsed->is_object() || parsed->is_null())) {
      return BadArgs("Input file " + input_file + " must contain a YAML object");
    }
    if (parsed->is_object()) base = *parsed;
  }
  Json over;
  if (inputs.size() == 1 && !inputs[0].empty() && inputs[0][0] == '{') {
    over = Json::parse(inputs[0], nullptr, false);
    if (over.is_discarded() || !over.is_object()) {
      return BadArgs("Invalid input: \"" + inputs[0] + "\" is not a JSON object");
    }
  } else {
    FEN_ASSIGN_OR_RETURN(over, ParsePairs(env, inputs));
  }
  DeepMerge(&base, over);
  return base;
}

Result<Json> ParseKeyValueArguments(Env* env, const std::vector<std::string>& args) {
  return ParsePairs(env, args);
}

Result<std::vector<std::pair<std::string, std::string>>> ParseTags(
    const std::vector<std::string>& tags) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& t : tags) {
    size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0) {
      return BadArgs("Invalid tag format: \"" + t + "\". Expected KEY=VALUE");
    }
    std::string k = t.substr(0, eq);
    bool replaced = false;
    for (auto& [ek, ev] : out) {
      if (ek == k) {
        ev = t.substr(eq + 1);
        replaced = true;
      }
    }
    if (!replaced) out.emplace_back(k, t.substr(eq + 1));
  }
  return out;
}

Result<int64_t> ParseDurationMillis(const std::string& text) {
  // [0-9]{1,12}(ms|s|m|h)?
  const size_t digits = scan::Span(text, 0, scan::IsDigit);
  const std::string unit = text.substr(digits);
  if (digits == 0 || digits > 12 ||
      !(unit.empty() || unit == "ms" || unit == "s" || unit == "m" || unit == "h")) {
    return BadArgs("Invalid duration format: \"" + text + "\". Use e.g. 30, 30s, 5m or 1h");
  }
  int64_t n = std::stoll(text.substr(0, digits));
  if (unit == "ms") return n;
  if (unit == "m") return n * 60000;
  if (unit == "h") return n * 3600000;
  return n * 1000;
}

}  // namespace fen::models
