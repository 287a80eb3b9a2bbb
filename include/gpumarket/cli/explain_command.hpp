// `gpumarket explain A.yaml B.yaml`: each indicator's difference B − A decomposed into the
// Shapley contributions of the groups of parameters in which the two scenarios differ, from
// ensembles of every combination of groups (common random numbers), with 95 % intervals.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/sweep/scenario_groups.hpp"

namespace gpumarket {

/// The largest number of groups explain runs: 2^k combinations, each an ensemble.
inline constexpr size_t kMaxExplainGroups = 10;

struct ExplainCommand {
  std::string a_path, b_path;
  std::vector<std::string> groupings;  // "NAME=PART,PART,...": parts attributed together
  uint64_t replications = 5;
  std::optional<uint64_t> seed;  // default: A's scenario seed
  unsigned threads = 0;
  /// The ensembles of the combinations (resumable); empty: results/<a>-vs-<b>.explain.
  std::string output_dir;
  std::vector<std::string> only;  // indicators; empty: the headline's
  bool quiet = false;
};

struct GroupContribution {
  std::string group;
  double mean = 0, ci_low = 0, ci_high = 0;  // over the replications' Shapley values
};

struct IndicatorExplanation {
  std::string indicator, unit;
  uint64_t replications = 0;  // replications with a value in every combination
  double a_mean = 0, b_mean = 0;
  GroupContribution total;  // B − A; the groups' contributions add up to it
  std::vector<GroupContribution> groups;
};

struct ExplainReport {
  std::vector<ScenarioGroup> groups;
  std::vector<IndicatorExplanation> indicators;
  uint64_t runs = 0;  // 2^k × replications
  std::string output_dir;
  double wall_seconds = 0;
};

/// Loads both scenarios, finds and groups their differing parts, runs the 2^k combinations
/// (A with the parts of some groups taken from B) as ensembles of one seed and attributes
/// each indicator. Throws Error for bad input, before any run when a scenario or a grouping
/// is wrong, and naming the combination when one does not load.
ExplainReport explain_command(const ExplainCommand& command);

/// The report as a text table (per indicator: A, B, the total and each group with its 95 %
/// interval) or as CSV (indicator,unit,group,contribution,ci_low,ci_high).
std::string format_explain(const ExplainReport& report, bool csv);

}  // namespace gpumarket
