// Marker: `.swamp.yaml` read/rewrite. See include/fen/repo/marker.h and docs/design/repo.md §2.
#include "fen/repo/marker.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "base/yaml_js_rules.h"
#include "fen/base/char_scan.h"
#include "fen/base/yaml_writer.h"
#include "fen/env/durable_file.h"

namespace fen {
namespace {

Status ConfigError(const std::string& path, const std::string& what) {
  return Status(ErrorCode::kInvalidConfig, "Invalid " + path + ": " + what);
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// YAML 1.2 core-schema resolution of a plain scalar (what js-yaml, and so swamp, reads).
Json ResolvePlain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  std::string_view body(s);
  if (body.front() == '-' || body.front() == '+') body.remove_prefix(1);
  if (AllDigits(body) && body.size() <= 18) {
    return static_cast<int64_t>(std::strtoll(s.c_str(), nullptr, 10));
  }
  // Floats: digits with one '.', optional exponent. Anything else stays a string.
  size_t dot = body.find('.');
  size_t exp = body.find_first_of("eE");
  std::string_view mant = body.substr(0, exp);
  bool mant_ok = !mant.empty() && mant != "." && mant.find('.') == mant.rfind('.');
  if (mant_ok) {
    for (char c : mant) {
      if ((c < '0' || c > '9') && c != '.') mant_ok = false;
    }
  }
  bool exp_ok = true;
  if (exp != std::string_view::npos) {
    std::string_view e = body.substr(exp + 1);
    if (!e.empty() && (e.front() == '-' || e.front() == '+')) e.remove_prefix(1);
    exp_ok = AllDigits(e);
  }
  if (mant_ok && exp_ok && (dot != std::string_view::npos || exp != std::string_view::npos)) {
    errno = 0;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (errno == 0 && end != nullptr && *end == '\0') return d;
  }
  return s;
}

Json ScalarToJson(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  const std::string& text = node.Scalar();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return text;  // quoted or !!str
  if (tag == "?" || tag.empty()) return ResolvePlain(text);
  if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
      tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
    return ResolvePlain(text);
  }
  return text;  // unknown local tags: keep the text
}

Json NodeToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& item : node) arr.push_back(NodeToJson(item));
      return arr;
    }
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : node) {
        // Keys are strings in every swamp file; a non-scalar key keeps its text form.
        std::string key = kv.first.IsScalar() ? kv.first.Scalar() : YAML::Dump(kv.first);
        obj[key] = NodeToJson(kv.second);
      }
      return obj;
    }
    case YAML::NodeType::Undefined:
      break;
  }
  return nullptr;
}

// Replaces a legacy `tool:` with `tools:` at the same position (cli.md §2.2).
Json PromoteLegacyTool(const Json& doc) {
  if (!doc.contains("tool")) return doc;
  Json tools = Json::array();
  const Json& tool = doc["tool"];
  if (tool.is_string() && tool.get<std::string>() != "none" && !tool.get<std::string>().empty()) {
    tools.push_back(tool);
  }
  if (doc.contains("tools")) tools = doc["tools"];  // an explicit list wins
  Json out = Json::object();
  for (const auto& [k, v] : doc.items()) {
    if (k == "tool") {
      if (!doc.contains("tools")) out["tools"] = tools;
    } else {
      out[k] = v;
    }
  }
  return out;
}

Status Validate(const Json& doc, const std::string& path) {
  for (const char* removed : {"defaultDriver", "defaultDriverConfig"}) {
    if (doc.contains(removed)) {
      return ConfigError(path, std::string("the '") + removed +
                                   "' setting is no longer supported; remove it (drivers are "
                                   "configured per model)");
    }
  }
  auto expect = [&](const char* key, bool (Json::*is)() const noexcept,
                    const char* what) -> Status {
    if (doc.contains(key) && !(doc[key].*is)()) {
      return ConfigError(path, std::string("'") + key + "' must be " + what);
    }
    return Status::Ok();
  };
  FEN_RETURN_IF_ERROR(expect("swampVersion", &Json::is_string, "a string"));
  FEN_RETURN_IF_ERROR(expect("initializedAt", &Json::is_string, "a string"));
  FEN_RETURN_IF_ERROR(expect("repoId", &Json::is_string, "a string"));
  FEN_RETURN_IF_ERROR(expect("gitignoreManaged", &Json::is_boolean, "true or false"));
  FEN_RETURN_IF_ERROR(expect("autoGc", &Json::is_boolean, "true or false"));
  FEN_RETURN_IF_ERROR(expect("logLevel", &Json::is_string, "a string"));
  if (doc.contains("tools")) {
    const Json& tools = doc["tools"];
    bool ok = tools.is_array();
    if (ok) {
      for (const auto& t : tools) ok = ok && t.is_string();
    }
    if (!ok) return ConfigError(path, "'tools' must be a list of tool names");
  }
  if (doc.contains("datastore")) {
    const Json& ds = doc["datastore"];
    if (!ds.is_object() && !ds.is_string() && !ds.is_null()) {
      return ConfigError(path,
                         "'datastore' must be a mapping such as {type: filesystem, path: ...}");
    }
  }
  return Status::Ok();
}

