// One number from one column of a run's time series: what a calibration target observes of
// a series (its mean, a quantile, its level in a window of dates, its growth between two).
#pragma once

#include <span>
#include <string_view>

namespace gpumarket {

/// Rows whose interval ends in (from_h, to_h], hours since the run's start.
struct TimeWindow {
  double from_h = 0;
  double to_h = 0;
};

struct SeriesStatistic {
  enum class Kind { Mean, Quantile, Level, Growth };
  Kind kind = Kind::Mean;
  double probability = 0.5;  // Quantile
  /// Mean and Quantile: the rows used (every row when `whole`). Level: the window averaged.
  /// Growth: the later window.
  TimeWindow window;
  bool whole = true;
  TimeWindow base_window;  // Growth: the earlier window
};

/// The names calibration files use, in Kind's order.
inline constexpr std::string_view kSeriesStatisticNames[] = {"mean", "quantile", "level", "growth"};

/// The statistic of `values` (one per row, NaN rows left out) whose rows end at `time_h`:
/// Mean and Level the mean of the rows in the window; Quantile the type-7 quantile of them;
/// Growth level(window) / level(base_window) - 1. NaN when a window holds no row with a value
/// (or, for Growth, the base level is 0).
double series_statistic(std::span<const double> time_h, std::span<const double> values,
                        const SeriesStatistic& statistic);

}  // namespace gpumarket
