// Human-written durations ("15min", "6h", "1.5d") and calendar dates ("2026-05-07"),
// parsed at the edges into Duration and day numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gpumarket/core/time.hpp"

namespace gpumarket {

/// A civil date (proleptic Gregorian), held as days since 1970-01-01.
class Date {
 public:
  constexpr Date() = default;
  static Date from_ymd(int year, unsigned month, unsigned day);
  static constexpr Date from_days(int64_t days) { return Date(days); }

  constexpr int64_t days_since_epoch() const { return days_; }
  /// "YYYY-MM-DD".
  std::string to_string() const;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  constexpr auto operator<=>(const Date&) const = default;

 private:
  constexpr explicit Date(int64_t days) : days_(days) {}
  int64_t days_ = 0;
};

/// Midnight of `date` as simulation time, in a run whose time 0 is midnight of `start`.
inline SimTime midnight_of(Date date, Date start) {
  return SimTime::start() + Duration::days(date.days_since_epoch() - start.days_since_epoch());
}

/// Parses "<number><unit>" with unit one of us, ms, s, min, h, d, w, y (365 d), e.g.
/// "15min", "1.5h", "30d". Returns nullopt for anything else, including a missing unit.
std::optional<Duration> parse_duration(std::string_view text);

/// Parses "YYYY-MM-DD" with a valid month and day. Returns nullopt otherwise.
std::optional<Date> parse_date(std::string_view text);

/// Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]" into microseconds since `epoch`'s midnight.
std::optional<SimTime> parse_datetime(std::string_view text, Date epoch);

/// The inverse, for messages and outputs: "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SS" when `at` is
/// not a midnight (`at` ≥ 0).
std::string format_datetime(SimTime at, Date epoch);

}  // namespace gpumarket
