// Datastore configuration parsing. See include/fen/repo/datastore_config.h and
// docs/design/repo.md §4.
#include "fen/repo/datastore_config.h"

#include <filesystem>

namespace fen {
namespace {

constexpr const char* kSupported = "supported types: filesystem";

std::string AbsoluteNormal(const std::string& path, const std::string& base) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(base) / p;
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool LooksLikeTypePrefix(const std::string& value, size_t colon) {
  if (colon == 0 || colon == std::string::npos) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = value[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '@' || c == '.' || c == '+';
    if (!ok) return false;
  }
  return true;
}

Status NamespaceError(const std::string& ns, const std::string& origin) {
  return Status(ErrorCode::kInvalidConfig,
                "Invalid datastore namespace \"" + ns + "\" in " + origin +
                    ": it must match ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ and be at most 64 "
                    "characters");
}

}  // namespace

bool IsValidNamespace(const std::string& ns) {
  if (ns.empty() || ns.size() > 64) return false;
  for (size_t i = 0; i < ns.size(); ++i) {
    char c = ns[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) continue;
    if (c == '-' && i != 0 && i + 1 != ns.size()) continue;
    return false;
  }
  return true;
}

Result<DatastoreConfig> ParseDatastoreString(const std::string& value, const std::string& base_dir,
                                             const std::string& origin) {
  DatastoreConfig cfg;
  if (value.empty()) {
    return Status(ErrorCode::kInvalidConfig,
                  "Empty datastore value in " + origin + ": expected filesystem:PATH or a path");
  }
  size_t colon = value.find(':');
  bool absolute_or_dot = value[0] == '/' || value[0] == '.' || value[0] == '~';
  if (!absolute_or_dot && LooksLikeTypePrefix(value, colon)) {
    std::string type = value.substr(0, colon);
    if (type != "filesystem") {
      return Status(ErrorCode::kInvalidConfig, "Unsupported datastore \"" + value + "\" in " +
                                                   origin + ": type \"" + type +
                                                   "\" is not supported (" + kSupported + ")");
    }
    std::string rest = value.substr(colon + 1);
    size_t hash = rest.rfind('#');
    if (hash != std::string::npos) {
      cfg.ns = rest.substr(hash + 1);
      cfg.has_ns = true;
      rest = rest.substr(0, hash);
      if (!IsValidNamespace(cfg.ns)) return NamespaceError(cfg.ns, origin);
    }
    if (rest.empty()) {
      return Status(ErrorCode::kInvalidConfig, "Missing path in datastore \"" + value + "\" in " +
                                                   origin + ": expected filesystem:PATH");
    }
    cfg.path = AbsoluteNormal(rest, base_dir);
    return cfg;
  }
  cfg.path = AbsoluteNormal(value, base_dir);  // a bare path, taken literally
  return cfg;
}

Result<DatastoreConfig> ParseDatastoreConfig(const Json& value, const std::string& repo_dir,
                                             const std::string& marker_path) {
  const std::string origin = marker_path + " (datastore)";
  if (value.is_null()) {
    DatastoreConfig cfg;
    cfg.path = AbsoluteNormal(".swamp", repo_dir);
    return cfg;
  }
  if (value.is_string()) return ParseDatastoreString(value.get<std::string>(), repo_dir, origin);
  if (!value.is_object()) {
    return Status(ErrorCode::kInvalidConfig, "Invalid " + marker_path +
                                                 ": 'datastore' must be a mapping such as "
                                                 "{type: filesystem, path: ...}");
  }
  DatastoreConfig cfg;
  if (value.contains("type")) {
    const Json& t = value["type"];
    std::string type = t.is_string() ? t.get<std::string>() : ToCompactJson(t);
    if (type != "filesystem") {
      return Status(ErrorCode::kInvalidConfig, "Unsupported datastore type \"" + type + "\" in " +
                                                   marker_path + " (" + kSupported + ")");
    }
  }
  std::string path = ".swamp";
  if (value.contains("path")) {
    if (!value["path"].is_string() || value["path"].get<std::string>().empty()) {
      return Status(ErrorCode::kInvalidConfig,
                    "Invalid " + marker_path + ": 'datastore.path' must be a non-empty string");
    }
    path = value["path"].get<std::string>();
  }
  cfg.path = AbsoluteNormal(path, repo_dir);
  if (value.contains("namespace") && !value["namespace"].is_null()) {
    const Json& ns = value["namespace"];
    std::string text = ns.is_string() ? ns.get<std::string>() : ToCompactJson(ns);
    if (!text.empty()) {  // "" = solo mode (storage.md §2)
      if (!ns.is_string() || !IsValidNamespace(text)) return NamespaceError(text, origin);
      cfg.ns = text;
    }
    cfg.has_ns = true;
  }
  if (value.contains("directories") && value["directories"].is_array()) {
    bool has_data = false;
    for (const auto& d : value["directories"]) {
      if (d.is_string() && d.get<std::string>() == "data") has_data = true;
    }
    cfg.data_in_tier = has_data;
  }
  return cfg;
}

}  // namespace fen
