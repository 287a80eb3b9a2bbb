// Estimators of global sensitivity from the outputs of a Morris or Sobol design
// (sensitivity_design.hpp): one value per point, in the design's point order, NaN where the
// point has no output. sweep-analyse and the tests call these same functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gpumarket/core/random.hpp"
#include "gpumarket/io/sweep_result_file.hpp"

namespace gpumarket {

/// An estimate with its bootstrap percentile interval.
struct Estimate {
  double value = 0, low = 0, high = 0;
};

/// Morris's measures of one parameter over its elementary effects EE = (y_s - y_{s-1}) / delta_s
/// of consecutive points of a trajectory: mu* = mean |EE| (Campolongo et al. 2007), mu = mean
/// EE and sigma = their sample standard deviation (Morris 1991), each with its bootstrap
/// interval over the trajectories.
struct MorrisEffect {
  std::string parameter;
  Estimate mu_star, mu, sigma;
  uint64_t effects = 0;  // elementary effects with both outputs (sigma: NaN below 2)
};

struct SobolIndex {
  std::string parameter;
  /// S_i, Saltelli et al. (2010): mean (f(B) - m) (f(A_B^i) - f(A)) / V, m the mean of f(A)
  /// and f(B) (centring leaves the expectation as it is and lowers the variance)
  Estimate first;
  Estimate total;  // S_Ti, Jansen (1999): mean (f(A) - f(A_B^i))^2 / (2 V)
};

struct SobolIndices {
  std::vector<SobolIndex> indices;  // in the design's order
  uint64_t base_rows = 0;           // base rows j whose k + 2 outputs are all finite
  double variance = 0;              // V: the sample variance of f(A) and f(B) together
};

/// Per parameter, in the design's order. An effect whose two outputs are not both finite is
/// left out. The intervals resample the trajectories with replacement `bootstrap` times from
/// `engine` (a trajectory keeps its effects together, since they share its points);
/// percentiles at (1 -+ confidence) / 2, low = high = NaN when bootstrap is 0.
std::vector<MorrisEffect> morris_effects(const SweepDesign& design,
                                         const std::vector<DesignRole>& roles,
                                         const std::vector<double>& outputs, uint64_t bootstrap,
                                         RandomEngine& engine, double confidence = 0.95);

/// The indices over the base rows with all k + 2 outputs, V from the same rows; the intervals
/// resample those rows with replacement `bootstrap` times from `engine` (percentiles at
/// (1 -+ confidence) / 2; no interval, low = high = NaN, when bootstrap is 0). NaN indices
/// when V is 0 or fewer than two rows are complete.
SobolIndices sobol_indices(const SweepDesign& design, const std::vector<DesignRole>& roles,
                           const std::vector<double>& outputs, uint64_t bootstrap,
                           RandomEngine& engine, double confidence = 0.95);

}  // namespace gpumarket
