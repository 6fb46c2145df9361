#include "fen/base/uuid.h"

#include <sys/random.h>

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace fen {

std::string NewUuidV4() {
  uint8_t b[16];
  size_t got = 0;
  while (got < sizeof b) {
    ssize_t n = getrandom(b + got, sizeof b - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

namespace {
bool Shape(std::string_view t, bool lower_only) {
  if (t.size() != 36) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                 (!lower_only && c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}
}  // namespace

bool LooksLikeUuid(std::string_view text) { return Shape(text, true); }

bool IsValidUuid(std::string_view t) {
  if (!Shape(t, false)) return false;
  if (t == "00000000-0000-0000-0000-000000000000") return true;
  std::string lower;
  for (char c : t) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "ffffffff-ffff-ffff-ffff-ffffffffffff") return true;
  char version = t[14];
  if (version < '1' || version > '8') return false;
  char variant = static_cast<char>(std::tolower(static_cast<unsigned char>(t[19])));
  return variant == '8' || variant == '9' || variant == 'a' || variant == 'b';
}

}  // namespace fen
