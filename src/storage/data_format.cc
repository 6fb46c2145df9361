// The swamp data format. See include/fen/storage/data_format.h; decisions in
// docs/design/storage.md §2.
#include "fen/storage/data_format.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cctype>
#include <cerrno>

#include "base/yaml_js_rules.h"
#include "fen/base/char_scan.h"
#include "fen/base/uuid.h"
#include "fen/base/yaml_writer.h"
#include "fen/storage/metadata_fast_reader.h"

namespace fen::storage {
namespace {

Status Invalid(std::string message) {
  return Status(ErrorCode::kValidationFailed, std::move(message));
}
Status Corrupt(std::string message) { return Status(ErrorCode::kCorruptData, std::move(message)); }

const char kNameMessage[] =
    "Data name must not contain '..', '/', '\\\\', or null bytes (path traversal)";
const char kDurationMessage[] =
    "Duration must match pattern like '1h', '5m', '10d', '2w', '1mo', '10y'";

bool IsPlain(const YAML::Node& n) { return n.Tag() == "?"; }

std::optional<int64_t> PlainInt(const YAML::Node& n) {
  if (!n.IsScalar() || !IsPlain(n)) return std::nullopt;
  const std::string& s = n.Scalar();
  if (!scan::IsDecimalInteger(s) || s.size() > 18) return std::nullopt;
  return std::stoll(s);
}

std::optional<bool> PlainBool(const YAML::Node& n) {
  if (!n.IsScalar() || !IsPlain(n)) return std::nullopt;
  const std::string& s = n.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

// A scalar that a YAML 1.2 core / js-yaml reader resolves to a string.
std::optional<std::string> StringScalar(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  if (IsPlain(n)) {
    const std::string& s = n.Scalar();
    if (PlainInt(n) || PlainBool(n) || s == "null" || s == "~" || s.empty()) return std::nullopt;
  }
  return n.Scalar();
}

Result<std::string> RequiredString(const YAML::Node& doc, const char* key) {
  YAML::Node n = doc[key];
  if (!n) return Corrupt(std::string("missing required field '") + key + "'");
  auto s = StringScalar(n);
  if (!s) return Corrupt(std::string("field '") + key + "' must be a string");
  return *s;
}

const std::array<const char*, 7>& OwnerExtraKeys() {
  static const std::array<const char*, 7> kKeys = {"definitionHash", "workflowId", "workflowRunId",
                                                   "workflowName",   "jobName",    "stepName",
                                                   "source"};
  return kKeys;
}

Status ValidateOwner(const OwnerDefinition& o, bool corrupt) {
  auto fail = [&](std::string m) {
    return corrupt ? Corrupt(std::move(m)) : Invalid(std::move(m));
  };
  if (o.owner_type != "model-method" && o.owner_type != "workflow-step" &&
      o.owner_type != "manual") {
    return fail("ownerDefinition.ownerType must be one of model-method, workflow-step, manual");
  }
  if (o.owner_ref.empty()) return fail("ownerDefinition.ownerRef must not be empty");
  return Status::Ok();
}

}  // namespace

Result<std::string> NormalizeModelType(std::string_view raw) {
  size_t b = 0, e = raw.size();
  while (b < e && std::isspace(static_cast<unsigned char>(raw[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(raw[e - 1]))) --e;
  std::string_view t = raw.substr(b, e - b);
  if (t.empty()) return Invalid("Model type cannot be empty");
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == ':' && i + 1 < t.size() && t[i + 1] == ':') {
      out.push_back('/');
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      out.push_back('/');
      while (i + 1 < t.size() && std::isspace(static_cast<unsigned char>(t[i + 1]))) ++i;
    } else if (c == '.') {
      out.push_back('/');
    } else {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  std::string collapsed;
  for (char c : out) {
    if (c == '/' && !collapsed.empty() && collapsed.back() == '/') continue;
    collapsed.push_back(c);
  }
  if (!collapsed.empty() && collapsed.front() == '/') collapsed.erase(0, 1);
  if (!collapsed.empty() && collapsed.back() == '/') collapsed.pop_back();
  if (collapsed.empty()) return Invalid("Model type normalization resulted in empty string");
  return collapsed;
}

Status ValidateDataName(std::string_view name) {
  if (name.empty()) return Invalid("Data name must not be empty");
  if (name.find("..") != std::string_view::npos || name.find('/') != std::string_view::npos ||
      name.find('\\') != std::string_view::npos || name.find('\0') != std::string_view::npos ||
      name == ".") {
    return Invalid(kNameMessage);
  }
  return Status::Ok();
}

Status ValidateDataNameForWrite(std::string_view name) {
  std::string lower;
  for (char c : name)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "latest") {
    return Invalid("Data name '" + std::string(name) +
                   "' is reserved for internal use. Use a different name.");
  }
  return ValidateDataName(name);
}

Status ValidateModelIdSegment(std::string_view model_id) {
  if (model_id.empty() || model_id == "." || model_id == ".." ||
      model_id.find('/') != std::string_view::npos ||
      model_id.find('\\') != std::string_view::npos ||
      model_id.find('\0') != std::string_view::npos) {
    return Status(ErrorCode::kPathTraversal, "Path traversal detected: modelId \"" +
                                                 std::string(model_id) +
                                                 "\" resolves outside expected directory");
  }
  return Status::Ok();
}

std::optional<int64_t> ParseDurationMillis(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0 || i > 15) return std::nullopt;
  int64_t value = std::stoll(std::string(text.substr(0, i)));
  std::string_view unit = text.substr(i);
  const int64_t kMinute = 60000, kHour = 60 * kMinute, kDay = 24 * kHour;
  int64_t mult;
  if (unit == "m")
    mult = kMinute;
  else if (unit == "h")
    mult = kHour;
  else if (unit == "d")
    mult = kDay;
  else if (unit == "w")
    mult = 7 * kDay;
  else if (unit == "mo")
    mult = 30 * kDay;
  else if (unit == "y")
    mult = 365 * kDay;
  else
    return std::nullopt;
  return value * mult;
}

Result<std::string> NormalizeLifetime(std::string_view lifetime) {
  if (lifetime == "ephemeral" || lifetime == "infinite" || lifetime == "job" ||
      lifetime == "workflow") {
    return std::string(lifetime);
  }
  auto ms = ParseDurationMillis(lifetime);
  if (!ms) return Invalid(kDurationMessage);
  if (*ms == 0) return std::string("workflow");
  return std::string(lifetime);
}

Status ValidateGcPolicy(const GcPolicy& policy) {
  if (const int64_t* n = std::get_if<int64_t>(&policy)) {
    if (*n <= 0) return Invalid("Garbage collection count must be a positive integer");
    return Status::Ok();
  }
  auto ms = ParseDurationMillis(std::get<std::string>(policy));
  if (!ms) return Invalid(kDurationMessage);
  if (*ms == 0) return Invalid("Garbage collection duration must be greater than zero");
  return Status::Ok();
}

std::optional<int64_t> ParseVersionStrict(std::string_view name) {
  if (name.empty() || name.size() > 15 || name[0] < '1' || name[0] > '9') return std::nullopt;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::stoll(std::string(name));
}

std::optional<int64_t> ParseVersionLenient(std::string_view name) {
  size_t i = 0;
  while (i < name.size() && std::isspace(static_cast<unsigned char>(name[i]))) ++i;
  if (i < name.size() && name[i] == '+') ++i;
  size_t start = i;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
  if (i == start || i - start > 15) return std::nullopt;
  int64_t v = std::stoll(std::string(name.substr(start, i - start)));
  if (v <= 0) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseMarkerText(std::string_view text) { return ParseVersionLenient(text); }

Result<DataRecord> ParseMetadataYaml(std::string_view text) {
  // The fixed shapes swamp and fen write are read without yaml-cpp; anything else (and every
  // document that is rejected) takes the reference path below. docs/design/catalog.md §6.
  if (auto fast = TryParseMetadataYamlFast(text)) return std::move(*fast);
  return ParseMetadataYamlWithYamlCpp(text);
}

Result<DataRecord> ParseMetadataYamlWithYamlCpp(std::string_view text) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const std::exception& e) {
    return Corrupt(std::string("invalid YAML: ") + e.what());
  }
  if (auto why = ApplyJsYamlRules(doc)) return Corrupt("invalid YAML: " + *why);
  try {
    if (!doc.IsMap()) return Corrupt("metadata is not a YAML mapping");
    DataRecord r;
    FEN_ASSIGN_OR_RETURN(r.id, RequiredString(doc, "id"));
    if (!IsValidUuid(r.id)) return Corrupt("id is not a valid UUID: " + r.id);
    FEN_ASSIGN_OR_RETURN(r.name, RequiredString(doc, "name"));
    if (Status s = ValidateDataName(r.name); !s.ok()) return Corrupt(s.message());
    if (!doc["version"]) return Corrupt("missing required field 'version'");
    auto version = PlainInt(doc["version"]);
    if (!version || *version <= 0) return Corrupt("field 'version' must be a positive integer");
    r.version = *version;
    FEN_ASSIGN_OR_RETURN(r.content_type, RequiredString(doc, "contentType"));
    if (r.content_type.empty()) return Corrupt("field 'contentType' must not be empty");
    FEN_ASSIGN_OR_RETURN(std::string lifetime, RequiredString(doc, "lifetime"));
    auto normalized = NormalizeLifetime(lifetime);
    if (!normalized.ok()) return Corrupt(normalized.status().message());
    r.lifetime = *normalized;
    YAML::Node gc = doc["garbageCollection"];
    if (!gc) return Corrupt("missing required field 'garbageCollection'");
    if (auto n = PlainInt(gc)) {
      r.garbage_collection = *n;
    } else if (auto s = StringScalar(gc)) {
      r.garbage_collection = *s;
    } else {
      return Corrupt("field 'garbageCollection' must be an integer or a duration");
    }
    if (Status s = ValidateGcPolicy(r.garbage_collection); !s.ok()) return Corrupt(s.message());
    if (YAML::Node st = doc["streaming"]) {
      auto b = PlainBool(st);
      if (!b) return Corrupt("field 'streaming' must be a boolean");
      r.streaming = *b;
    }
    YAML::Node tags = doc["tags"];
    if (!tags || !tags.IsMap()) return Corrupt("field 'tags' must be a mapping");
    for (const auto& kv : tags) {
      if (!kv.second.IsScalar()) return Corrupt("tag values must be strings");
      r.tags.emplace_back(kv.first.Scalar(), kv.second.Scalar());
    }
    if (r.TagOr("type").empty()) return Corrupt("tags must include 'type' key");
    YAML::Node owner = doc["ownerDefinition"];
    if (!owner || !owner.IsMap()) return Corrupt("field 'ownerDefinition' must be a mapping");
    if (owner["ownerType"] && owner["ownerType"].IsScalar()) {
      r.owner.owner_type = owner["ownerType"].Scalar();
    }
    if (owner["ownerRef"] && owner["ownerRef"].IsScalar()) {
      r.owner.owner_ref = owner["ownerRef"].Scalar();
    }
    FEN_RETURN_IF_ERROR(ValidateOwner(r.owner, /*corrupt=*/true));
    for (const char* key : OwnerExtraKeys()) {
      if (YAML::Node v = owner[key]; v && v.IsScalar()) r.owner.extra.emplace_back(key, v.Scalar());
    }
    YAML::Node created = doc["createdAt"];
    if (!created) return Corrupt("missing required field 'createdAt'");
    // js-yaml's timestamp resolution (what makes swamp's reader get a Date): a date alone, or
    // date + time. Anything broader rejects strings fen's own writer leaves plain (fuzz
    // finding, fuzz/regressions/metadata_yaml/).
    if (!created.IsScalar() || (IsPlain(created) && scan::IsYamlTimestamp(created.Scalar()))) {
      return Corrupt("field 'createdAt' must be a string");
    }
    r.created_at = created.Scalar();
    if (YAML::Node size = doc["size"]) {
      auto n = PlainInt(size);
      if (!n || *n < 0) return Corrupt("field 'size' must be a non-negative integer");
      r.size = *n;
    }
    if (YAML::Node sum = doc["checksum"]) {
      auto s = StringScalar(sum);
      if (!s) return Corrupt("field 'checksum' must be a string");
      r.checksum = *s;
    }
    if (YAML::Node lc = doc["lifecycle"]) {
      if (!lc.IsScalar() || (lc.Scalar() != "active" && lc.Scalar() != "deleted")) {
        return Corrupt("field 'lifecycle' must be active or deleted");
      }
      r.deleted = lc.Scalar() == "deleted";
    }
    if (YAML::Node rt = doc["renamedTo"]) {
      auto s = StringScalar(rt);
      if (!s || s->empty()) return Corrupt("field 'renamedTo' must be a non-empty string");
      r.renamed_to = *s;
    }
    return r;
  } catch (const std::exception& e) {
    return Corrupt(std::string("invalid metadata: ") + e.what());
  }
}

std::string MetadataToYaml(const DataRecord& r) {
  Json j = Json::object();
  j["id"] = r.id;
  j["name"] = r.name;
  j["version"] = r.version;
  j["contentType"] = r.content_type;
  j["lifetime"] = r.lifetime;
  if (const int64_t* n = std::get_if<int64_t>(&r.garbage_collection)) {
    j["garbageCollection"] = *n;
  } else {
    j["garbageCollection"] = std::get<std::string>(r.garbage_collection);
  }
  j["streaming"] = r.streaming;
  Json tags = Json::object();
  for (const auto& [k, v] : r.tags) tags[k] = v;
  j["tags"] = tags;
  Json owner = Json::object();
  owner["ownerType"] = r.owner.owner_type;
  owner["ownerRef"] = r.owner.owner_ref;
  for (const auto& [k, v] : r.owner.extra) owner[k] = v;
  j["ownerDefinition"] = owner;
  j["createdAt"] = r.created_at;
  if (r.size) j["size"] = *r.size;
  if (r.checksum) j["checksum"] = *r.checksum;
  if (r.deleted) j["lifecycle"] = "deleted";
  if (r.renamed_to) j["renamedTo"] = *r.renamed_to;
  return ToYaml(j, YamlWriteOptions{YamlQuoteStyle::kSingle, true});
}

Status ValidateRecordForWrite(const DataRecord& record, std::string* normalized_lifetime) {
  if (!record.id.empty() && !IsValidUuid(record.id)) {
    return Invalid("Invalid data id \"" + record.id + "\": must be a UUID");
  }
  if (record.content_type.empty()) return Invalid("contentType must not be empty");
  if (record.TagOr("type").empty()) return Invalid("tags must include 'type' key");
  FEN_ASSIGN_OR_RETURN(*normalized_lifetime, NormalizeLifetime(record.lifetime));
  FEN_RETURN_IF_ERROR(ValidateGcPolicy(record.garbage_collection));
  FEN_RETURN_IF_ERROR(ValidateOwner(record.owner, /*corrupt=*/false));
  if (record.renamed_to && record.renamed_to->empty()) {
    return Invalid("renamedTo must not be empty");
  }
  return Status::Ok();
}

Result<std::optional<DataRecord>> ReadMetadataRecord(Env* env, const std::string& path) {
  return MetadataRecordFromRead(path, env->ReadFile(path));
}

Result<std::optional<DataRecord>> MetadataRecordFromRead(const std::string& path,
                                                         const Result<std::string>& text) {
  if (!text.ok()) {
    if (text.status().IsNotFound() || text.status().sys_errno() == ENOTDIR) {
      return std::optional<DataRecord>();
    }
    return Status(ErrorCode::kCorruptData, "Corrupt data " + path + ": " + text.status().message());
  }
  auto rec = ParseMetadataYaml(*text);
  if (!rec.ok()) {
    return Status(ErrorCode::kCorruptData, "Corrupt data " + path + ": " + rec.status().message());
  }
  return std::optional<DataRecord>(std::move(rec).value());
}

}  // namespace fen::storage
