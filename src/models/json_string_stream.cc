#include "fen/models/json_string_stream.h"

#include "fen/base/char_scan.h"

namespace fen::models {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";

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
    int len = scan::Utf8SequenceLength(s, i);
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
