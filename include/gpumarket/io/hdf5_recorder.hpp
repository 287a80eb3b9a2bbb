// A Recorder that streams a run's output into an HDF5 file, published under its
// final name only when the run finishes.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "gpumarket/core/recorder.hpp"

namespace gpumarket {

/// Writes "<path>.partial" while the run goes on and renames it to `path` in
/// finish(), so that a file at `path` is always complete. The layout is netCDF-4 with CF
/// metadata (docs/output.md):
///   /                          attributes Conventions = "CF-1.8", gpumarket_format,
///                              program_version, seed, start_date, scenario_file, and
///                              complete = 1 (set by finish())
///   /provenance/scenario_text, /provenance/resolved_scenario   scalar strings; attributes
///                              command_line, overrides, timeline_dates, timeline_labels
///   /<group>/time              the group's time series: a dimension scale, CF time units
///                              "hours since <start_date> 00:00:00", bounds time_bnds
///   /<group>/time_bnds         [rows x nv = 2]: each row's [start, end]
///   /<group>/<axis>            e.g. venue: the labels of a column axis, a dimension scale
///   /<group>/<name>            double, [time] or [time x <axis>], chunked along time,
///                              compressed and Fletcher-32 checksummed; attributes units
///                              (UDUNITS), currency, units_label (the unit as declared),
///                              long_name, columns
///   /summary/<name>            scalar double, compact (in its checksummed object header);
///                              attributes units, currency, units_label, long_name
/// The same calls produce a byte-identical file: no timestamps are stored.
class Hdf5Recorder final : public Recorder {
 public:
  /// The layout's version, the root attribute "gpumarket_format": Hdf5Reader reads only it.
  static constexpr std::string_view kFormatVersion = "2";

  struct Options {
    /// zlib level 1-9 for series data, 0 for none. `gpumarket run scenarios/bear.yaml`
    /// (600 days of hourly ticks): 23.8 MB uncompressed; level 1 gives 6.0 MB for ~3 % more
    /// CPU time, level 4 5.8 MB for 3–7 % (beyond the 5 % a run may spend on its output).
    /// Byte shuffling before deflate, HDF5's usual companion, made level 4 6.3 MB and cost
    /// 8 %: the series repeat whole values from row to row (capacities, counts, zeros, NaN),
    /// which deflate finds without it.
    int deflate_level = 1;
  };

  /// Creates "<path>.partial" and holds an exclusive lock on it (docs/output.md, "Writing").
  /// Throws gpumarket::Error, with a message starting with `path`, when the directory of
  /// `path` does not exist or is not writable, when `path` names a directory, or when another
  /// process is writing "<path>.partial" (which is then left as it is). An existing file at
  /// `path` is replaced only by finish().
  explicit Hdf5Recorder(const std::filesystem::path& path);
  Hdf5Recorder(const std::filesystem::path& path, const Options& options);
  /// Without finish(), closes and deletes the partial file; never throws.
  ~Hdf5Recorder() override;
  Hdf5Recorder(const Hdf5Recorder&) = delete;
  Hdf5Recorder& operator=(const Hdf5Recorder&) = delete;

  /// The methods below throw gpumarket::Error when HDF5 fails (e.g. a full disk),
  /// and when a series or summary name is used twice.
  void begin(const RunInfo& info) override;
  SeriesId declare_series(const SeriesSpec& spec) override;
  /// Buffers the row; writes to the file once a chunk (about 32 KiB) is full.
  void append(SeriesId series, std::span<const double> row) override;
  /// Kept in memory and written by finish().
  void add_summary(const SummaryValue& value) override;
  /// Writes buffered rows and the summary, marks the file complete, closes it,
  /// flushes it to disk and renames it to the final path.
  void finish() override;

  const std::filesystem::path& path() const { return path_; }

 private:
  struct State;

  std::filesystem::path path_;
  std::unique_ptr<State> state_;
};

}  // namespace gpumarket
