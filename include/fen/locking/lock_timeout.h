// Lock wait timeout resolution (shared/spec/locking.md §2.3, §6.5).
//
// SWAMP_LOCK_TIMEOUT_MS is parsed like JavaScript parseInt(value, 10): leading whitespace is
// skipped, an optional sign is accepted, and the leading digits win ("1500ms" -> 1500,
// "1e5" -> 1, " 7" -> 7). Results that are not finite or not positive are ignored and the
// default (60 000 ms) applies. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace fen::locking {

inline constexpr int64_t kDefaultLockTimeoutMs = 60000;

// The parsed value, or nullopt when swamp would ignore it (NaN, 0, negative).
std::optional<int64_t> ParseSwampLockTimeout(std::string_view text);

// Precedence: `override_ms` if > 0, then the environment value (nullptr = unset), then the
// default.
int64_t ResolveLockTimeoutMs(int64_t override_ms, const char* env_value);

}  // namespace fen::locking
