// Paired comparison of two selections of a sweep's rows: with common random numbers,
// replication r of both selections saw the same demand, so differences are taken per
// replication and their confidence interval is narrower than that of independent runs.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gpumarket/sweep/sweep_result.hpp"

namespace gpumarket {

/// Conditions on axis values ("servers=3,rate=2.4") or a point index ("point=5").
struct RowSelection {
  std::vector<std::pair<std::string, std::string>> conditions;
  std::string text;  // as given, for messages
};

/// Parses "name=value[,name=value...]". Throws Error naming `text` when malformed.
RowSelection parse_row_selection(const std::string& text);

/// One indicator's paired differences B - A over the pairs of one group.
struct PairedDifference {
  std::string group;  // the values of the axes that neither selection names, or "all"
  std::string indicator;
  uint64_t pairs = 0;
  double mean_a = 0, mean_b = 0;
  double mean_difference = 0;      // mean of (B - A) over the pairs
  double ci_low = 0, ci_high = 0;  // Student-t interval of the mean difference (NaN if pairs < 2)
  /// Half-width the interval would have if A and B were independent samples (Welch): the
  /// ratio to the paired half-width shows what common random numbers gained.
  double unpaired_half_width = 0;
};

/// The columns of `indicators` in the result, in the order given. Throws Error for a name the
/// result does not have, listing those it has.
std::vector<size_t> indicator_columns(const SweepResult& result,
                                      const std::vector<std::string>& indicators);

/// Pairs each row of A with the row of B that has the same replication and the same values on
/// every axis neither selection names; rows that are not done are left out. Returns, for each
/// indicator, one entry per group of those other axes (in row order) and then one over all
/// pairs. Throws Error for an unknown axis or indicator, or when no pair is found.
std::vector<PairedDifference> compare_sweep(const SweepResult& result, const RowSelection& a,
                                            const RowSelection& b,
                                            const std::vector<std::string>& indicators,
                                            double confidence = 0.95);

}  // namespace gpumarket
