// One number from one column of a run's time series: what a calibration target observes of
// a series (its mean, a quantile, its level in a window of dates, its growth between two, its
// realised volatility).
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
  enum class Kind { Mean, Quantile, Level, Growth, Volatility };
  Kind kind = Kind::Mean;
  double probability = 0.5;  // Quantile
  /// Mean and Quantile: the rows used (every row when `whole`). Level: the window averaged.
  /// Growth: the later window.
  TimeWindow window;
  bool whole = true;
  TimeWindow base_window;  // Growth: the earlier window
  double interval_h = 24;  // Volatility: the sampling interval of the returns
};

/// The names calibration files use, in Kind's order.
inline constexpr std::string_view kSeriesStatisticNames[] = {"mean", "quantile", "level", "growth",
                                                             "volatility"};

/// The statistic of `values` (one per row, NaN rows left out) whose rows end at `time_h`:
/// Mean and Level the mean of the rows in the window; Quantile the type-7 quantile of them;
/// Growth level(window) / level(base_window) - 1; Volatility the annualised realised
/// volatility std(ln v_k / v_{k-1}) * sqrt(8760 h / interval_h) over samples v_k, the last row of
/// each interval counted from the first row's end (calibration §5's method: zero-drift
/// convention aside, the sample standard deviation of log returns times the square root of
/// the periods in a 365-day year). NaN when a window holds no row with a value (Volatility:
/// fewer than three samples or a sample not above 0; Growth: the base level is 0).
double series_statistic(std::span<const double> time_h, std::span<const double> values,
                        const SeriesStatistic& statistic);

}  // namespace gpumarket
