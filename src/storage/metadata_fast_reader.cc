// The fast metadata.yaml reader. Contract in include/fen/storage/metadata_fast_reader.h; why it
// exists and how its equivalence with the yaml-cpp reader is checked: docs/design/catalog.md §6.
//
// Every rule here is "accept only what is certainly read the same way by yaml-cpp and then
// accepted by ParseMetadataYamlWithYamlCpp"; anything else returns nullopt.
#include "fen/storage/metadata_fast_reader.h"

#include <array>
#include <string>

#include "fen/base/uuid.h"
#include "fen/storage/data_format.h"

namespace fen::storage {
namespace {

struct Scalar {
  std::string text;
  bool plain = false;
  bool present = false;
};

bool IsNullPlain(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// A plain scalar's text (the rest of a line, after the separating spaces). Declines anything
// where YAML's plain-scalar rules could differ from "the text, right-trimmed".
bool ParsePlain(std::string_view s, std::string* out) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return false;
  // Indicators that start something other than a plain scalar (or may, depending on the next
  // character): decline them all.
  static constexpr std::string_view kStart = "-?:,[]{}#&*!|>'\"%@`";
  if (kStart.find(s.front()) != std::string_view::npos) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '[' || c == ']' || c == '{' || c == '}' || c == ',') return false;
    if (c == '#' && s[i - 1] == ' ') return false;                         // a comment
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return false;  // a mapping value
  }
  if (IsNullPlain(s)) return false;
  out->assign(s);
  return true;
}

// A quoted scalar starting at s[0] (' or "). On success *rest is what follows the closing
// quote on the line.
bool ParseQuoted(std::string_view s, std::string* out, std::string_view* rest) {
  const char q = s.front();
  out->clear();
  for (size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (q == '"' && c == '\\') return false;  // escapes: leave to yaml-cpp
    if (c == q) {
      if (q == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
        out->push_back('\'');
        ++i;
        continue;
      }
      *rest = s.substr(i + 1);
      return true;
    }
    out->push_back(c);
  }
  return false;  // multi-line quoted scalar
}

// A value: the rest of a `key: ` line (non-empty).
bool ParseValue(std::string_view s, Scalar* out) {
  out->present = true;
  if (s.front() == '\'' || s.front() == '"') {
    std::string_view rest;
    if (!ParseQuoted(s, &out->text, &rest)) return false;
    for (char c : rest) {
      if (c != ' ') return false;
    }
    out->plain = false;
    return true;
  }
  out->plain = true;
  return ParsePlain(s, &out->text);
}

// A key at the start of `line` up to ": " or ":" at end of line. *rest is the value text with
// the separating spaces removed (empty: the value is on the following lines, or null).
bool ParseKey(std::string_view line, std::string* key, std::string_view* rest) {
  size_t colon;
  if (line.front() == '\'' || line.front() == '"') {
    std::string_view after;
    if (!ParseQuoted(line, key, &after)) return false;
    if (after.empty() || after.front() != ':') return false;
    colon = line.size() - after.size();
  } else {
    colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view k = line.substr(0, colon);
    if (k.back() == ' ') return false;
    // The key is a plain scalar; reuse the plain rules (a ':' inside cannot occur before the
    // first ':').
    if (!ParsePlain(k, key) || key->size() != k.size() || *key == "<<") return false;
  }
  std::string_view after = line.substr(colon + 1);
  if (!after.empty() && after.front() != ' ') return false;
  while (!after.empty() && after.front() == ' ') after.remove_prefix(1);
  if (after.empty() && colon + 1 != line.size()) return false;  // "key:   " (trailing spaces)
  *rest = after;
  return true;
}

// ---- the scalar rules of ParseMetadataYamlWithYamlCpp (data_format.cc), success side only ----
std::optional<int64_t> PlainInt(const Scalar& s) {
  if (!s.present || !s.plain) return std::nullopt;
  const std::string& t = s.text;
  if (t.empty() || t.size() > 18) return std::nullopt;
  size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (i == t.size()) return std::nullopt;
  int64_t v = 0;
  for (size_t j = i; j < t.size(); ++j) {
    if (t[j] < '0' || t[j] > '9') return std::nullopt;
    v = v * 10 + (t[j] - '0');
  }
  return t[0] == '-' ? -v : v;
}

std::optional<bool> PlainBool(const Scalar& s) {
  if (!s.present || !s.plain) return std::nullopt;
  const std::string& t = s.text;
  if (t == "true" || t == "True" || t == "TRUE") return true;
  if (t == "false" || t == "False" || t == "FALSE") return false;
  return std::nullopt;
}

// StringScalar: quoted, or plain and neither an int, a bool nor null.
const std::string* StringScalar(const Scalar& s) {
  if (!s.present) return nullptr;
  if (s.plain && (PlainInt(s) || PlainBool(s))) return nullptr;
  return &s.text;
}

enum Field : int {
  kId,
  kName,
  kVersion,
  kContentType,
  kLifetime,
  kGc,
  kStreaming,
  kTags,
  kOwner,
  kCreatedAt,
  kSize,
  kChecksum,
  kLifecycle,
  kRenamedTo,
  kFieldCount
};

int FieldOf(std::string_view key) {
  static constexpr std::array<std::string_view, kFieldCount> kNames = {
      "id",        "name",     "version",         "contentType", "lifetime", "garbageCollection",
      "streaming", "tags",     "ownerDefinition", "createdAt",   "size",     "checksum",
      "lifecycle", "renamedTo"};
  for (int i = 0; i < kFieldCount; ++i) {
    if (kNames[static_cast<size_t>(i)] == key) return i;
  }
  return -1;
}

