// `gpumarket run FILE --replications N`: the scenario as an ensemble of N replications with
// common random numbers, run on the sweep's machinery, and its headline table with 95 %
// confidence intervals.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/cli/commands.hpp"
#include "gpumarket/cli/dominance_warning.hpp"
#include "gpumarket/sweep/ensemble.hpp"
#include "gpumarket/sweep/sweep_runner.hpp"

namespace gpumarket {

struct EnsembleCommand {
  /// The scenario, its overrides, --strict, and the output (empty:
  /// results/<scenario stem>.ensemble.h5). Its seed, or the scenario's, seeds the replications.
  RunCommand run;
  uint64_t replications = 0;  // ≥ 1
  unsigned threads = 0;       // 0: the cores this process may use
  bool quiet = false;         // no progress lines
  /// The bands of every series over the replications (kBandQuantiles) in the result file;
  /// false: none, and the replications' run files are not kept.
  bool bands = true;
};

struct EnsembleReport {
  SweepReport sweep;
  std::vector<IndicatorEnsemble> indicators;  // over the finished replications
  std::vector<Dominance> dominance;           // shares above kDominanceThreshold in some of them
  bool bands = false;                         // the result file has /bands
};

/// Validates the scenario (its warnings printed to stderr, errors with --strict), runs the
/// replications that its journal does not hold yet and writes the sweep result file (docs/
/// sweeps.md, "The result": one point, `replications` rows; with `bands`, /bands as docs/
/// output.md, "Ensemble bands", says). Throws Error on bad input before any row runs.
EnsembleReport run_ensemble_command(const EnsembleCommand& command);

/// The headline indicators with their mean, 95 % interval, median and range over the
/// replications.
void print_ensemble_headline(const EnsembleReport& report, std::FILE* out);

/// `gpumarket compare A B` on two ensembles: two scenario files run with --replications, or two
/// ensemble files `run --replications` wrote.
struct EnsembleCompareCommand {
  std::vector<std::string> paths;  // exactly two
  uint64_t replications = 0;       // > 0: the paths are scenarios, run as ensembles first
  /// Seeds both ensembles; default: the first scenario's seed.
  std::optional<uint64_t> seed;
  unsigned threads = 0;
  std::vector<std::string> only;  // indicators to show, in this order; empty: all
  bool headline = false;          // only the headline indicators
  bool csv = false;
  bool quiet = false;
  RunLimits limits;  // checked on both scenarios before either ensemble runs
};

/// Whether `paths` are two ensemble files: sweep results of one point each.
bool are_ensemble_files(const std::vector<std::string>& paths);

/// Paired differences B − A with their 95 % intervals, as a text table or CSV. Throws Error for
/// bad input (and, with --replications, before any replication runs when a scenario does not
/// load).
std::string compare_ensembles_command(const EnsembleCompareCommand& command);

}  // namespace gpumarket
