// Reads the files that Hdf5Recorder writes: provenance, summary and series, for
// `gpumarket compare` and for tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gpumarket/core/recorder.hpp"

namespace gpumarket {

class Hdf5Reader {
 public:
  /// A series as stored: its declaration and all its rows.
  struct Series {
    SeriesSpec spec;  // group, name, unit, description, columns, axis, is_time
    size_t rows = 0;
    std::vector<double> values;  // row-major, rows × width()
    size_t width() const { return spec.columns.empty() ? 1 : spec.columns.size(); }
    double at(size_t row, size_t column = 0) const { return values[row * width() + column]; }
  };

  /// Opens a finished results file. Throws gpumarket::Error, with a message
  /// starting with `path`, when the file does not exist, is not an HDF5 file, has
  /// another format version than Hdf5Recorder::kFormatVersion, or is not marked complete.
  explicit Hdf5Reader(const std::filesystem::path& path);
  ~Hdf5Reader();
  Hdf5Reader(const Hdf5Reader&) = delete;
  Hdf5Reader& operator=(const Hdf5Reader&) = delete;
  Hdf5Reader(Hdf5Reader&& other) noexcept;
  Hdf5Reader& operator=(Hdf5Reader&& other) noexcept;

  /// The methods below throw gpumarket::Error when the item is missing or has
  /// another type.

  /// A string attribute of the root group, e.g. "program_version".
  std::string string_attribute(std::string_view name) const;
  /// An integer attribute of the root group, e.g. "seed".
  uint64_t uint64_attribute(std::string_view name) const;
  /// The root attributes and the provenance datasets.
  RunInfo run_info() const;
  /// All summary values, sorted by name.
  std::vector<SummaryValue> summary() const;
  /// The series "<group>/<name>"; a group's time series is "<group>/time". Its unit and
  /// description are the declared ones (attributes units_label and long_name).
  Series series(std::string_view group, std::string_view name) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  struct State;

  std::filesystem::path path_;
  std::unique_ptr<State> state_;
};

}  // namespace gpumarket
