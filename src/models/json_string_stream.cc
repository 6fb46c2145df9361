#include "fen/models/json_string_stream.h"

namespace fen::models {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence at s[i] (0 = invalid, -1 = truncated at the end).
int SequenceLength(std::string_view s, size_t i) {
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

void EscapeAscii(unsigned char c, std::string* out) {
  switch (c) {
    case '"':
      *out += "\\\"";
      return;
    case '\\':
      *out += "\\\\";
      return;
    case '\b':
      *out += "\\b";
      return;
    case '\f':
      *out += "\\f";
      return;
    case '\n':
      *out += "\\n";
      return;
    case '\r':
      *out += "\\r";
      return;
    case '\t':
      *out += "\\t";
      return;
    default:
      if (c < 0x20) {
        static const char* kHex = "0123456789abcdef";
        *out += "\\u00";
        *out += kHex[c >> 4];
        *out += kHex[c & 15];
      } else {
        *out += static_cast<char>(c);
      }
  }
}

}  // namespace

std::string JsonStringStream::Feed(std::string_view bytes) {
  std::string data;
  std::string_view s = bytes;
  if (!carry_.empty()) {
    data = carry_ + std::string(bytes);
    carry_.clear();
    s = data;
  }
  std::string out;
  out.reserve(s.size() + 16);
  size_t i = 0;
  while (i < s.size()) {
    int len = SequenceLength(s, i);
    if (len == 1) {
      EscapeAscii(static_cast<unsigned char>(s[i]), &out);
      ++i;
    } else if (len > 1) {
      out.append(s.substr(i, static_cast<size_t>(len)));
      i += static_cast<size_t>(len);
    } else if (len < 0) {
      carry_.assign(s.substr(i));
      break;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

std::string JsonStringStream::Finish() {
  std::string out = carry_.empty() ? "" : kReplacement;
  carry_.clear();
  return out;
}

}  // namespace fen::models
