// An ensemble: one scenario run N times with common random numbers, as a sweep of one point,
// so that it runs on the sweep's threads, ranks and journal; and what its replications say
// about each indicator (mean, confidence interval, median).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gpumarket/io/sweep_result_file.hpp"
#include "gpumarket/sweep/sweep_compare.hpp"
#include "gpumarket/sweep/sweep_spec.hpp"

namespace gpumarket {

/// The sweep of `replications` runs of the scenario at `scenario_path` with `overrides`
/// ("key.path=value", applied after extends as `run --set` does). Replication r runs with the
/// seed sweep_row_seed(seed, "", r, true) = derive_seed(seed, "replication/<r>"), as
/// replication r of any sweep with the same seed does. Throws Error (located) when the file
/// cannot be read or an override does not apply.
SweepSpec ensemble_spec(const std::string& scenario_path, const std::vector<std::string>& overrides,
                        uint64_t seed, uint64_t replications);

/// The same from a resolved scenario tree (after extends and overrides); `path` names it in
/// messages and `text` is what the result's provenance keeps of it.
SweepSpec ensemble_spec_of(ConfigNode tree, const std::string& path, std::string text,
                           uint64_t seed, uint64_t replications);

/// The quantiles of an ensemble's bands (docs/output.md, "Ensemble bands"): the median, the
/// quartiles and the 90 % range.
inline constexpr std::array<double, 5> kBandQuantiles = {0.05, 0.25, 0.5, 0.75, 0.95};

/// One indicator over the finished replications of a result.
struct IndicatorEnsemble {
  std::string name, unit;
  uint64_t replications = 0;  // finished rows with a value (NaN values are left out)
  double mean = 0;
  double ci_low = 0, ci_high = 0;  // Student-t interval of the mean (NaN below 2 replications)
  double median = 0;
  double min = 0, max = 0;
};

/// Each indicator of `result` over its rows that are done, in the result's indicator order.
std::vector<IndicatorEnsemble> summarise_ensemble(const SweepResult& result,
                                                  double confidence = 0.95);

/// Paired differences B − A of each indicator both ensembles have (in A's order), replication
/// r of A against replication r of B: with the same seed, the two saw the same random draws
/// wherever their scenarios agree (common random numbers). Each entry's group is "all".
/// Throws Error, naming `a_label` or `b_label`, when a result is not an ensemble (one point),
/// when their seeds differ or do not use common random numbers, or when no replication pairs up.
std::vector<PairedDifference> compare_ensembles(const SweepResult& a, const SweepResult& b,
                                                const std::string& a_label,
                                                const std::string& b_label,
                                                double confidence = 0.95);

}  // namespace gpumarket
