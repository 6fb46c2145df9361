// Definition files: YAML <-> Definition, name rules, hash (cli.md §3; docs/design/models.md §1).
#include "fen/models/definition.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "base/yaml_js_rules.h"
#include "fen/base/char_scan.h"
#include "fen/base/sha256.h"
#include "fen/base/yaml_writer.h"
#include "fen/models/model_type.h"

namespace fen::models {
namespace {

Json ResolvePlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  const std::string_view digits = s.size() > 2 ? std::string_view(s).substr(2) : "";
  if (scan::IsDecimalInteger(s)) {
    errno = 0;
    long long v = std::strtoll(s.c_str(), nullptr, 10);
    if (errno == 0) return static_cast<int64_t>(v);
    return std::strtod(s.c_str(), nullptr);
  }
  if (s.rfind("0x", 0) == 0 && scan::NonEmptyAll(digits, scan::IsHexDigit))
    return static_cast<int64_t>(std::strtoll(s.c_str() + 2, nullptr, 16));
  if (s.rfind("0o", 0) == 0 &&
      scan::NonEmptyAll(digits, [](char c) { return c >= '0' && c <= '7'; }))
    return static_cast<int64_t>(std::strtoll(s.c_str() + 2, nullptr, 8));
  if (scan::IsDecimalFloat(s)) {
    double d = std::strtod(s.c_str(), nullptr);
    // JavaScript has one number type: 1.0 is 1 (and serializes as such).
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9007199254740992.0) {
      return static_cast<int64_t>(d);
    }
    return d;
  }
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf") return INFINITY;
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -INFINITY;
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return NAN;
  return s;
}

Json NodeToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      if (node.Tag() == "?") return ResolvePlainScalar(node.Scalar());
      if (node.Tag() == "tag:yaml.org,2002:int" || node.Tag() == "tag:yaml.org,2002:float" ||
          node.Tag() == "tag:yaml.org,2002:bool" || node.Tag() == "tag:yaml.org,2002:null") {
        return ResolvePlainScalar(node.Scalar());
      }
      return node.Scalar();
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& item : node) arr.push_back(NodeToJson(item));
      return arr;
    }
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : node) {
        std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
        obj[key] = NodeToJson(kv.second);
      }
      return obj;
    }
  }
  return nullptr;
}

Status Invalid(const std::string& what) { return Status(ErrorCode::kValidationFailed, what); }

Json SortKeys(const Json& v) {
  if (v.is_object()) {
    std::vector<std::string> keys;
    for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    Json out = Json::object();
    for (const auto& k : keys) out[k] = SortKeys(v.at(k));
    return out;
  }
  if (v.is_array()) {
    Json out = Json::array();
    for (const auto& item : v) out.push_back(SortKeys(item));
    return out;
  }
  return v;
}

}  // namespace

Result<Json> YamlToJson(std::string_view text) {
  // A YAML stream is printable Unicode (js-yaml refuses anything else); fen rewrites
  // definitions and must read back what it writes (fuzz: fuzz/regressions/definition_yaml/).
  if (size_t bad = scan::FirstNonPrintableYaml(text); bad != std::string_view::npos) {
    return Invalid("invalid UTF-8 or a non-printable character (byte " + std::to_string(bad + 1) +
                   ")");
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (auto why = ApplyJsYamlRules(root)) return Invalid(*why);
    return NodeToJson(root);
  } catch (const YAML::Exception& e) {
    return Invalid(e.what());
  }
}

namespace {
bool IsNameChar(char c) { return scan::IsLowerAlnum(c) || c == '_' || c == '-'; }
}  // namespace

// @segment(/segment)+ with segments of [a-z0-9_-]+.
bool IsScopedName(std::string_view name) {
  if (name.empty() || name[0] != '@') return false;
  size_t segments = 0;
  size_t pos = 1;
  for (;;) {
    const size_t end = scan::Span(name, pos, IsNameChar);
    if (end == pos) return false;
    ++segments;
    if (end == name.size()) return segments >= 2;
    if (name[end] != '/') return false;
    pos = end + 1;
  }
}

// [a-z0-9][a-z0-9_-]*, at most 64 characters.
bool IsFilenameSafeName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && scan::IsLowerAlnum(name[0]) &&
         scan::NonEmptyAll(name, IsNameChar);
}

Status ValidateNewDefinitionName(std::string_view name) {
  if (name.size() > 64) return Invalid("Definition name must be at most 64 characters.");
  if (name.empty() || !(IsFilenameSafeName(name) || IsScopedName(name))) {
    return Invalid(
        "Definition name must be lowercase alphanumeric with hyphens or underscores (e.g. "
        "'my-server'). Must start with a letter or number.");
  }
  return Status::Ok();
}

Status ValidateLoadedDefinitionName(std::string_view name) {
  if (name.empty()) return Invalid("Definition name must not be empty");
  if (name.find("..") != std::string_view::npos || name.find('\\') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos ||
      (name.find('/') != std::string_view::npos && !IsScopedName(name))) {
    return Invalid("Definition name contains invalid path characters: " + std::string(name));
  }
  return Status::Ok();
}

