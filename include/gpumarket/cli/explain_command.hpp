// `gpumarket explain A.yaml B.yaml`: each indicator's difference B − A decomposed into the
// Shapley contributions of the groups of parameters in which the two scenarios differ, from
// ensembles of combinations of groups (common random numbers), with 95 % intervals: exact
// over every combination for a few groups, estimated from random orders beyond.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/cli/run_limits.hpp"
#include "gpumarket/io/explain_file.hpp"
#include "gpumarket/sweep/scenario_groups.hpp"

namespace gpumarket {

/// The most groups attributed exactly, over all 2^k combinations (256 ensembles).
inline constexpr size_t kMaxExactExplainGroups = 8;
/// The most groups explain attributes at all, beyond kMaxExactExplainGroups from sampled
/// orders (at most M · (k − 1) + 2 ensembles).
inline constexpr size_t kMaxExplainGroups = 20;

/// The orders sampled when --permutations is not given: 2k, so that each group's estimate
/// averages 2k marginals while the cost, at most 2k (k − 1) + 2 combinations, grows as k²
/// rather than 2^k (146 instead of 512 at k = 9).
size_t default_permutations(size_t k);

struct ExplainCommand {
  std::string a_path, b_path;
  std::vector<std::string> groupings;  // "NAME=PART,PART,...": parts attributed together
  uint64_t replications = 5;
  std::optional<uint64_t> seed;  // default: A's scenario seed
  /// Sample this many orders even for k ≤ kMaxExactExplainGroups; unset: exact up to there,
  /// default_permutations(k) beyond.
  std::optional<uint64_t> permutations;
  unsigned threads = 0;
  /// The ensembles of the combinations (resumable) and explain.h5; empty:
  /// results/<a>-vs-<b>.explain.
  std::string output_dir;
  std::vector<std::string> only;  // indicators; empty: the headline's
  bool quiet = false;
  RunLimits limits;  // over all combinations' runs together
};

struct ExplainReport {
  Attribution attribution;
  std::string output_dir;
  std::string file;  // <output_dir>/explain.h5
  double wall_seconds = 0;
};

/// Loads both scenarios, finds and groups their differing parts, runs the combinations (A
/// with the parts of some groups taken from B) as ensembles of one seed, attributes each
/// indicator and writes <output_dir>/explain.h5. Throws Error for bad input, before any run
/// when a scenario, a grouping or an option is wrong, and naming the combination when one
/// does not load.
ExplainReport explain_command(const ExplainCommand& command);

/// The report as a text table (per indicator: A, B, the total and each group with its 95 %
/// interval, and for sampled orders their standard error) or as CSV
/// (indicator,unit,group,contribution,ci_low,ci_high,permutation_se).
std::string format_explain(const ExplainReport& report, bool csv);

}  // namespace gpumarket
