// The sensitivity analysis of a sweep result whose axes are a Morris or Sobol design: per
// indicator, the indices on the means over each point's replications, and the share of the
// output's variance that is replication noise.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gpumarket/io/sweep_result_file.hpp"
#include "gpumarket/sweep/sensitivity_indices.hpp"

namespace gpumarket {

struct IndicatorSensitivity {
  std::string indicator;
  std::vector<MorrisEffect> morris;  // Morris: ranked by mu*, largest first
  SobolIndices sobol;                // Sobol
  uint64_t points = 0;               // points with at least one done replication
  /// With replications: W / (W + M), W the mean over points of the variance between a point's
  /// replications, M the variance of the point means; NaN when no point has two done replications.
  double noise_share = 0;
};

/// The analysis of `indicators` (empty: all) of `result`. The intervals resample Sobol's base
/// rows or Morris's trajectories `bootstrap` times from the stream
/// "sweep-analyse/bootstrap/<indicator>" of the sweep seed, so an indicator's intervals do not
/// depend on which others are analysed. Throws Error
/// naming `path` when the result has no design, or for an unknown indicator.
std::vector<IndicatorSensitivity> analyse_sensitivity(const SweepResult& result,
                                                      const std::string& path,
                                                      const std::vector<std::string>& indicators,
                                                      uint64_t bootstrap);

}  // namespace gpumarket
