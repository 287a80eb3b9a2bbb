// The recorder the market's indicators write to: it passes everything on to the run's
// recorder and, for a run that may be continued elsewhere (a checkpoint, a forked sweep),
// also keeps the rows appended so far, in their order, so that the continued run can write
// them to its own output before its first row of its own.
#pragma once

#include <span>
#include <vector>

#include "gpumarket/core/recorder.hpp"

namespace gpumarket {

class RowLog final : public Recorder {
 public:
  void attach(Recorder& target) { target_ = &target; }
  void keep_rows() { keeping_ = true; }

  void begin(const RunInfo& info) override { target_->begin(info); }
  SeriesId declare_series(const SeriesSpec& spec) override { return target_->declare_series(spec); }
  void append(SeriesId series, std::span<const double> row) override {
    target_->append(series, row);
    if (!keeping_) return;
    series_.push_back(series);
    widths_.push_back(static_cast<uint32_t>(row.size()));
    values_.insert(values_.end(), row.begin(), row.end());
  }
  void add_summary(const SummaryValue& value) override { target_->add_summary(value); }
  void finish() override { target_->finish(); }

  /// Appends the kept rows to the attached recorder (whose series are declared), in order.
  void replay() {
    size_t offset = 0;
    for (size_t i = 0; i < series_.size(); ++i) {
      target_->append(series_[i], std::span<const double>(values_).subspan(offset, widths_[i]));
      offset += widths_[i];
    }
  }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(series_, widths_, values_);
  }

 private:
  Recorder* target_ = nullptr;
  bool keeping_ = false;
  std::vector<SeriesId> series_;
  std::vector<uint32_t> widths_;
  std::vector<double> values_;
};

}  // namespace gpumarket