// ownerDefinition keys in the order ParseMetadataYamlWithYamlCpp stores the extras.
constexpr std::array<std::string_view, 9> kOwnerKeys = {
    "ownerType",    "ownerRef", "definitionHash", "workflowId", "workflowRunId",
    "workflowName", "jobName",  "stepName",       "source"};

}  // namespace

std::optional<DataRecord> TryParseMetadataYamlFast(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u >= 0x7f) return std::nullopt;
  }
  std::array<Scalar, kFieldCount> fields;
  std::array<Scalar, kOwnerKeys.size()> owner;
  bool have_tags = false, have_owner = false;
  OrderedStringMap tags;
  int block = -1;     // the field whose nested block is open (kTags / kOwner), or -1
  size_t indent = 0;  // that block's indentation (0: no line seen yet)
  size_t pos = 0;
  std::string key;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) continue;
    if (line.front() == ' ') {
      // A line of the open block mapping, at the block's indentation.
      if (block < 0) return std::nullopt;
      size_t n = line.find_first_not_of(' ');
      if (n == std::string_view::npos) return std::nullopt;
      if (indent == 0) indent = n;
      if (n != indent) return std::nullopt;
      std::string_view rest;
      if (!ParseKey(line.substr(n), &key, &rest) || rest.empty()) return std::nullopt;
      Scalar value;
      if (!ParseValue(rest, &value)) return std::nullopt;
      if (block == kTags) {
        for (const auto& [k, v] : tags) {
          if (k == key) return std::nullopt;
        }
        tags.emplace_back(key, std::move(value.text));
      } else {
        size_t i = 0;
        while (i < kOwnerKeys.size() && kOwnerKeys[i] != key) ++i;
        if (i == kOwnerKeys.size() || owner[i].present) return std::nullopt;
        owner[i] = std::move(value);
      }
      continue;
    }
    if (block >= 0 && indent == 0) return std::nullopt;  // an empty block: null
    block = -1;
    std::string_view rest;
    if (line.front() == '\'' || line.front() == '"') return std::nullopt;  // quoted top-level key
    if (!ParseKey(line, &key, &rest)) return std::nullopt;
    const int f = FieldOf(key);
    if (f < 0) return std::nullopt;
    if (f == kTags || f == kOwner) {
      bool& seen = f == kTags ? have_tags : have_owner;
      if (seen || !rest.empty()) return std::nullopt;
      seen = true;
      block = f;
      indent = 0;
      continue;
    }
    Scalar& field = fields[static_cast<size_t>(f)];
    if (field.present || rest.empty()) return std::nullopt;
    if (!ParseValue(rest, &field)) return std::nullopt;
  }
  if (block >= 0 && indent == 0) return std::nullopt;

  // The checks of ParseMetadataYamlWithYamlCpp, in its order; any failure declines.
  DataRecord r;
  auto str = [&](Field f) { return StringScalar(fields[f]); };
  const std::string* s = str(kId);
  if (s == nullptr || !IsValidUuid(*s)) return std::nullopt;
  r.id = *s;
  if ((s = str(kName)) == nullptr || !ValidateDataName(*s).ok()) return std::nullopt;
  r.name = *s;
  auto version = PlainInt(fields[kVersion]);
  if (!version || *version <= 0) return std::nullopt;
  r.version = *version;
  if ((s = str(kContentType)) == nullptr || s->empty()) return std::nullopt;
  r.content_type = *s;
  if ((s = str(kLifetime)) == nullptr) return std::nullopt;
  auto lifetime = NormalizeLifetime(*s);
  if (!lifetime.ok()) return std::nullopt;
  r.lifetime = *lifetime;
  if (auto n = PlainInt(fields[kGc])) {
    r.garbage_collection = *n;
  } else if ((s = str(kGc)) != nullptr) {
    r.garbage_collection = *s;
  } else {
    return std::nullopt;
  }
  if (!ValidateGcPolicy(r.garbage_collection).ok()) return std::nullopt;
  if (fields[kStreaming].present) {
    auto b = PlainBool(fields[kStreaming]);
    if (!b) return std::nullopt;
    r.streaming = *b;
  }
  if (!have_tags) return std::nullopt;
  r.tags = std::move(tags);
  if (r.TagOr("type").empty()) return std::nullopt;
  if (!have_owner) return std::nullopt;
  r.owner.owner_type = owner[0].text;
  r.owner.owner_ref = owner[1].text;
  if (r.owner.owner_type != "model-method" && r.owner.owner_type != "workflow-step" &&
      r.owner.owner_type != "manual") {
    return std::nullopt;
  }
  if (r.owner.owner_ref.empty()) return std::nullopt;
  for (size_t i = 2; i < kOwnerKeys.size(); ++i) {
    if (owner[i].present) r.owner.extra.emplace_back(kOwnerKeys[i], owner[i].text);
  }
  // createdAt: a plain value may be a js-yaml timestamp (rejected by the reference); only
  // quoted values are taken here (swamp and fen both quote it).
  const Scalar& created = fields[kCreatedAt];
  if (!created.present || created.plain) return std::nullopt;
  r.created_at = created.text;
  if (fields[kSize].present) {
    auto n = PlainInt(fields[kSize]);
    if (!n || *n < 0) return std::nullopt;
    r.size = *n;
  }
  if (fields[kChecksum].present) {
    if ((s = str(kChecksum)) == nullptr) return std::nullopt;
    r.checksum = *s;
  }
  if (const Scalar& lc = fields[kLifecycle]; lc.present) {
    if (lc.text != "active" && lc.text != "deleted") return std::nullopt;
    r.deleted = lc.text == "deleted";
  }
  if (fields[kRenamedTo].present) {
    if ((s = str(kRenamedTo)) == nullptr || s->empty()) return std::nullopt;
    r.renamed_to = *s;
  }
  return r;
}

}  // namespace fen::storage
