#include "gpumarket/core/quantile.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace gpumarket {

double type7_quantile(std::span<const double> sorted, double p) {
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double a = sorted[lo], b = sorted[hi];
  return a == b ? a : a + (h - static_cast<double>(lo)) * (b - a);
}

}  // namespace gpumarket
