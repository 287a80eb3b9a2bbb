// `gpumarket sweep-analyse RESULT.h5 [-o ANALYSIS.h5]`: Morris's screening measures or Sobol's
// indices, per indicator, with their bootstrap intervals, of a sweep whose axes are a
// `sample: morris|sobol` block (docs/sensitivity.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gpumarket {

/// The most bootstrap resamples sweep-analyse takes: each costs one pass over N (k + 2) values.
inline constexpr uint64_t kMaxBootstrap = 100'000;
/// The resamples without --bootstrap: Morris's resample r trajectories, cheap beside Sobol's
/// N (k + 2) values, so they take more for steadier interval ends.
inline constexpr uint64_t kMorrisBootstrap = 1000;
inline constexpr uint64_t kSobolBootstrap = 500;

struct SweepAnalyseCommand {
  std::string result_path;
  std::vector<std::string> indicators;  // empty: all
  bool csv = false;
  /// Resamples of Sobol's base rows or Morris's trajectories for the 95 % intervals (0: none);
  /// unset: kMorrisBootstrap or kSobolBootstrap.
  std::optional<uint64_t> bootstrap;
  std::string output;  // the analysis file (netCDF-4); empty: none
};

/// The analysis as a text table, or as CSV (one row per indicator, parameter and measure:
/// indicator,design,parameter,measure,value,ci_low,ci_high,count); with `output`, also the
/// analysis file (io/sensitivity_file.hpp). Throws Error for a result without a design, an
/// unknown indicator, a --bootstrap above kMaxBootstrap or an output that cannot be written,
/// and UsageError when the output is the result itself.
std::string sweep_analyse_command(const SweepAnalyseCommand& command);

}  // namespace gpumarket