std::optional<std::string> StringField(const Json& doc, const char* key) {
  if (doc.contains(key) && doc[key].is_string()) return doc[key].get<std::string>();
  return std::nullopt;
}

}  // namespace

Marker Marker::Fresh(const std::vector<std::string>& tools, const std::string& initialized_at,
                     const std::string& repo_id) {
  Json doc = Json::object();
  doc["swampVersion"] = kSwampFormatVersion;
  doc["initializedAt"] = initialized_at;
  doc["repoId"] = repo_id;
  doc["tools"] = tools;
  doc["gitignoreManaged"] = true;
  return Marker(std::move(doc));
}

Result<Marker> Marker::Parse(const std::string& text, const std::string& path) {
  // A YAML stream is printable Unicode (js-yaml refuses anything else). yaml-cpp passes stray
  // bytes through, and fen's writer would then emit a file it cannot read back (fuzz findings:
  // a key starting with FE FF reads as a UTF-16 byte-order mark, a NUL came back as 0x85;
  // fuzz/regressions/marker_yaml/).
  if (size_t bad = scan::FirstNonPrintableYaml(text); bad != std::string::npos) {
    return ConfigError(path, "malformed YAML: invalid UTF-8 or a non-printable character (byte " +
                                 std::to_string(bad + 1) + ")");
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    // e.msg is the bare reason; e.mark is 0-based.
    return ConfigError(path, "malformed YAML: " + e.msg + " (line " +
                                 std::to_string(e.mark.line + 1) + ", column " +
                                 std::to_string(e.mark.column + 1) + ")");
  }
  if (auto why = ApplyJsYamlRules(root)) return ConfigError(path, "malformed YAML: " + *why);
  Json doc;
  if (root.IsNull() || !root.IsDefined()) {
    doc = Json::object();  // an empty file is an empty mapping (docs/design/repo.md §2)
  } else if (!root.IsMap()) {
    return ConfigError(path, "expected a YAML mapping at the top level");
  } else {
    try {
      doc = NodeToJson(root);
    } catch (const std::exception& e) {
      return ConfigError(path, std::string("malformed YAML: ") + e.what());
    }
  }
  doc = PromoteLegacyTool(doc);
  FEN_RETURN_IF_ERROR(Validate(doc, path));
  return Marker(std::move(doc));
}

Result<Marker> Marker::Load(Env* env, const std::string& path) {
  FEN_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  return Parse(text, path);
}

std::string Marker::ToText() const {
  YamlWriteOptions options;
  options.quote = YamlQuoteStyle::kDouble;
  return ToYaml(doc_, options);
}

Status Marker::Save(Env* env, const std::string& path) const {
  // The directory must already exist: a marker never creates its repo (repo.md).
  return WriteFileDurably(env, ParentDir(path), path.substr(path.find_last_of('/') + 1), ToText());
}

std::optional<std::string> Marker::swamp_version() const {
  return StringField(doc_, "swampVersion");
}
std::optional<std::string> Marker::initialized_at() const {
  return StringField(doc_, "initializedAt");
}
std::optional<std::string> Marker::repo_id() const { return StringField(doc_, "repoId"); }

std::vector<std::string> Marker::tools() const {
  std::vector<std::string> out;
  if (doc_.contains("tools") && doc_["tools"].is_array()) {
    for (const auto& t : doc_["tools"]) out.push_back(t.get<std::string>());
  }
  return out;
}

bool Marker::gitignore_managed() const {
  return doc_.contains("gitignoreManaged") && doc_["gitignoreManaged"].get<bool>();
}

bool Marker::auto_gc() const { return doc_.contains("autoGc") && doc_["autoGc"].get<bool>(); }

std::string Marker::log_level() const { return StringField(doc_, "logLevel").value_or(""); }

const Json& Marker::datastore() const {
  static const Json kNull = nullptr;
  auto it = doc_.find("datastore");
  return it == doc_.end() ? kNull : *it;
}

void Marker::Set(const std::string& key, Json value) { doc_[key] = std::move(value); }

}  // namespace fen
