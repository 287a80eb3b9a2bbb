// `gpumarket run FILE --replications N`: the scenario as an ensemble of N replications with
// common random numbers, run on the sweep's machinery, and its headline table with 95 %
// confidence intervals.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "gpumarket/cli/commands.hpp"
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
};

struct EnsembleReport {
  SweepReport sweep;
  std::vector<IndicatorEnsemble> indicators;  // over the finished replications
};

/// Validates the scenario (its warnings printed to stderr, errors with --strict), runs the
/// replications that its journal does not hold yet and writes the sweep result file (docs/
/// sweeps.md, "The result": one point, `replications` rows). Throws Error on bad input before
/// any row runs.
EnsembleReport run_ensemble_command(const EnsembleCommand& command);

/// The headline indicators with their mean, 95 % interval, median and range over the
/// replications.
void print_ensemble_headline(const EnsembleReport& report, std::FILE* out);

}  // namespace gpumarket
