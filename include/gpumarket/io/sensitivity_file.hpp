// The HDF5 file of a sensitivity analysis (`gpumarket sweep-analyse RESULT.h5 -o FILE`): per
// indicator and input, Morris's mu*, mu and sigma or Sobol's S1 and ST with their bootstrap
// intervals, and each indicator's noise share; written atomically, laid out as netCDF-4 so that
// h5py and xarray (h5netcdf) read it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gpumarket {

/// The layout's version, the root attribute `gpumarket_format`.
inline constexpr std::string_view kSensitivityFormat = "gpumarket-sensitivity 1";

/// One measure of every indicator and input, [indicator * inputs + input].
struct SensitivityMeasure {
  std::string name;       // the variable: mu_star, mu, sigma (Morris); S1, ST (Sobol)
  std::string long_name;  // what it is, for the variable's long_name
  std::vector<double> value, low, high;  // the estimate and its interval (NaN: none)
};

struct SensitivityReport {
  std::string result_path;  // the sweep result analysed
  std::string design;       // "morris" or "sobol"
  uint64_t sweep_seed = 0, replications = 0, bootstrap = 0;
  double confidence = 0.95;
  std::vector<std::string> indicators, inputs;  // inputs in the design's order
  std::vector<SensitivityMeasure> measures;
  /// [indicator * inputs + input]: the elementary effects (Morris) or complete base rows
  /// (Sobol, the same for every input) behind the estimates.
  std::vector<uint64_t> count;
  std::vector<double> variance;     // [indicator]: Sobol's V; empty for Morris
  std::vector<double> noise_share;  // [indicator]: NaN without a noise estimate
  std::vector<uint64_t> points;     // [indicator]: points with a done replication
};

/// Writes "<path>.partial", flushes it to disk and renames it to `path`. Layout
/// (docs/sensitivity.md, "The analysis file"):
///   /              attributes Conventions, gpumarket_format (kSensitivityFormat),
///                  program_version, result_file, design, sweep_seed, replications,
///                  bootstrap, confidence
///   /indicator, /input, /bound   string dimension scales; bound is (low, high)
///   /<measure>     double (indicator, input); /<measure>_ci double (indicator, input, bound)
///   /effects (Morris) or /base_rows (Sobol)  uint64 (indicator, input)
///   /variance (Sobol), /noise_share  double (indicator); /points uint64 (indicator)
/// No timestamps: the same analysis gives the same bytes. Throws Error naming `path` when
/// HDF5 or the file system fails.
void write_sensitivity_file(const std::filesystem::path& path, const SensitivityReport& report);

}  // namespace gpumarket
