// A run's progress on stderr: a redrawn bar on a terminal, or one status line at a fixed
// interval elsewhere (a Slurm log, a pipe), where a bar's carriage returns would pile up.
#pragma once

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/market/market_model.hpp"

namespace gpumarket {

class ProgressBar {
 public:
  enum class Mode { Off, Bar, Lines };

  /// `label` names the run in status lines; `start` is the scenario's first day, from which
  /// the simulated date is shown; `line_interval` is the wall time between status lines.
  ProgressBar(Mode mode, std::string label, Date start, std::chrono::duration<double> line_interval)
      : mode_(mode),
        label_(std::move(label)),
        start_(start),
        line_interval_(line_interval),
        started_(Clock::now()),
        last_draw_(started_) {}
  ~ProgressBar() {
    // A run that throws leaves the bar mid-line: its error message belongs on a line of its own.
    if (mode_ == Mode::Bar && drawn_) std::fputc('\n', stderr);
  }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// Redraws the bar at most ten times a second, or prints a line once per interval.
  void update(const MarketModel::ProgressState& state) {
    if (mode_ == Mode::Off) return;
    const auto now = Clock::now();
    const auto wait = mode_ == Mode::Bar ? std::chrono::milliseconds(100) : line_interval_;
    if (now - last_draw_ < wait) return;
    last_draw_ = now;
    if (mode_ == Mode::Bar) {
      drawn_ = true;
      // \x1b[K clears what a longer previous line left to the right.
      fmt::print(stderr, "\r{}\x1b[K", bar(state, now));
    } else {
      fmt::print(stderr, "gpumarket: {}: {}\n", label_, status(state, now));
    }
    std::fflush(stderr);
  }

  /// Ends the bar's line; status lines need no ending.
  void finish(const MarketModel::ProgressState& state) {
    if (mode_ != Mode::Bar) return;
    fmt::print(stderr, "\r{}\x1b[K\n", bar(state, Clock::now()));
    std::fflush(stderr);
    drawn_ = false;
  }

 private:
  using Clock = std::chrono::steady_clock;

  std::string bar(const MarketModel::ProgressState& state, Clock::time_point now) const {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(state.fraction * kWidth);
    return fmt::format("[{:#<{}}{:.<{}}] {}", "", filled, "", kWidth - filled, status(state, now));
  }

  std::string status(const MarketModel::ProgressState& state, Clock::time_point now) const {
    const double elapsed_s = std::chrono::duration<double>(now - started_).count();
    const std::string eta = state.fraction > 0
                                ? duration_text(elapsed_s * (1 - state.fraction) / state.fraction)
                                : std::string("?");
    return fmt::format(
        "{:5.1f}% at {}, {} elapsed, ETA {}, {} events/s", 100.0 * state.fraction,
        simulated_date(state.now), duration_text(elapsed_s), eta,
        rate_text(elapsed_s > 0 ? static_cast<double>(state.events) / elapsed_s : 0));
  }

  // "YYYY-MM-DD HH:MM" of simulated time `t`.
  std::string simulated_date(SimTime t) const {
    constexpr int64_t kMinutesPerDay = 1440;
    const int64_t minutes = t.count_micros() / (Duration::kMicrosPerHour / 60);
    return fmt::format(
        "{} {:02}:{:02}",
        Date::from_days(start_.days_since_epoch() + minutes / kMinutesPerDay).to_string(),
        minutes % kMinutesPerDay / 60, minutes % 60);
  }

  static std::string duration_text(double seconds) {
    if (seconds < 59.95) return fmt::format("{:.1f}s", seconds);
    const int64_t s = std::llround(seconds);
    if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  }

  static std::string rate_text(double per_second) {
    if (per_second >= 1e9) return fmt::format("{:.2f}G", per_second / 1e9);
    if (per_second >= 1e6) return fmt::format("{:.2f}M", per_second / 1e6);
    if (per_second >= 1e3) return fmt::format("{:.1f}k", per_second / 1e3);
    return fmt::format("{:.0f}", per_second);
  }

  Mode mode_;
  std::string label_;
  Date start_;
  std::chrono::duration<double> line_interval_;
  Clock::time_point started_;
  Clock::time_point last_draw_;
  bool drawn_ = false;  // the bar is on screen, its line not yet ended
};

}  // namespace gpumarket
