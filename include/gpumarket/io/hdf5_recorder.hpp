// A Recorder that streams a run's output into an HDF5 file, published under its
// final name only when the run finishes.
#pragma once

#include <filesystem>
#include <memory>

#include "gpumarket/core/recorder.hpp"

namespace gpumarket {

/// Writes "<path>.partial" while the run goes on and renames it to `path` in
/// finish(), so that a file at `path` is always complete. Layout:
///   /                          attributes program_version, seed, start_date,
///                              scenario_file, and complete = 1 (set by finish())
///   /provenance/scenario_text, /provenance/resolved_scenario   scalar strings
///   /<group>/<name>            double, [rows] or [rows x columns], chunked along
///                              rows; attributes units, description, columns (2-D)
///   /summary/<name>            scalar double; attributes units, description
/// The same calls produce a byte-identical file: no timestamps are stored.
class Hdf5Recorder final : public Recorder {
 public:
  struct Options {
    /// zlib level 1-9 for series data (with byte shuffling), 0 for none. Level 1
    /// made a price-like 4-column series 2.5 times smaller but appending it ten
    /// times slower (40 instead of 450 MB/s), so the default is none.
    int deflate_level = 0;
  };

  /// Creates "<path>.partial". Throws gpumarket::Error, with a message starting
  /// with `path`, when the directory of `path` does not exist or is not writable,
  /// or when `path` names a directory. An existing file at `path` is replaced
  /// only by finish().
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
