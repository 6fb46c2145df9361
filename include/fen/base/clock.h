// Time helpers: ISO-8601 timestamps in JavaScript's toISOString() format
// ("YYYY-MM-DDTHH:MM:SS.mmmZ", UTC), which swamp writes everywhere (createdAt, startedAt...).
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fen {

// Millisecond resolution: the nanosecond system_clock::time_point only spans years 1678-2262.
using WallTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;
WallTime NowWall();

std::string FormatIsoMillis(WallTime t);
std::string NowIsoMillis();
// Parses the toISOString() form (and tolerates a missing fraction or a "+00:00" zone).
std::optional<WallTime> ParseIsoMillis(std::string_view text);
// Milliseconds on the monotonic clock, for deadlines and durations.
int64_t MonotonicMillis();
// Nanoseconds since the epoch on the wall clock (CLOCK_REALTIME), the clock file mtimes and
// ctimes come from: for comparing file stamps with "now" (racy-timestamp rules).
int64_t WallNowNanos();

}  // namespace fen