Result<Definition> ParseDefinition(std::string_view text, std::string_view type_from_path) {
  FEN_ASSIGN_OR_RETURN(Json doc, YamlToJson(text));
  if (!doc.is_object()) return Invalid("definition must be a YAML mapping");
  if (doc.contains("driver") || doc.contains("driverConfig")) {
    return Invalid(
        "The 'driver' and 'driverConfig' fields are no longer supported; remove them from the "
        "definition");
  }
  Definition def;
  if (doc.contains("type") && !doc["type"].is_null()) {
    if (!doc["type"].is_string()) return Invalid("type: expected string");
    FEN_ASSIGN_OR_RETURN(def.type, NormalizeModelType(doc["type"].get<std::string>()));
  } else {
    FEN_ASSIGN_OR_RETURN(def.type, NormalizeModelType(type_from_path));
  }
  if (doc.contains("typeVersion") && doc["typeVersion"].is_string()) {
    def.type_version = doc["typeVersion"].get<std::string>();
  }
  if (!doc.contains("id") || !doc["id"].is_string() || doc["id"].get<std::string>().empty()) {
    return Invalid("id: expected a non-empty string");
  }
  def.id = doc["id"].get<std::string>();
  if (!doc.contains("name") || !doc["name"].is_string()) return Invalid("name: expected string");
  def.name = doc["name"].get<std::string>();
  FEN_RETURN_IF_ERROR(ValidateLoadedDefinitionName(def.name));
  if (!doc.contains("version") || !doc["version"].is_number_integer() ||
      doc["version"].get<int64_t>() < 1) {
    return Invalid("version: expected a positive integer");
  }
  def.version = doc["version"].get<int64_t>();
  auto map_or_default = [&](const char* key, Json* out) -> Status {
    if (!doc.contains(key) || doc[key].is_null()) return Status::Ok();
    if (!doc[key].is_object()) return Invalid(std::string(key) + ": expected a mapping");
    *out = doc[key];
    return Status::Ok();
  };
  FEN_RETURN_IF_ERROR(map_or_default("tags", &def.tags));
  for (auto it = def.tags.begin(); it != def.tags.end(); ++it) {
    if (!it.value().is_string()) return Invalid("tags." + it.key() + ": expected string");
  }
  FEN_RETURN_IF_ERROR(map_or_default("globalArguments", &def.global_arguments));
  FEN_RETURN_IF_ERROR(map_or_default("methods", &def.methods));
  for (auto it = def.methods.begin(); it != def.methods.end(); ++it) {
    if (it.value().is_null()) {
      it.value() = Json::object();
    } else if (!it.value().is_object()) {
      return Invalid("methods." + it.key() + ": expected a mapping");
    }
    if (it.value().contains("arguments") && !it.value()["arguments"].is_object() &&
        !it.value()["arguments"].is_null()) {
      return Invalid("methods." + it.key() + ".arguments: expected a mapping");
    }
  }
  for (const char* key : {"inputs", "checks", "reports", "resources"}) {
    if (doc.contains(key) && !doc[key].is_null() && !doc[key].is_object()) {
      return Invalid(std::string(key) + ": expected a mapping");
    }
  }
  if (doc.contains("inputs")) def.inputs = doc["inputs"];
  if (doc.contains("checks")) def.checks = doc["checks"];
  if (doc.contains("reports")) def.reports = doc["reports"];
  if (doc.contains("resources")) def.resources = doc["resources"];
  static const char* kKnown[] = {"type",    "typeVersion",     "id",      "name",   "version",
                                 "tags",    "globalArguments", "methods", "inputs", "checks",
                                 "reports", "resources"};
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    bool known = std::any_of(std::begin(kKnown), std::end(kKnown),
                             [&](const char* k) { return it.key() == k; });
    if (!known) def.extra[it.key()] = it.value();
  }
  return def;
}

Json DefinitionToJson(const Definition& def) {
  Json j = Json::object();
  j["type"] = def.type;
  if (!def.type_version.empty()) j["typeVersion"] = def.type_version;
  j["id"] = def.id;
  j["name"] = def.name;
  j["version"] = def.version;
  j["tags"] = def.tags;
  j["globalArguments"] = def.global_arguments;
  j["methods"] = def.methods;
  if (!def.inputs.is_null()) j["inputs"] = def.inputs;
  if (!def.checks.is_null()) j["checks"] = def.checks;
  if (!def.reports.is_null()) j["reports"] = def.reports;
  if (!def.resources.is_null()) j["resources"] = def.resources;
  for (auto it = def.extra.begin(); it != def.extra.end(); ++it) j[it.key()] = it.value();
  return j;
}

std::string SerializeDefinition(const Definition& def) { return ToYaml(DefinitionToJson(def)); }

std::string DefinitionHashText(const Definition& def) {
  Json j = Json::object();
  j["id"] = def.id;
  j["name"] = def.name;
  j["version"] = def.version;
  j["tags"] = def.tags;
  j["globalArguments"] = def.global_arguments;
  j["methods"] = def.methods;
  if (!def.inputs.is_null()) j["inputs"] = def.inputs;
  if (!def.checks.is_null()) j["checks"] = def.checks;
  if (!def.reports.is_null()) j["reports"] = def.reports;
  if (!def.resources.is_null()) j["resources"] = def.resources;
  return ToCompactJson(SortKeys(j));
}

std::string DefinitionHash(const Definition& def) { return Sha256Hex(DefinitionHashText(def)); }

bool FindExpression(const Json& value, const std::string& prefix, std::string* path,
                    std::string* expression) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    size_t at = s.find("${{");
    if (at == std::string::npos) return false;
    size_t end = s.find("}}", at + 3);
    std::string inner =
        s.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
    size_t b = inner.find_first_not_of(" \t\n");
    size_t e = inner.find_last_not_of(" \t\n");
    *expression = b == std::string::npos ? "" : inner.substr(b, e - b + 1);
    *path = prefix;
    return true;
  }
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      std::string p = prefix.empty() ? it.key() : prefix + "." + it.key();
      if (FindExpression(it.value(), p, path, expression)) return true;
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      std::string p = prefix.empty() ? std::to_string(i) : prefix + "." + std::to_string(i);
      if (FindExpression(value[i], p, path, expression)) return true;
    }
  }
  return false;
}

}  // namespace fen::models
