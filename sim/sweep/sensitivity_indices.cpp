#include "gpumarket/sweep/sensitivity_indices.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/quantile.hpp"
#include "gpumarket/sweep/sample_statistics.hpp"

namespace gpumarket {
namespace {

// The outputs of the complete base rows: a[j], b[j] and ab[i][j].
struct SaltelliOutputs {
  std::vector<double> a, b;
  std::vector<std::vector<double>> ab;
};

SaltelliOutputs complete_rows(const SweepDesign& design, const std::vector<DesignRole>& roles,
                              const std::vector<double>& y) {
  const size_t k = design.parameters.size(), n = design.base_samples;
  const double missing = std::nan("");
  SaltelliOutputs all{std::vector<double>(n, missing), std::vector<double>(n, missing),
                      std::vector<std::vector<double>>(k, std::vector<double>(n, missing))};
  for (size_t p = 0; p < roles.size(); ++p) {
    const DesignRole& role = roles[p];
    GPUMARKET_CHECK(role.sample < n);
    if (role.matrix == "A") {
      all.a[role.sample] = y[p];
    } else if (role.matrix == "B") {
      all.b[role.sample] = y[p];
    } else {
      GPUMARKET_CHECK(role.matrix == "AB" && role.parameter >= 0);
      all.ab[static_cast<size_t>(role.parameter)][role.sample] = y[p];
    }
  }
  SaltelliOutputs complete{{}, {}, std::vector<std::vector<double>>(k)};
  for (size_t j = 0; j < n; ++j) {
    bool whole = std::isfinite(all.a[j]) && std::isfinite(all.b[j]);
    for (size_t i = 0; i < k; ++i) whole = whole && std::isfinite(all.ab[i][j]);
    if (!whole) continue;
    complete.a.push_back(all.a[j]);
    complete.b.push_back(all.b[j]);
    for (size_t i = 0; i < k; ++i) complete.ab[i].push_back(all.ab[i][j]);
  }
  return complete;
}

// S_i and S_Ti of every parameter over the rows `rows` of `o` (indices into its vectors).
struct PointIndices {
  std::vector<double> first, total;
  double variance = 0;
};

PointIndices estimate(const SaltelliOutputs& o, const std::vector<size_t>& rows) {
  const size_t k = o.ab.size();
  RunningStats spread;
  for (size_t j : rows) spread.add(o.a[j]), spread.add(o.b[j]);
  PointIndices e{std::vector<double>(k), std::vector<double>(k), spread.variance()};
  const double n = static_cast<double>(rows.size());
  for (size_t i = 0; i < k; ++i) {
    double first = 0, total = 0;
    for (size_t j : rows) {
      // f(B) centred on the mean of f(A) and f(B): the expectation is the same (the mean of
      // f(A_B^i) - f(A) is 0), but an output far from 0 (a utilisation near 0.8) no longer
      // multiplies the noise of that difference.
      first += (o.b[j] - spread.mean) * (o.ab[i][j] - o.a[j]);
      total += (o.a[j] - o.ab[i][j]) * (o.a[j] - o.ab[i][j]);
    }
    // V = 0 (a constant output) leaves the indices undefined: NaN, not a division by zero.
    e.first[i] = e.variance > 0 ? first / n / e.variance : std::nan("");
    e.total[i] = e.variance > 0 ? total / (2 * n) / e.variance : std::nan("");
  }
  return e;
}

Estimate percentile_interval(double value, std::vector<double>& draws, double confidence) {
  std::erase_if(draws, [](double x) { return std::isnan(x); });
  if (draws.empty()) return {value, std::nan(""), std::nan("")};
  std::sort(draws.begin(), draws.end());
  return {value, type7_quantile(draws, (1 - confidence) / 2),
          type7_quantile(draws, (1 + confidence) / 2)};
}

// The elementary effects of one trajectory: (parameter, EE) for each step whose two outputs
// are finite.
using TrajectoryEffects = std::vector<std::pair<size_t, double>>;

// Per trajectory that has at least one effect, in trajectory order.
std::vector<TrajectoryEffects> elementary_effects(const SweepDesign& design,
                                                  const std::vector<DesignRole>& roles,
                                                  const std::vector<double>& outputs) {
  GPUMARKET_CHECK(roles.size() == outputs.size());
  const size_t k = design.parameters.size();
  // outputs[index[t][s]]: the point at step s of trajectory t.
  std::vector<std::vector<size_t>> index(design.trajectories, std::vector<size_t>(k + 1, SIZE_MAX));
  for (size_t p = 0; p < roles.size(); ++p) {
    GPUMARKET_CHECK(roles[p].sample < design.trajectories && roles[p].step <= k);
    index[roles[p].sample][roles[p].step] = p;
  }
  std::vector<TrajectoryEffects> effects;
  for (const std::vector<size_t>& trajectory : index) {
    TrajectoryEffects steps;
    for (size_t s = 1; s <= k; ++s) {
      const size_t from = trajectory[s - 1], to = trajectory[s];
      if (from == SIZE_MAX || to == SIZE_MAX) continue;
      const double ee = (outputs[to] - outputs[from]) / roles[to].delta;
      if (std::isfinite(ee)) steps.emplace_back(static_cast<size_t>(roles[to].parameter), ee);
    }
    if (!steps.empty()) effects.push_back(std::move(steps));
  }
  return effects;
}

// mu*, mu and sigma of every parameter over the trajectories `sample` (indices into the
// effects, repeated when resampled); NaN where a parameter has no effect (sigma: below two).
struct MorrisMeasures {
  std::vector<double> mu_star, mu, sigma;
  std::vector<uint64_t> effects;
};

MorrisMeasures morris_measures(const std::vector<TrajectoryEffects>& effects,
                               const std::vector<size_t>& sample, size_t k) {
  std::vector<RunningStats> signed_effect(k), absolute_effect(k);
  for (size_t t : sample) {
    for (const auto& [i, ee] : effects[t]) {
      signed_effect[i].add(ee);
      absolute_effect[i].add(std::abs(ee));
    }
  }
  MorrisMeasures m;
  for (size_t i = 0; i < k; ++i) {
    const bool any = signed_effect[i].n > 0;
    m.mu_star.push_back(any ? absolute_effect[i].mean : std::nan(""));
    m.mu.push_back(any ? signed_effect[i].mean : std::nan(""));
    m.sigma.push_back(std::sqrt(signed_effect[i].variance()));
    m.effects.push_back(signed_effect[i].n);
  }
  return m;
}

}  // namespace

std::vector<MorrisEffect> morris_effects(const SweepDesign& design,
                                         const std::vector<DesignRole>& roles,
                                         const std::vector<double>& outputs, uint64_t bootstrap,
                                         RandomEngine& engine, double confidence) {
  const std::vector<TrajectoryEffects> effects = elementary_effects(design, roles, outputs);
  const size_t k = design.parameters.size(), r = effects.size();
  std::vector<size_t> sample(r);
  for (size_t t = 0; t < r; ++t) sample[t] = t;
  const MorrisMeasures point = morris_measures(effects, sample, k);
  std::vector<std::vector<double>> mu_star(k), mu(k), sigma(k);
  for (uint64_t b = 0; r >= 2 && b < bootstrap; ++b) {
    for (size_t& t : sample) t = uniform_below(engine, r);
    const MorrisMeasures again = morris_measures(effects, sample, k);
    for (size_t i = 0; i < k; ++i) {
      mu_star[i].push_back(again.mu_star[i]);
      mu[i].push_back(again.mu[i]);
      sigma[i].push_back(again.sigma[i]);
    }
  }
  std::vector<MorrisEffect> out;
  out.reserve(k);
  for (size_t i = 0; i < k; ++i) {
    out.push_back({design.parameters[i],
                   percentile_interval(point.mu_star[i], mu_star[i], confidence),
                   percentile_interval(point.mu[i], mu[i], confidence),
                   percentile_interval(point.sigma[i], sigma[i], confidence), point.effects[i]});
  }
  return out;
}

SobolIndices sobol_indices(const SweepDesign& design, const std::vector<DesignRole>& roles,
                           const std::vector<double>& outputs, uint64_t bootstrap,
                           RandomEngine& engine, double confidence) {
  GPUMARKET_CHECK(roles.size() == outputs.size());
  const size_t k = design.parameters.size();
  const SaltelliOutputs o = complete_rows(design, roles, outputs);
  const size_t n = o.a.size();
  SobolIndices result;
  result.base_rows = n;
  std::vector<size_t> rows(n);
  for (size_t j = 0; j < n; ++j) rows[j] = j;
  const PointIndices point = n >= 2
                                 ? estimate(o, rows)
                                 : PointIndices{std::vector<double>(k, std::nan("")),
                                                std::vector<double>(k, std::nan("")), std::nan("")};
  result.variance = point.variance;
  std::vector<std::vector<double>> first(k), total(k);
  for (uint64_t b = 0; n >= 2 && b < bootstrap; ++b) {
    for (size_t& j : rows) j = uniform_below(engine, n);
    const PointIndices again = estimate(o, rows);
    for (size_t i = 0; i < k; ++i) {
      first[i].push_back(again.first[i]);
      total[i].push_back(again.total[i]);
    }
  }
  for (size_t i = 0; i < k; ++i) {
    result.indices.push_back({design.parameters[i],
                              percentile_interval(point.first[i], first[i], confidence),
                              percentile_interval(point.total[i], total[i], confidence)});
  }
  return result;
}

}  // namespace gpumarket
