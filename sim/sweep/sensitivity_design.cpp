#include "gpumarket/sweep/sensitivity_design.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <numeric>

#include "gpumarket/core/check.hpp"

namespace gpumarket {

double parameter_value(const ParameterRange& range, double u) {
  double x = range.min;
  if (u >= 1) {
    x = range.max;
  } else if (u > 0) {
    switch (range.distribution) {
      case ParameterDistribution::Uniform:
        x = range.min + u * (range.max - range.min);
        break;
      case ParameterDistribution::LogUniform:
        x = std::exp(std::log(range.min) + u * (std::log(range.max) - std::log(range.min)));
        break;
      case ParameterDistribution::Normal: {
        // Boost.Math's normal quantile: the truncated normal's u-quantile is the normal's
        // quantile at the same share of the mass between min and max.
        const boost::math::normal_distribution<double> normal(range.mean, range.sd);
        const double low = boost::math::cdf(normal, range.min);
        const double high = boost::math::cdf(normal, range.max);
        const double p = low + u * (high - low);
        x = p > 0 && p < 1 ? boost::math::quantile(normal, p) : (p <= 0 ? range.min : range.max);
        break;
      }
    }
    x = std::clamp(x, range.min, range.max);  // rounding at the ends of the range
  }
  return range.integer ? std::round(x) : x;
}

size_t max_sobol_parameters() { return boost::random::default_sobol_table::max_dimension / 2; }

UnitDesign sobol_design(size_t parameters, uint64_t base_samples) {
  GPUMARKET_CHECK(parameters >= 1 && parameters <= max_sobol_parameters());
  const size_t k = parameters;
  UnitDesign d;
  d.design.kind = "sobol";
  d.design.base_samples = base_samples;
  // Boost's Sobol' engine: maintained, Joe and Kuo's direction numbers, and Boost is already a
  // dependency; its 64-bit outputs become doubles from their top 53 bits, exactly.
  boost::random::sobol sequence(2 * k);
  // Its first point is (1/2, ..., 1/2), where A and B would coincide: skipped.
  sequence.discard(2 * k);
  std::vector<double> ab(2 * k);
  for (uint64_t j = 0; j < base_samples; ++j) {
    for (double& x : ab) x = static_cast<double>(sequence() >> 11) * 0x1.0p-53;
    const std::vector<double> a(ab.begin(), ab.begin() + static_cast<std::ptrdiff_t>(k));
    const std::vector<double> b(ab.begin() + static_cast<std::ptrdiff_t>(k), ab.end());
    d.unit.push_back(a);
    d.roles.push_back({"A", j, -1, 0, 0});
    d.unit.push_back(b);
    d.roles.push_back({"B", j, -1, 0, 0});
    for (size_t i = 0; i < k; ++i) {
      std::vector<double> mixed = a;
      mixed[i] = b[i];
      d.unit.push_back(std::move(mixed));
      d.roles.push_back({"AB", j, static_cast<int64_t>(i), 0, 0});
    }
  }
  return d;
}

UnitDesign morris_design(size_t parameters, uint64_t trajectories, uint64_t levels,
                         RandomEngine& engine) {
  GPUMARKET_CHECK(parameters >= 1 && levels >= 2 && levels % 2 == 0);
  const size_t k = parameters;
  const double grid = 1.0 / static_cast<double>(levels - 1);
  const double delta = static_cast<double>(levels) / (2.0 * static_cast<double>(levels - 1));
  UnitDesign d;
  d.design.kind = "morris";
  d.design.levels = levels;
  d.design.trajectories = trajectories;
  const auto half = static_cast<int64_t>(levels / 2);  // Delta in grid steps
  std::vector<size_t> order(k);
  std::vector<int64_t> direction(k), level(k);
  std::vector<double> x(k);
  for (uint64_t t = 0; t < trajectories; ++t) {
    // Morris's B* = (J x* + Delta/2 [(2B - J) D* + J]) P*: a base x* on the levels from which
    // +Delta stays in the cube, directions D*, an order P*. Where D_i = -1 the trajectory starts
    // at x*_i + Delta and steps down. Levels are counted in whole grid steps, so that every
    // coordinate is exactly a level.
    for (size_t i = 0; i < k; ++i) {
      level[i] = static_cast<int64_t>(uniform_below(engine, levels / 2));
      direction[i] = uniform_below(engine, 2) == 0 ? 1 : -1;
      if (direction[i] < 0) level[i] += half;
      x[i] = static_cast<double>(level[i]) * grid;
    }
    std::iota(order.begin(), order.end(), size_t{0});
    for (size_t i = k; i > 1; --i) std::swap(order[i - 1], order[uniform_below(engine, i)]);
    d.unit.push_back(x);
    d.roles.push_back({"trajectory", t, -1, 0, 0});
    for (size_t s = 0; s < k; ++s) {
      const size_t i = order[s];
      level[i] += direction[i] * half;
      x[i] = static_cast<double>(level[i]) * grid;
      d.unit.push_back(x);
      d.roles.push_back({"trajectory", t, static_cast<int64_t>(i), s + 1,
                         static_cast<double>(direction[i]) * delta});
    }
  }
  return d;
}

}  // namespace gpumarket
