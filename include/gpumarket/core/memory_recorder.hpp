// A Recorder that keeps everything in memory: for tests, and for sweep points
// that only need their summary.
#pragma once

#include <optional>
#include <string_view>

#include "gpumarket/core/recorder.hpp"

namespace gpumarket {

class MemoryRecorder final : public Recorder {
 public:
  struct Series {
    SeriesSpec spec;
    std::vector<double> values;  // row-major, rows × width
    size_t width() const { return spec.columns.empty() ? 1 : spec.columns.size(); }
    size_t rows() const { return values.size() / width(); }
    double at(size_t row, size_t column = 0) const { return values[row * width() + column]; }
  };

  /// With keep_series false, appended rows are counted but not stored.
  explicit MemoryRecorder(bool keep_series = true) : keep_series_(keep_series) {}

  void begin(const RunInfo& info) override { info_ = info; }
  SeriesId declare_series(const SeriesSpec& spec) override;
  void append(SeriesId series, std::span<const double> row) override;
  void add_summary(const SummaryValue& value) override { summary_.push_back(value); }
  void finish() override { finished_ = true; }

  const RunInfo& info() const { return info_; }
  const std::vector<Series>& series() const { return series_; }
  /// The series "<group>/<name>", or nullptr.
  const Series* find_series(std::string_view group, std::string_view name) const;
  const std::vector<SummaryValue>& summary() const { return summary_; }
  std::optional<double> summary_value(std::string_view name) const;
  bool finished() const { return finished_; }

 private:
  bool keep_series_;
  RunInfo info_;
  std::vector<Series> series_;
  std::vector<SummaryValue> summary_;
  bool finished_ = false;
};

}  // namespace gpumarket
