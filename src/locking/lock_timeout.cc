// SWAMP_LOCK_TIMEOUT_MS parsing with swamp's parseInt semantics. See
// include/fen/locking/lock_timeout.h and shared/spec/locking.md §2.3.
#include "fen/locking/lock_timeout.h"

#include <limits>

namespace fen::locking {
namespace {

// The StrWhiteSpaceChar set of ECMAScript restricted to ASCII (plus NBSP's UTF-8 form is not
// decoded: swamp's users set this variable from shells, where only ASCII whitespace occurs).
bool IsJsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

std::optional<int64_t> ParseSwampLockTimeout(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && IsJsSpace(text[i])) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  size_t digits_start = i;
  int64_t value = 0;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 10 - 10;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (value < kMax) value = value * 10 + (text[i] - '0');  // saturate: still "finite"
    ++i;
  }
  if (i == digits_start) return std::nullopt;  // NaN
  if (negative || value <= 0) return std::nullopt;
  return value;
}

int64_t ResolveLockTimeoutMs(int64_t override_ms, const char* env_value) {
  if (override_ms > 0) return override_ms;
  if (env_value != nullptr) {
    if (auto v = ParseSwampLockTimeout(env_value)) return *v;
  }
  return kDefaultLockTimeoutMs;
}

}  // namespace fen::locking
