#include "gpumarket/sweep/series_statistic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/quantile.hpp"

namespace gpumarket {
namespace {

// The values of the rows in `window` (all rows when `whole`), without NaN.
std::vector<double> rows_in(std::span<const double> time_h, std::span<const double> values,
                            const TimeWindow& window, bool whole) {
  std::vector<double> kept;
  kept.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const bool inside = whole || (time_h[i] > window.from_h && time_h[i] <= window.to_h);
    if (inside && !std::isnan(values[i])) kept.push_back(values[i]);
  }
  return kept;
}

double mean_of(const std::vector<double>& xs) {
  if (xs.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (double x : xs) sum += x;
  return sum / static_cast<double>(xs.size());
}

constexpr double kHoursPerYear = 8760;  // 365 days: crypto trades every day (calibration §5)

// The annualised standard deviation of the log returns between the last rows of successive
// intervals of `interval_h`, counted from the first kept row's end.
double realised_volatility(std::span<const double> time_h, std::span<const double> values,
                           const TimeWindow& window, bool whole, double interval_h) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> samples;
  double first_h = nan;
  double bucket = -1;
  for (size_t i = 0; i < values.size(); ++i) {
    const bool inside = whole || (time_h[i] > window.from_h && time_h[i] <= window.to_h);
    if (!inside || std::isnan(values[i])) continue;
    if (std::isnan(first_h)) first_h = time_h[i];
    const double this_bucket = std::floor((time_h[i] - first_h) / interval_h);
    if (this_bucket == bucket) {
      samples.back() = values[i];
    } else {
      samples.push_back(values[i]);
      bucket = this_bucket;
    }
  }
  if (samples.size() < 3) return nan;
  std::vector<double> returns;
  returns.reserve(samples.size() - 1);
  for (size_t k = 1; k < samples.size(); ++k) {
    if (!(samples[k - 1] > 0 && samples[k] > 0)) return nan;
    returns.push_back(std::log(samples[k] / samples[k - 1]));
  }
  const double mean = mean_of(returns);
  double squares = 0;
  for (double r : returns) squares += (r - mean) * (r - mean);
  const double variance = squares / static_cast<double>(returns.size() - 1);
  return std::sqrt(variance * kHoursPerYear / interval_h);
}

}  // namespace

double series_statistic(std::span<const double> time_h, std::span<const double> values,
                        const SeriesStatistic& statistic) {
  GPUMARKET_CHECK(time_h.size() == values.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  switch (statistic.kind) {
    case SeriesStatistic::Kind::Mean:
      return mean_of(rows_in(time_h, values, statistic.window, statistic.whole));
    case SeriesStatistic::Kind::Level:
      return mean_of(rows_in(time_h, values, statistic.window, false));
    case SeriesStatistic::Kind::Quantile: {
      std::vector<double> xs = rows_in(time_h, values, statistic.window, statistic.whole);
      if (xs.empty()) return nan;
      std::sort(xs.begin(), xs.end());
      return type7_quantile(xs, statistic.probability);
    }
    case SeriesStatistic::Kind::Growth: {
      const double later = mean_of(rows_in(time_h, values, statistic.window, false));
      const double base = mean_of(rows_in(time_h, values, statistic.base_window, false));
      return base == 0 ? nan : later / base - 1;
    }
    case SeriesStatistic::Kind::Volatility:
      return realised_volatility(time_h, values, statistic.window, statistic.whole,
                                 statistic.interval_h);
  }
  return nan;
}

}  // namespace gpumarket
