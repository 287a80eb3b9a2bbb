// The mean of a sample and its standard error, the statistic of every replicated test
// (comparative statics over paired seeds, estimates against theory).
#pragma once

#include <cmath>
#include <vector>

namespace gpumarket::testing {

struct MeanAndError {
  double mean = 0;
  double standard_error = 0;
};

/// Sample mean and s/√n (s with n − 1 degrees of freedom); needs at least two values.
inline MeanAndError mean_and_error(const std::vector<double>& xs) {
  const auto n = static_cast<double>(xs.size());
  double mean = 0;
  for (double x : xs) mean += x / n;
  double ss = 0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / (n - 1) / n)};
}

}  // namespace gpumarket::testing
