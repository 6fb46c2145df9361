// See include/fen/base/char_scan.h.
#include "fen/base/char_scan.h"

namespace fen::scan {
namespace {

size_t SkipSign(std::string_view s) { return !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0; }

}  // namespace

bool IsDecimalInteger(std::string_view s) { return NonEmptyAll(s.substr(SkipSign(s)), IsDigit); }

bool IsDecimalFloat(std::string_view s) {
  size_t i = SkipSign(s);
  if (i < s.size() && s[i] == '.') {
    const size_t end = Span(s, i + 1, IsDigit);
    if (end == i + 1) return false;
    i = end;
  } else {
    const size_t end = Span(s, i, IsDigit);
    if (end == i) return false;
    i = end;
    if (i < s.size() && s[i] == '.') i = Span(s, i + 1, IsDigit);
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const size_t end = Span(s, i, IsDigit);
    if (end == i) return false;
    i = end;
  }
  return i == s.size();
}

namespace {

// Consumes between `min` and `max` digits at *pos; false if fewer than `min`.
bool Digits(std::string_view s, size_t* pos, size_t min, size_t max) {
  size_t n = 0;
  while (*pos + n < s.size() && n < max && IsDigit(s[*pos + n])) ++n;
  if (n < min) return false;
  *pos += n;
  return true;
}

bool Char(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool IsYamlTimestamp(std::string_view s) {
  // Date alone.
  if (s.size() == 10) {
    size_t p = 0;
    if (Digits(s, &p, 4, 4) && Char(s, &p, '-') && Digits(s, &p, 2, 2) && Char(s, &p, '-') &&
        Digits(s, &p, 2, 2) && p == s.size()) {
      return true;
    }
  }
  // Date and time. Digit runs are bounded, so a longer run than allowed fails at the next
  // expected separator, as the regular expression does.
  size_t p = 0;
  if (!Digits(s, &p, 4, 4) || !Char(s, &p, '-') || !Digits(s, &p, 1, 2) || !Char(s, &p, '-') ||
      !Digits(s, &p, 1, 2)) {
    return false;
  }
  if (p < s.size() && (s[p] == 'T' || s[p] == 't')) {
    ++p;
  } else {
    const size_t end = Span(s, p, IsBlank);
    if (end == p) return false;
    p = end;
  }
  if (!Digits(s, &p, 1, 2) || !Char(s, &p, ':') || !Digits(s, &p, 2, 2) || !Char(s, &p, ':') ||
      !Digits(s, &p, 2, 2)) {
    return false;
  }
  if (Char(s, &p, '.')) p = Span(s, p, IsDigit);
  if (p == s.size()) return true;
  // Time zone, optionally after blanks.
  p = Span(s, p, IsBlank);
  if (Char(s, &p, 'Z')) return p == s.size();
  if (p < s.size() && (s[p] == '-' || s[p] == '+')) {
    ++p;
    if (!Digits(s, &p, 1, 2)) return false;
    if (p == s.size()) return true;
    return Char(s, &p, ':') && Digits(s, &p, 2, 2) && p == s.size();
  }
  return false;
}

}  // namespace fen::scan
