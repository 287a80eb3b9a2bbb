// The HDF5 file of a calibration (`gpumarket calibrate`): the path of the search, the best
// parameters with their intervals, each target's fit and the targets' sensitivity to the
// parameters at the optimum; written atomically, laid out as netCDF-4 so that h5py and xarray
// (h5netcdf) read it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gpumarket {

/// The layout's version, the root attribute `gpumarket_format`.
inline constexpr std::string_view kCalibrationFormat = "gpumarket-calibration 1";

struct FittedParameter {
  std::string name, path;
  double lower = 0, upper = 0, start = 0;
  double best = 0;
  /// The standard error from the sandwich formula and its normal interval (NaN when the
  /// targets do not identify the parameters: the weighted Jacobian has no full rank).
  double standard_error = 0, ci_low = 0, ci_high = 0;
};

struct TargetFit {
  std::string name, source;
  std::string measure;  // what is simulated, e.g. "utilisation" or "mean of tick/price[golem]"
  double observed = 0, tolerance = 0;
  double simulated = 0;            // mean over the replications at the best parameters
  double ci_low = 0, ci_high = 0;  // its Student-t interval over the replications
  double contribution = 0;         // ((simulated - observed) / tolerance)^2
};

/// One evaluation of the objective, in the order the search asked for them.
struct CalibrationEvaluation {
  std::vector<double> parameters;
  std::vector<double> simulated;  // per target: the mean over the replications
  double objective = 0;
  std::string phase;  // "search <k>" (local search k) or "jacobian"
  /// Served from the journal of an earlier, interrupted run; not written to the file, which a
  /// resumed calibration writes bit for bit as an uninterrupted one.
  bool from_journal = false;
};

struct CalibrationResult {
  std::string calibration_path, calibration_text;
  std::string command_line;
  uint64_t seed = 0, replications = 0;
  double confidence = 0.95;
  std::string algorithm;
  std::vector<FittedParameter> parameters;
  std::vector<TargetFit> targets;
  double objective = 0;  // at the best parameters
  /// [target][parameter]: d simulated / d parameter by central differences under common
  /// random numbers; `scaled` multiplies by the parameter's range and divides by the target's
  /// tolerance: how many tolerances the target moves across the whole range.
  std::vector<std::vector<double>> jacobian, scaled_jacobian;
  std::vector<CalibrationEvaluation> evaluations;
  uint64_t evaluations_run = 0;  // by this invocation (the rest came from the journal); not written
};

/// Writes "<path>.partial", flushes it to disk and renames it to `path`. Layout
/// (docs/calibration.md, "The result file"):
///   /              attributes Conventions, gpumarket_format (kCalibrationFormat),
///                  program_version, calibration_file, calibration_text, command_line, seed,
///                  replications, confidence, algorithm, objective
///   /parameter, /target, /evaluation   dimension scales (strings; uint64 0..E−1)
///   /parameter_path; lower, upper, start, best, standard_error, ci_low, ci_high (parameter)
///   /observed, tolerance, simulated, simulated_ci_low, simulated_ci_high, contribution
///   (target); /source, /measure (target)
///   /jacobian, /scaled_jacobian (target, parameter)
///   /evaluation_parameters (evaluation, parameter), /evaluation_simulated (evaluation,
///   target), /evaluation_objective (evaluation), /evaluation_phase (evaluation)
/// No timestamps: the same calibration gives the same bytes. Throws Error naming `path` when
/// HDF5 or the file system fails.
void write_calibration_file(const std::filesystem::path& path, const CalibrationResult& result);

}  // namespace gpumarket
