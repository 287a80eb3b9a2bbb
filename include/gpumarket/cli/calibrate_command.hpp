// `gpumarket calibrate FILE`: the parameters of a scenario that reproduce observed targets
// (simulated method of moments), with the fit of each target and the targets' sensitivity to
// the parameters at the optimum (docs/calibration.md).
#pragma once

#include <string>

#include "gpumarket/cli/run_limits.hpp"
#include "gpumarket/io/calibration_file.hpp"

namespace gpumarket {

struct CalibrateCommand {
  std::string path;
  std::string output;  // default: the file's `output`, else results/<stem>.calibration.h5
  unsigned threads = 0;
  bool quiet = false;
  std::string command_line;
  /// Checked on the file's scenario, times its replications and every evaluation the search
  /// may make, before any runs.
  RunLimits limits;
};

struct CalibrateReport {
  CalibrationResult result;
  std::string output;
  double wall_seconds = 0;
};

/// Loads the calibration file (all its errors located before anything runs), runs or resumes
/// the calibration and writes its result file.
CalibrateReport calibrate_command(const CalibrateCommand& command);

/// The fit table (each parameter's best value and interval, each target's observed and
/// simulated values) and the Jacobian summary (each target's change across each parameter's
/// range, in tolerances; a parameter whose column is near zero is flagged as not identified).
std::string format_calibration(const CalibrateReport& report);

}  // namespace gpumarket
