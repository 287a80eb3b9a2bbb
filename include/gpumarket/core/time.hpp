// Simulation time: integer microseconds since the scenario's start, as value types.
// Conversions to hours, seconds and calendar dates happen only at the edges.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace gpumarket {

/// Calendar years in rates (drifts, trends, volatilities) have 365 days.
inline constexpr double kHoursPerYear = 8760.0;
inline constexpr double kHoursPerDay = 24.0;
inline constexpr double kDaysPerWeek = 7.0;

/// A span of simulated time, stored as whole microseconds.
class Duration {
 public:
  static constexpr int64_t kMicrosPerSecond = 1'000'000;
  static constexpr int64_t kMicrosPerHour = 3'600 * kMicrosPerSecond;
  static constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

  constexpr Duration() = default;
  static constexpr Duration micros(int64_t us) { return Duration(us); }
  /// Rounds to the nearest microsecond (halves away from zero).
  static constexpr Duration seconds(double s) {
    return Duration(round_to_micros(s * kMicrosPerSecond));
  }
  static constexpr Duration hours(double h) {
    return Duration(round_to_micros(h * kMicrosPerHour));
  }
  static constexpr Duration days(int64_t d) { return Duration(d * kMicrosPerDay); }
  static constexpr Duration infinite() { return Duration(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t count_micros() const { return us_; }
  constexpr double in_seconds() const { return static_cast<double>(us_) / kMicrosPerSecond; }
  constexpr double in_hours() const { return static_cast<double>(us_) / kMicrosPerHour; }
  constexpr bool is_infinite() const { return us_ == std::numeric_limits<int64_t>::max(); }

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(us_ + o.us_); }
  constexpr Duration operator-(Duration o) const { return Duration(us_ - o.us_); }

 private:
  constexpr explicit Duration(int64_t us) : us_(us) {}
  // Inline instead of std::llround, a library call that showed up in engine profiles.
  static constexpr int64_t round_to_micros(double us) {
    return static_cast<int64_t>(us >= 0 ? us + 0.5 : us - 0.5);
  }
  int64_t us_ = 0;
};

/// A point in simulated time: microseconds since the scenario's start.
class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime micros(int64_t us) { return SimTime(us); }
  static constexpr SimTime start() { return SimTime(0); }
  static constexpr SimTime end_of_time() { return SimTime(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t count_micros() const { return us_; }
  constexpr double in_hours() const { return static_cast<double>(us_) / Duration::kMicrosPerHour; }

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  constexpr auto operator<=>(const SimTime&) const = default;
  constexpr SimTime operator+(Duration d) const { return SimTime(us_ + d.count_micros()); }
  constexpr Duration operator-(SimTime o) const { return Duration::micros(us_ - o.us_); }

 private:
  constexpr explicit SimTime(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

}  // namespace gpumarket
