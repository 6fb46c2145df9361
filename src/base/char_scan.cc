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

int Utf8SequenceLength(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (int k = 1; k < len; ++k) {
    if (i + static_cast<size_t>(k) >= s.size()) return -1;
    unsigned char cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (cc < l || cc > h) return 0;
  }
  return len;
}

size_t FirstNonPrintableYaml(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return i;
      ++i;
      continue;
    }
    const int n = Utf8SequenceLength(s, i);
    if (n <= 0) return i;
    const unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    if (n == 2 && c == 0xC2 && c1 >= 0x80 && c1 <= 0x9F && c1 != 0x85) return i;  // C1
    if (n == 3 && c == 0xEF && c1 == 0xBF &&
        (static_cast<unsigned char>(s[i + 2]) == 0xBE ||
         static_cast<unsigned char>(s[i + 2]) == 0xBF)) {
      return i;  // U+FFFE, U+FFFF
    }
    i += static_cast<size_t>(n);
  }
  return std::string_view::npos;
}

}  // namespace fen::scan
