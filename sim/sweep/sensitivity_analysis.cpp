#include "gpumarket/sweep/sensitivity_analysis.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "gpumarket/core/error.hpp"
#include "gpumarket/core/random.hpp"
#include "gpumarket/sweep/sample_statistics.hpp"
#include "gpumarket/sweep/sweep_compare.hpp"

namespace gpumarket {
namespace {

// The points that have rows in the result (all, unless it is one shard), in point order, each
// with its role. Throws Error for a role that does not fit the design, which only a damaged or
// hand-made file has.
struct PresentPoints {
  std::vector<uint64_t> compact;  // [point]: its index among those present, or SIZE_MAX
  std::vector<DesignRole> roles;  // [present point]
};

PresentPoints present_points(const SweepResult& r, const std::string& path) {
  const SweepDesign& d = r.design;
  const size_t k = d.parameters.size();
  const bool morris = d.kind == "morris";
  if (!morris && d.kind != "sobol") {
    throw Error(fmt::format("{}: /design has kind '{}'; expected morris or sobol.", path, d.kind));
  }
  PresentPoints present{std::vector<uint64_t>(r.points_total, SIZE_MAX), {}};
  for (size_t i = 0; i < r.size(); ++i) {
    const DesignRole& role = r.design_role[i];
    const bool fits =
        r.point[i] < r.points_total &&
        (morris
             ? role.matrix == "trajectory" && role.sample < d.trajectories && role.step <= k &&
                   (role.step == 0) == (role.parameter < 0) && (role.step == 0 || role.delta != 0)
             : role.sample < d.base_samples &&
                   (role.matrix == "AB"
                        ? role.parameter >= 0
                        : (role.matrix == "A" || role.matrix == "B") && role.parameter < 0));
    if (!fits) {
      throw Error(
          fmt::format("{}: row {}: its /design role does not fit a {} design of {} "
                      "parameters; the file is damaged.",
                      path, r.row[i], d.kind, k));
    }
    if (present.compact[r.point[i]] != SIZE_MAX) continue;
    present.compact[r.point[i]] = present.roles.size();
    present.roles.push_back(role);
  }
  return present;
}

// The mean over each present point's done replications (NaN where none is done), and the
// noise share.
struct PointMeans {
  std::vector<double> mean;
  uint64_t points = 0;
  double noise_share = 0;
};

PointMeans point_means(const SweepResult& r, const PresentPoints& present, size_t column) {
  std::vector<RunningStats> per_point(present.roles.size());
  for (size_t i = 0; i < r.size(); ++i) {
    const double x = r.indicator[column][i];
    if (r.status[i] != "done" || !std::isfinite(x)) continue;
    per_point[present.compact[r.point[i]]].add(x);
  }
  PointMeans m;
  RunningStats within, between;
  for (const RunningStats& p : per_point) {
    m.mean.push_back(p.n > 0 ? p.mean : std::nan(""));
    if (p.n > 0) ++m.points, between.add(p.mean);
    if (p.n > 1) within.add(p.variance());
  }
  // W / (W + variance of the point means), not W over the variance of all rows: with common
  // random numbers replication r of every point shares its draws, so the rows are not
  // independent and their variance can fall below W.
  const double noise = within.mean, signal = between.variance();
  m.noise_share = within.n > 0 && noise + signal > 0 ? noise / (noise + signal) : std::nan("");
  return m;
}

}  // namespace

std::vector<IndicatorSensitivity> analyse_sensitivity(const SweepResult& result,
                                                      const std::string& path,
                                                      const std::vector<std::string>& indicators,
                                                      uint64_t bootstrap) {
  if (result.design.kind.empty()) {
    throw Error(
        fmt::format("{}: the sweep has no sensitivity design; its axes must be one "
                    "`sample: morris` or `sample: sobol` block (docs/sweeps.md).",
                    path));
  }
  const std::vector<std::string> names = indicators.empty() ? result.indicator_names : indicators;
  const std::vector<size_t> columns = indicator_columns(result, names);
  const PresentPoints present = present_points(result, path);
  std::vector<IndicatorSensitivity> out;
  for (size_t c = 0; c < columns.size(); ++c) {
    const PointMeans means = point_means(result, present, columns[c]);
    IndicatorSensitivity s;
    s.indicator = names[c];
    s.points = means.points;
    s.noise_share = means.noise_share;
    RandomEngine engine =
        make_stream(result.sweep_seed, fmt::format("sweep-analyse/bootstrap/{}", names[c]));
    if (result.design.kind == "morris") {
      s.morris = morris_effects(result.design, present.roles, means.mean, bootstrap, engine);
      std::stable_sort(s.morris.begin(), s.morris.end(),
                       [](const MorrisEffect& a, const MorrisEffect& b) {
                         // NaN (no effect measured) last.
                         return std::isnan(b.mu_star.value) ? !std::isnan(a.mu_star.value)
                                                            : a.mu_star.value > b.mu_star.value;
                       });
    } else {
      s.sobol = sobol_indices(result.design, present.roles, means.mean, bootstrap, engine);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace gpumarket
