#include "fen/base/clock.h"

#include <cstdio>
#include <ctime>

namespace fen {

namespace {

struct CivilDate {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
// civil_from_days, exact for every int64 day count that cannot overflow below). Arithmetic
// instead of gmtime_r: glibc's gmtime_r loads the time zone (/etc/localtime, eight system
// calls) the first time it is called, and a UTC formatter has no use for it.
CivilDate CivilFromDays(int64_t days) {
  days += 719468;  // shift the epoch to 0000-03-01
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) /
      365;  // [0, 399]
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;  // March-based month [0, 11]
  const int day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// Floor division for a possibly negative dividend.
int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace

std::string FormatIsoMillis(WallTime t) {
  const int64_t ms = t.time_since_epoch().count();
  const int64_t secs = FloorDiv(ms, 1000);
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t frac = ms - secs * 1000;
  const int64_t sec_of_day = secs - days * 86400;
  const CivilDate date = CivilFromDays(days);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<int>(sec_of_day / 3600), static_cast<int>(sec_of_day / 60 % 60),
                static_cast<int>(sec_of_day % 60), static_cast<int>(frac));
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
