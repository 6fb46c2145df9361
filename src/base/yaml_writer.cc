#include "fen/base/yaml_writer.h"

#include <cstdio>
#include <string_view>

namespace fen {
namespace {

// Unicode characters YAML treats as line breaks or BOM (NEL, LS, PS, ZWNBSP): never plain.
size_t SpecialUnicodeAt(const std::string& s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  if (i + 1 < s.size() && at(i) == 0xC2 && at(i + 1) == 0x85) return 2;
  if (i + 2 < s.size() && at(i) == 0xE2 && at(i + 1) == 0x80 &&
      (at(i + 2) == 0xA8 || at(i + 2) == 0xA9)) {
    return 3;
  }
  if (i + 2 < s.size() && at(i) == 0xEF && at(i + 1) == 0xBB && at(i + 2) == 0xBF) return 3;
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllOf(std::string_view s, std::string_view allowed) {
  for (char c : s) {
    if (allowed.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// Integers and floats as js-yaml's default schema (YAML 1.1 flavoured) resolves them: decimal
// with `_` separators, 0x/0o/0b prefixes, legacy octal, sexagesimal (1:30), and floats with at
// most one dot and an optional exponent. Conservative: quoting a few extra strings is harmless.
bool LooksNumeric(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty()) return false;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    return AllOf(s.substr(2), "0123456789abcdefABCDEF_");
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'b')) {
    return AllOf(s.substr(2), "01234567_");
  }
  if (s.find(':') != std::string_view::npos) {  // sexagesimal
    return IsDigit(s[0]) && AllOf(s, "0123456789_:.");
  }
  size_t i = 0, digits = 0, dots = 0;
  for (; i < s.size() && (IsDigit(s[i]) || s[i] == '_' || s[i] == '.'); ++i) {
    if (s[i] == '.') ++dots;
    if (IsDigit(s[i])) ++digits;
  }
  if (digits == 0 || dots > 1) return false;
  if (i == s.size()) return true;
  if (s[i] != 'e' && s[i] != 'E') return false;
  ++i;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  return i < s.size() && AllOf(s.substr(i), "0123456789");
}

// YYYY-M(M)-D(D) optionally followed by a time part: YAML 1.1 timestamps.
bool LooksLikeTimestamp(std::string_view s) {
  if (s.size() < 8 || !IsDigit(s[0]) || !IsDigit(s[1]) || !IsDigit(s[2]) || !IsDigit(s[3]) ||
      s[4] != '-') {
    return false;
  }
  size_t i = 5, n = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++n;
  if (n < 1 || n > 2 || i >= s.size() || s[i] != '-') return false;
  ++i;
  n = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++n;
  if (n < 1 || n > 2) return false;
  return AllOf(s.substr(i), "0123456789:.TtZz+- \t");
}

bool ResolvesToNonString(const std::string& s) {
  // Booleans and nulls of YAML 1.1 and 1.2 (js-yaml quotes all of these).
  static const char* kWords[] = {
      "true", "True", "TRUE",  "false", "False", "FALSE", "yes",  "Yes",  "YES",
      "no",   "No",   "NO",    "on",    "On",    "ON",    "off",  "Off",  "OFF",
      "null", "Null", "NULL",  "~",     "y",     "Y",     "n",    "N",    ".inf",
      ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", ".nan", ".NaN", ".NAN"};
  for (const char* w : kWords) {
    if (s == w) return true;
  }
  return LooksNumeric(s) || LooksLikeTimestamp(s);
}

}  // namespace

bool YamlPlainSafe(const std::string& s) {
  if (s.empty()) return false;
  if (ResolvesToNonString(s)) return false;
  unsigned char first = static_cast<unsigned char>(s[0]);
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(static_cast<char>(first)) !=
      std::string_view::npos) {
    // "-foo" and "?foo"/":foo" are plain-safe in YAML 1.2 when followed by a non-space, but
    // js-yaml quotes them; so do we.
    return false;
  }
  if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || SpecialUnicodeAt(s, i) != 0) return false;
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return false;
    if (c == '#' && i > 0 && s[i - 1] == ' ') return false;
  }
  if (s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0) return false;
  return true;
}

namespace {

bool NeedsDoubleQuotes(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || SpecialUnicodeAt(s, i) != 0) return true;
  }
  return false;
}

std::string DoubleQuoted(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    if (size_t n = SpecialUnicodeAt(s, i); n != 0) {
      static const char* kEscapes[] = {"\\N", "\\L", "\\P", "\\uFEFF"};
      unsigned char last = static_cast<unsigned char>(s[i + n - 1]);
      out += n == 2         ? kEscapes[0]
             : last == 0xA8 ? kEscapes[1]
             : last == 0xA9 ? kEscapes[2]
                            : kEscapes[3];
      i += n - 1;
      continue;
    }
    char ch = s[i];
    unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02X", c);
          out += buf;
        } else {
          out.push_back(ch);
        }
    }
  }
  return out + "\"";
}

std::string Scalar(const Json& v, const YamlWriteOptions& o) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  std::string s = v.get<std::string>();
  if (YamlPlainSafe(s)) return s;
  if (o.quote == YamlQuoteStyle::kDouble || NeedsDoubleQuotes(s)) return DoubleQuoted(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "''";
    else
      out.push_back(c);
  }
  return out + "'";
}

std::string Key(const std::string& k, const YamlWriteOptions& o) { return Scalar(Json(k), o); }

bool IsEmptyCollection(const Json& v) { return (v.is_object() || v.is_array()) && v.empty(); }

void Emit(const Json& v, int indent, const YamlWriteOptions& o, std::string& out);

void EmitMapping(const Json& obj, int indent, const YamlWriteOptions& o, std::string& out) {
  std::string pad(static_cast<size_t>(indent), ' ');
  for (const auto& [k, child] : obj.items()) {
    out += pad + Key(k, o) + ":";
    if (IsEmptyCollection(child)) {
      out += child.is_object() ? " {}\n" : " []\n";
    } else if (child.is_object()) {
      out += "\n";
      EmitMapping(child, indent + 2, o, out);
    } else if (child.is_array()) {
      out += "\n";
      Emit(child, o.indent_sequences ? indent + 2 : indent, o, out);
    } else {
      out += " " + Scalar(child, o) + "\n";
    }
  }
}

void Emit(const Json& v, int indent, const YamlWriteOptions& o, std::string& out) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    EmitMapping(v, indent, o, out);
    return;
  }
  if (v.is_array()) {
    for (const auto& item : v) {
      if (IsEmptyCollection(item)) {
        out += pad + (item.is_object() ? "- {}\n" : "- []\n");
      } else if (item.is_object()) {
        // First key on the dash line, the rest aligned under it.
        std::string nested;
        EmitMapping(item, indent + 2, o, nested);
        out += pad + "- " + nested.substr(static_cast<size_t>(indent) + 2);
      } else if (item.is_array()) {
        out += pad + "-\n";
        Emit(item, indent + 2, o, out);
      } else {
        out += pad + "- " + Scalar(item, o) + "\n";
      }
    }
    return;
  }
  out += pad + Scalar(v, o) + "\n";
}

}  // namespace

std::string ToYaml(const Json& value, const YamlWriteOptions& options) {
  std::string out;
  if (IsEmptyCollection(value)) return value.is_object() ? "{}\n" : "[]\n";
  Emit(value, 0, options, out);
  return out;
}

}  // namespace fen
