// Calibration by the simulated method of moments: the parameters that bring the simulated
// targets (each an ensemble mean under common random numbers) closest to the observed ones,
// weighted by 1 / tolerance^2; journalled by parameter vector so that a killed calibration
// resumes to the same bits (docs/calibration.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "gpumarket/io/calibration_file.hpp"
#include "gpumarket/sweep/calibration_spec.hpp"

namespace gpumarket {

struct CalibrationOptions {
  /// The result file; its journal of evaluations is "<output>.journal/" (journal_directory).
  std::filesystem::path output;
  unsigned threads = 0;  // per evaluation's replications; 0: the usable cores
  std::string command_line;
  /// For tests of resumption: stop with Error after this many evaluations newly run (0: no
  /// limit), as a kill would, leaving the journal behind.
  uint64_t stop_after = 0;
  /// Receives progress lines; empty: silent.
  std::function<void(const std::string&)> log;
};

/// The objective at simulated target means: sum_j ((simulated_j - observed_j) / tolerance_j)^2,
/// plus sum_i ((x_i - prior mean_i) / prior sd_i)^2 over the parameters with priors.
double calibration_objective(const CalibrationSpec& spec, const std::vector<double>& parameters,
                             const std::vector<double>& simulated);

/// Runs the search (the spec's optimiser, with restarts), then the Jacobian at the best point,
/// then writes the result file. Evaluations already in the journal (same fingerprint, same
/// exact parameter vector) are served from it, so that a resumed run replays the same search.
/// Throws Error when an evaluation's replication fails (naming the parameters) or the output
/// or journal cannot be written.
CalibrationResult run_calibration(const CalibrationSpec& spec, const CalibrationOptions& options);

}  // namespace gpumarket
