// `gpumarket sweep-analyse RESULT.h5`: Morris's screening measures or Sobol's indices, per
// indicator, of a sweep whose axes are a `sample: morris|sobol` block (docs/sensitivity.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpumarket {

/// The most bootstrap resamples sweep-analyse takes: each costs one pass over N (k + 2) values.
inline constexpr uint64_t kMaxBootstrap = 100'000;

struct SweepAnalyseCommand {
  std::string result_path;
  std::vector<std::string> indicators;  // empty: all
  bool csv = false;
  unsigned bootstrap = 500;  // Sobol: resamples of the base rows for the 95 % intervals
};

/// The analysis as a text table, or as CSV (one row per indicator, parameter and measure:
/// indicator,design,parameter,measure,value,ci_low,ci_high,count). Throws Error for a result
/// without a design, an unknown indicator or a --bootstrap above kMaxBootstrap.
std::string sweep_analyse_command(const SweepAnalyseCommand& command);

}  // namespace gpumarket
