// Hand-written scanners for the fixed character patterns fen checks (numbers, names, ids).
//
// Why not std::regex: compiling one pattern costs 1-3 million instructions at first use
// (locale facets, bracket-matcher caches), more than the rest of a typical fen command
// (docs/performance.md, "Model runs"). Pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace fen::scan {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsLowerAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z'); }
inline bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
inline bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The position after the run of characters satisfying `pred` that starts at `pos`.
template <typename Pred>
size_t Span(std::string_view s, size_t pos, Pred pred) {
  while (pos < s.size() && pred(s[pos])) ++pos;
  return pos;
}

// True when `s` is non-empty and every character satisfies `pred`.
template <typename Pred>
bool NonEmptyAll(std::string_view s, Pred pred) {
  return !s.empty() && Span(s, 0, pred) == s.size();
}

// [-+]?[0-9]+
bool IsDecimalInteger(std::string_view s);
// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?   (YAML 1.2 core float, no inf/nan)
bool IsDecimalFloat(std::string_view s);

// js-yaml's timestamp resolution (what makes a plain YAML scalar a Date in swamp):
//   [0-9]{4}-[0-9]{2}-[0-9]{2}
// | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?
//   ([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?
bool IsYamlTimestamp(std::string_view s);

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF): 1-4, 0 when invalid, -1 when cut off by the end of `s`.
int Utf8SequenceLength(std::string_view s, size_t i);

// The offset of the first byte of `s` that js-yaml refuses in a YAML stream ("the stream
// contains non-printable characters"): invalid UTF-8, or a code point in
// [U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+007F-U+0084, U+0086-U+009F, U+FFFE, U+FFFF].
// npos when there is none. yaml-cpp passes such bytes through (and mangles some: a NUL can come
// back as a lone 0x85 byte), so fen's writer could not read back what it wrote.
size_t FirstNonPrintableYaml(std::string_view s);

}  // namespace fen::scan
