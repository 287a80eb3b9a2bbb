#include "gpumarket/sweep/shapley.hpp"

#include <bit>

#include "gpumarket/core/check.hpp"

namespace gpumarket {

std::vector<double> shapley_values(size_t k, const std::function<double(uint32_t)>& v) {
  GPUMARKET_CHECK(k >= 1 && k <= kMaxShapleyGroups);
  const uint32_t subsets = 1u << k;
  std::vector<double> value(subsets);
  for (uint32_t s = 0; s < subsets; ++s) value[s] = v(s);
  // weight[m] = m! (k − m − 1)! / k!, the probability that a random order switches on exactly
  // the m groups of a given S before g.
  std::vector<double> weight(k);
  for (size_t m = 0; m < k; ++m) {
    double w = 1.0 / static_cast<double>(k);
    // m! (k − 1 − m)! / (k − 1)! = 1 / C(k − 1, m).
    for (size_t i = 1; i <= m; ++i) w *= static_cast<double>(i) / static_cast<double>(k - i);
    weight[m] = w;
  }
  std::vector<double> phi(k, 0.0);
  for (uint32_t s = 0; s < subsets; ++s) {
    const auto size = static_cast<size_t>(std::popcount(s));
    for (size_t g = 0; g < k; ++g) {
      const uint32_t bit = 1u << g;
      if ((s & bit) != 0) continue;
      phi[g] += weight[size] * (value[s | bit] - value[s]);
    }
  }
  return phi;
}

}  // namespace gpumarket
