#include "gpumarket/sweep/morris_selection.hpp"

#include <algorithm>
#include <cmath>

#include "gpumarket/core/check.hpp"

namespace gpumarket {
namespace {

// k + 1: morris_design lays out each trajectory's points consecutively.
size_t points_per_trajectory(const UnitDesign& d) { return d.unit.front().size() + 1; }

const std::vector<double>& point(const UnitDesign& d, uint64_t t, size_t step) {
  return d.unit[t * points_per_trajectory(d) + step];
}

// d² of every pair of candidates, [a][b].
std::vector<std::vector<double>> squared_distances(const UnitDesign& d) {
  const uint64_t m = d.design.trajectories;
  std::vector<std::vector<double>> d2(m, std::vector<double>(m, 0));
  for (uint64_t a = 0; a < m; ++a) {
    for (uint64_t b = a + 1; b < m; ++b) {
      const double distance = trajectory_distance(d, a, b);
      d2[a][b] = d2[b][a] = distance * distance;
    }
  }
  return d2;
}

double spread_squared(const std::vector<std::vector<double>>& d2,
                      const std::vector<uint64_t>& chosen) {
  double sum = 0;
  for (size_t i = 0; i < chosen.size(); ++i) {
    for (size_t j = i + 1; j < chosen.size(); ++j) sum += d2[chosen[i]][chosen[j]];
  }
  return sum;
}

// Every r-subset of 0 .. m-1 in lexicographic order; the first with the largest spread.
std::vector<uint64_t> exact_selection(const std::vector<std::vector<double>>& d2, uint64_t r) {
  const uint64_t m = d2.size();
  std::vector<uint64_t> subset(r), best;
  for (uint64_t i = 0; i < r; ++i) subset[i] = i;
  double best_sum = -1;
  while (true) {
    const double sum = spread_squared(d2, subset);
    if (sum > best_sum) best_sum = sum, best = subset;
    // The next combination: raise the last entry that can rise, reset those after it.
    size_t i = r;
    while (i > 0 && subset[i - 1] == m - r + (i - 1)) --i;
    if (i == 0) return best;
    ++subset[i - 1];
    for (size_t j = i; j < r; ++j) subset[j] = subset[j - 1] + 1;
  }
}

// The farthest pair, grown by the candidate with the largest sum of d² to those chosen, then
// improved by single swaps (each strictly raises the spread, so this ends).
std::vector<uint64_t> greedy_selection(const std::vector<std::vector<double>>& d2, uint64_t r) {
  const uint64_t m = d2.size();
  std::vector<bool> in(m, false);
  std::vector<uint64_t> chosen;
  uint64_t first = 0, second = 1;
  for (uint64_t a = 0; a < m; ++a) {
    for (uint64_t b = a + 1; b < m; ++b) {
      if (d2[a][b] > d2[first][second]) first = a, second = b;
    }
  }
  // to[c]: the sum of d² from candidate c to the chosen ones.
  std::vector<double> to(m, 0);
  const auto take = [&](uint64_t c) {
    in[c] = true;
    chosen.push_back(c);
    for (uint64_t x = 0; x < m; ++x) to[x] += d2[x][c];
  };
  take(first);
  take(second);
  while (chosen.size() < r) {
    uint64_t next = m;
    for (uint64_t c = 0; c < m; ++c) {
      if (!in[c] && (next == m || to[c] > to[next])) next = c;
    }
    take(next);
  }
  while (true) {
    // Swapping chosen s for c changes the spread² by to[c] - d2[c][s] - to[s]; a gain must
    // exceed rounding's share of the spread², so that the swaps cannot cycle.
    double spread2 = 0;
    for (const uint64_t s : chosen) spread2 += to[s] / 2;
    double gain = 1e-12 * spread2;
    size_t out_index = 0;
    uint64_t replacement = m;
    for (size_t i = 0; i < chosen.size(); ++i) {
      const uint64_t s = chosen[i];
      for (uint64_t c = 0; c < m; ++c) {
        if (in[c]) continue;
        const double g = to[c] - d2[c][s] - to[s];
        if (g > gain) gain = g, out_index = i, replacement = c;
      }
    }
    if (replacement == m) break;
    const uint64_t s = chosen[out_index];
    in[s] = false;
    for (uint64_t x = 0; x < m; ++x) to[x] -= d2[x][s];
    chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(out_index));
    take(replacement);
  }
  return chosen;
}

}  // namespace

double trajectory_distance(const UnitDesign& design, uint64_t a, uint64_t b) {
  if (a == b) return 0;
  const size_t n = points_per_trajectory(design);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::vector<double>& x = point(design, a, i);
    for (size_t j = 0; j < n; ++j) {
      const std::vector<double>& y = point(design, b, j);
      double squared = 0;
      for (size_t z = 0; z < x.size(); ++z) squared += (x[z] - y[z]) * (x[z] - y[z]);
      sum += std::sqrt(squared);
    }
  }
  return sum;
}

double trajectory_spread(const UnitDesign& design, const std::vector<uint64_t>& chosen) {
  double sum = 0;
  for (size_t i = 0; i < chosen.size(); ++i) {
    for (size_t j = i + 1; j < chosen.size(); ++j) {
      const double distance = trajectory_distance(design, chosen[i], chosen[j]);
      sum += distance * distance;
    }
  }
  return std::sqrt(sum);
}

UnitDesign select_spread_trajectories(const UnitDesign& candidates, uint64_t trajectories) {
  const uint64_t m = candidates.design.trajectories;
  GPUMARKET_CHECK(candidates.design.kind == "morris" && trajectories >= 1 && trajectories <= m);
  GPUMARKET_CHECK(!candidates.unit.empty() &&
                  candidates.unit.size() == m * points_per_trajectory(candidates));
  std::vector<uint64_t> chosen;
  if (trajectories == m) {
    for (uint64_t t = 0; t < m; ++t) chosen.push_back(t);
  } else {
    const std::vector<std::vector<double>> d2 = squared_distances(candidates);
    // C(m, r), in floating point so that it cannot overflow.
    double combinations = 1;
    for (uint64_t i = 0; i < trajectories && combinations <= kExactSpreadCombinations; ++i) {
      combinations *= static_cast<double>(m - i) / static_cast<double>(i + 1);
    }
    chosen = trajectories == 1 || combinations <= kExactSpreadCombinations
                 ? exact_selection(d2, trajectories)
                 : greedy_selection(d2, trajectories);
    std::sort(chosen.begin(), chosen.end());
  }
  UnitDesign out;
  out.design = candidates.design;
  out.design.trajectories = trajectories;
  const size_t n = points_per_trajectory(candidates);
  for (uint64_t t = 0; t < chosen.size(); ++t) {
    for (size_t s = 0; s < n; ++s) {
      out.unit.push_back(candidates.unit[chosen[t] * n + s]);
      DesignRole role = candidates.roles[chosen[t] * n + s];
      role.sample = t;
      out.roles.push_back(role);
    }
  }
  return out;
}

}  // namespace gpumarket
