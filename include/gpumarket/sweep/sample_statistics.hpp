// Statistics over replications: a running mean and variance, and the Student-t quantile of
// the confidence intervals that paired comparisons and ensembles report.
#pragma once

#include <cmath>
#include <cstdint>

namespace gpumarket {

/// t such that a Student-t variable with `dof` degrees of freedom lies in (−t, t) with
/// probability `confidence`; NaN when dof < 1.
double t_quantile(double confidence, double dof);

/// Mean and sample variance by Welford's update, numerically stable in one pass.
struct RunningStats {
  uint64_t n = 0;
  double mean = 0, m2 = 0;
  void add(double x) {
    ++n;
    const double d = x - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (x - mean);
  }
  double variance() const { return n > 1 ? m2 / static_cast<double>(n - 1) : std::nan(""); }
  /// Half the width of the Student-t interval of the mean at `confidence`,
  /// t_{(1+c)/2, n−1} · s/√n; NaN below 2 values.
  double half_width(double confidence) const {
    const double count = static_cast<double>(n);
    return t_quantile(confidence, count - 1) * std::sqrt(variance() / count);
  }
};

}  // namespace gpumarket
