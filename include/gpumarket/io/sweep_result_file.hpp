// The HDF5 file of a sweep's result (or of one shard of it): the points table, optional per-row
// time series and provenance; written atomically, read back for merging, comparing and tests.
// The sweep module fills and merges SweepResult; io owns its layout on disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gpumarket {

/// A points table in memory, column by column; every column has one entry per row present.
/// File layout (all columns 1-D, one element per row, ordered by `row`):
///   /                                   attributes format ("gpumarket-sweep 1"),
///                                       program_version, fingerprint, sweep_seed,
///                                       replications, points_total, rows_total,
///                                       shard_index, shard_count, common_random_numbers
///   /points/row, point, replication, seed    uint64
///   /points/axis/<name>                 double (numeric axis) or string; attributes path
///                                       and order (its place in the sweep file)
///   /points/indicator/<name>            double (NaN when the row failed); attribute order
///   /points/status                      string: "done", "failed" or "pending"
///   /points/error                       string: the failed row's error, else ""
///   /timing/run_seconds                 double: wall time of each row's run (not part of
///                                       the points table: it differs from run to run)
///   /series/row_<row>/<group>/<name>    each kept row's series and summary, as `run` writes
///   /provenance/sweep_file, sweep_path, base_scenario   strings
struct SweepResult {
  std::string format = "gpumarket-sweep 1";
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
  std::vector<std::string> indicator_names;

  std::vector<uint64_t> row, point, replication, seed;
  std::vector<std::vector<double>> axis_number;     // [axis][i]: NaN for a non-numeric axis
  std::vector<std::vector<std::string>> axis_text;  // [axis][i]: only for non-numeric axes
  std::vector<std::vector<double>> indicator;       // [indicator][i]
  std::vector<std::string> status, error;
  std::vector<double> run_seconds;
  /// Per row: an HDF5 file whose top-level groups (but /provenance) and object paths below
  /// `series_object` are copied to /series/row_<row>; empty: no series.
  std::vector<std::string> series_file, series_object;

  size_t size() const { return row.size(); }
};

/// Writes "<path>.partial", flushes it to disk and renames it to `path`: a file at `path` is
/// always complete. Throws Error naming `path` when HDF5 or the file system fails.
void write_sweep_result(const std::filesystem::path& path, const SweepResult& result);

/// Reads a file that write_sweep_result wrote. series_file/series_object point into it for
/// rows with series. Throws Error naming `path` when it is missing or not a sweep result.
SweepResult read_sweep_result(const std::filesystem::path& path);

}  // namespace gpumarket
