#include "fen/base/clock.h"

#include <cstdio>
#include <ctime>

namespace fen {

std::string FormatIsoMillis(WallTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  time_t tt = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

WallTime NowWall() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::string NowIsoMillis() { return FormatIsoMillis(NowWall()); }

std::optional<WallTime> ParseIsoMillis(std::string_view str) {
  // Strict: exactly YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00), digit counts fixed.
  auto digits = [&](size_t pos, size_t n, int* out) {
    if (pos + n > str.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (str[i] < '0' || str[i] > '9') return false;
      v = v * 10 + (str[i] - '0');
    }
    *out = v;
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(0, 4, &y) || str.size() < 19 || str[4] != '-' || !digits(5, 2, &mo) ||
      str[7] != '-' || !digits(8, 2, &d) || (str[10] != 'T' && str[10] != 't') ||
      !digits(11, 2, &h) || str[13] != ':' || !digits(14, 2, &mi) || str[16] != ':' ||
      !digits(17, 2, &s)) {
    return std::nullopt;
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || s > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < str.size() && str[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < str.size() && str[pos] >= '0' && str[pos] <= '9') {
      if (n < 3) millis = millis * 10 + (str[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0 || n > 9) return std::nullopt;
    for (int i = n; i < 3; ++i) millis *= 10;
  }
  std::string_view zone = str.substr(pos);
  if (zone != "Z" && zone != "+00:00" && zone != "z") return std::nullopt;
  // Days from the civil date (proleptic Gregorian; H. Hinnant's algorithm), no libc tz state.
  int yy = mo <= 2 ? y - 1 : y;
  int era = (yy >= 0 ? yy : yy - 399) / 400;
  int yoe = yy - era * 400;
  int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return std::nullopt;
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + s;
  return WallTime(std::chrono::milliseconds(secs * 1000 + millis));
}

int64_t MonotonicMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t WallNowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace fen
