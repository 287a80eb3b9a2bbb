#include "gpumarket/sweep/shapley.hpp"

#include <algorithm>
#include <bit>
#include <boost/random/uniform_int_distribution.hpp>
#include <numeric>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/random.hpp"

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

std::vector<Permutation> sample_permutations(size_t k, size_t count, uint64_t seed,
                                             std::string_view stream) {
  GPUMARKET_CHECK(k >= 1 && k <= kMaxSampledShapleyGroups);
  RandomEngine engine = make_stream(seed, stream);
  std::vector<Permutation> orders(count, Permutation(k));
  for (Permutation& order : orders) {
    std::iota(order.begin(), order.end(), uint8_t{0});
    for (size_t i = k - 1; i > 0; --i) {
      boost::random::uniform_int_distribution<size_t> pick(0, i);
      std::swap(order[i], order[pick(engine)]);
    }
  }
  return orders;
}

std::vector<uint32_t> visited_subsets(size_t k, const std::vector<Permutation>& orders) {
  std::vector<uint32_t> subsets = {0};
  for (const Permutation& order : orders) {
    GPUMARKET_CHECK(order.size() == k);
    uint32_t mask = 0;
    for (const uint8_t g : order) subsets.push_back(mask |= 1u << g);
  }
  std::sort(subsets.begin(), subsets.end());
  subsets.erase(std::unique(subsets.begin(), subsets.end()), subsets.end());
  return subsets;
}

std::vector<std::vector<double>> permutation_marginals(size_t k,
                                                       const std::vector<Permutation>& orders,
                                                       const std::function<double(uint32_t)>& v) {
  std::vector<std::vector<double>> marginals(orders.size(), std::vector<double>(k, 0.0));
  const double start = v(0);
  for (size_t p = 0; p < orders.size(); ++p) {
    GPUMARKET_CHECK(orders[p].size() == k);
    uint32_t mask = 0;
    double before = start;
    for (const uint8_t g : orders[p]) {
      mask |= 1u << g;
      const double after = v(mask);
      marginals[p][g] = after - before;
      before = after;
    }
  }
  return marginals;
}

std::vector<double> sampled_shapley_values(size_t k, const std::vector<Permutation>& orders,
                                           const std::function<double(uint32_t)>& v) {
  GPUMARKET_CHECK(!orders.empty());
  std::vector<double> phi(k, 0.0);
  for (const std::vector<double>& marginal : permutation_marginals(k, orders, v)) {
    for (size_t g = 0; g < k; ++g) phi[g] += marginal[g];
  }
  for (double& x : phi) x /= static_cast<double>(orders.size());
  return phi;
}

}  // namespace gpumarket
