// The HDF5 file of a sweep's result (or of one shard of it): the points table, optional per-row
// time series and provenance; written atomically, read back for merging, comparing and tests.
// The sweep module fills and merges SweepResult; io owns its layout on disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gpumarket {

/// The layout's version, the root attribute `format`; readers refuse any other.
inline constexpr std::string_view kSweepFormat = "gpumarket-sweep 2";

/// A sensitivity design's place for one point (docs/sweeps.md, "Sensitivity designs"): what
/// sweep-analyse needs to compute Morris's elementary effects or Sobol's indices.
struct DesignRole {
  /// Sobol: "A", "B" or "AB" (A with the column `parameter` taken from B); Morris: "trajectory".
  std::string matrix;
  uint64_t sample = 0;     // Sobol: the base row j (0 .. N-1); Morris: the trajectory
  int64_t parameter = -1;  // Sobol "AB": the column from B; Morris: the parameter this step moved
  uint64_t step = 0;       // Morris: the step along the trajectory (0 .. k); Sobol: 0
  double delta = 0;        // Morris: the move of `parameter` in the unit cube (+-Delta); else 0
};

/// The design of a sweep whose axes are one `sample: morris` or `sample: sobol` block.
struct SweepDesign {
  std::string kind;                       // "" (no design), "morris" or "sobol"
  std::vector<std::string> parameters;    // the design's axes in order: DesignRole::parameter
  uint64_t levels = 0, trajectories = 0;  // Morris
  uint64_t base_samples = 0;              // Sobol: N
};

/// A points table in memory, column by column; every column has one entry per row present.
/// File layout (netCDF-4/CF, docs/sweeps.md "The result"): one dimension `row` at the root,
/// every column a variable over it.
///   /                        attributes Conventions ("CF-1.8"), format (kSweepFormat),
///                            program_version, fingerprint, sweep_seed, replications,
///                            points_total, rows_total, shard_index, shard_count,
///                            common_random_numbers
///   /row                     uint64 dimension scale: the row numbers
///   /point, replication, seed            uint64 over row (coordinates)
///   /<axis>                  int64 (integer axis), double (other numeric axis) or string
///                            over row, a coordinate; attributes path, order, long_name,
///                            units (when the key's name gives one)
///   /<indicator>             double over row (NaN when the row did not finish); units,
///                            long_name, order
///   /status, /error          string over row: "done"/"failed"/"pending", the error or ""
///   /timing/run_seconds      double over row: wall time of each row (not part of the points
///                            table: it differs from run to run)
///   /series/<group>/...      with kept series: each run group as arrays over (row, time[, axis])
///                            with its own `row` dimension (the rows that kept series)
///   /bands/<group>/...       an ensemble's bands (band_files): per series <name>_mean,
///                            <name>_quantile and <name>_count over ([quantile,] time[, axis])
///   /design/matrix, sample, parameter, step, delta   with a sensitivity design: each row's
///                            DesignRole over row; attributes of /design: kind, parameters
///                            (the axis names, space-separated), levels, trajectories,
///                            base_samples
///   /provenance/sweep_file, sweep_path, base_scenario   strings
struct SweepResult {
  std::string format = std::string(kSweepFormat);
  std::string program_version;
  std::string fingerprint;
  uint64_t sweep_seed = 0;
  uint64_t replications = 1;
  uint64_t points_total = 0;
  uint64_t rows_total = 0;
  uint64_t shard_index = 0;
  uint64_t shard_count = 1;
  bool common_random_numbers = true;

  std::string sweep_path;
  std::string sweep_text;
  std::string base_scenario;

  std::vector<std::string> axis_names;
  std::vector<std::string> axis_paths;
  std::vector<bool> axis_numeric;
  /// Numeric axes whose every value is written as an integer: stored as int64.
  std::vector<bool> axis_integer;
  /// The unit label of each axis (as cf_units spells labels), "" when unknown.
  std::vector<std::string> axis_units;
  std::vector<std::string> indicator_names;
  /// The unit label and description of each indicator, as the run's summary gives them.
  std::vector<std::string> indicator_units, indicator_descriptions;

  std::vector<uint64_t> row, point, replication, seed;
  std::vector<std::vector<double>> axis_number;     // [axis][i]: NaN for a non-numeric axis
  std::vector<std::vector<std::string>> axis_text;  // [axis][i]: only for non-numeric axes
  std::vector<std::vector<double>> indicator;       // [indicator][i]
  std::vector<std::string> status, error;
  std::vector<double> run_seconds;
  SweepDesign design;
  std::vector<DesignRole> design_role;  // per row when design.kind is not "", else empty
  /// Per row, where its series are: a run file and "/" (its groups but /provenance), or a
  /// sweep file and "/series" (that file's row of the same number); "" for none.
  std::vector<std::string> series_file, series_object;
  /// With band_quantiles not empty: the run files whose series /bands summarises (the done
  /// replications of an ensemble, in replication order), and the quantiles it gives. Written,
  /// not read back (read_sweep_result leaves both empty; python/gpumarket open_bands reads
  /// /bands).
  std::vector<std::string> band_files;
  std::vector<double> band_quantiles;

  size_t size() const { return row.size(); }
};

/// Writes "<path>.partial", flushes it to disk and renames it to `path`: a file at `path` is
/// always complete. Throws Error naming `path` when HDF5 or the file system fails, or when an
/// axis's name is that of another column.
void write_sweep_result(const std::filesystem::path& path, const SweepResult& result);

/// Reads a file that write_sweep_result wrote. series_file/series_object point into it for
/// rows with series. Throws Error naming `path` when it is missing, not a sweep result or of
/// another format version (naming the version found and the one expected).
SweepResult read_sweep_result(const std::filesystem::path& path);

}  // namespace gpumarket
