#include "gpumarket/core/calendar.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace gpumarket {
namespace {

constexpr double kSecondsPerHour = 3600;

// Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

bool parse_fixed_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Date Date::from_ymd(int year, unsigned month, unsigned day) {
  return Date(days_from_civil(year, month, day));
}

std::string Date::to_string() const {
  // civil_from_days, the inverse of days_from_civil.
  const int64_t z = days_ + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buffer;
}

std::optional<Duration> parse_duration(std::string_view text) {
  size_t split = 0;
  while (split < text.size() &&
         ((text[split] >= '0' && text[split] <= '9') || text[split] == '.')) {
    ++split;
  }
  if (split == 0 || split == text.size()) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + split, value);
  if (ec != std::errc() || ptr != text.data() + split || !std::isfinite(value)) return std::nullopt;
  const std::string_view unit = text.substr(split);
  double seconds_per_unit = 0;
  if (unit == "us")
    seconds_per_unit = 1e-6;
  else if (unit == "ms")
    seconds_per_unit = 1e-3;
  else if (unit == "s")
    seconds_per_unit = 1;
  else if (unit == "min")
    seconds_per_unit = 60;
  else if (unit == "h")
    seconds_per_unit = kSecondsPerHour;
  else if (unit == "d")
    seconds_per_unit = kHoursPerDay * kSecondsPerHour;
  else if (unit == "w")
    seconds_per_unit = kDaysPerWeek * kHoursPerDay * kSecondsPerHour;
  else if (unit == "y")
    seconds_per_unit = kHoursPerYear * kSecondsPerHour;
  else
    return std::nullopt;
  const double seconds = value * seconds_per_unit;
  // Reject values whose microsecond count would overflow int64.
  if (seconds > 9.0e12) return std::nullopt;
  return Duration::seconds(seconds);
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!parse_fixed_int(text.substr(0, 4), y) || !parse_fixed_int(text.substr(5, 2), m) ||
      !parse_fixed_int(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, m)) {
    return std::nullopt;
  }
  return Date::from_ymd(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::optional<SimTime> parse_datetime(std::string_view text, Date epoch) {
  const auto date = parse_date(text.substr(0, 10));
  if (!date) return std::nullopt;
  int64_t micros = (date->days_since_epoch() - epoch.days_since_epoch()) * Duration::kMicrosPerDay;
  if (text.size() > 10) {
    if (text[10] != 'T' && text[10] != ' ') return std::nullopt;
    const std::string_view clock = text.substr(11);
    int h = 0, mi = 0, s = 0;
    const bool with_seconds = clock.size() == 8;
    if ((clock.size() != 5 && !with_seconds) || clock[2] != ':' ||
        (with_seconds && clock[5] != ':') || !parse_fixed_int(clock.substr(0, 2), h) ||
        !parse_fixed_int(clock.substr(3, 2), mi) ||
        (with_seconds && !parse_fixed_int(clock.substr(6, 2), s)) || h > 23 || mi > 59 || s > 59) {
      return std::nullopt;
    }
    micros += ((h * 60 + mi) * 60 + s) * Duration::kMicrosPerSecond;
  }
  return SimTime::micros(micros);
}

std::string format_datetime(SimTime at, Date epoch) {
  const int64_t us = at.count_micros();
  std::string text =
      Date::from_days(epoch.days_since_epoch() + us / Duration::kMicrosPerDay).to_string();
  const int64_t seconds = us % Duration::kMicrosPerDay / Duration::kMicrosPerSecond;
  if (seconds != 0) {
    char clock[16];
    std::snprintf(clock, sizeof clock, "T%02d:%02d:%02d", static_cast<int>(seconds / 3600),
                  static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
    text += clock;
  }
  return text;
}

}  // namespace gpumarket
