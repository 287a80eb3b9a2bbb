#include "gpumarket/core/memory_recorder.hpp"

#include "gpumarket/core/check.hpp"

namespace gpumarket {

SeriesId MemoryRecorder::declare_series(const SeriesSpec& spec) {
  series_.push_back(Series{spec, {}});
  return static_cast<SeriesId>(series_.size() - 1);
}

void MemoryRecorder::append(SeriesId series, std::span<const double> row) {
  GPUMARKET_CHECK(series < series_.size());
  Series& target = series_[series];
  GPUMARKET_CHECK(row.size() == target.width());
  if (keep_series_) target.values.insert(target.values.end(), row.begin(), row.end());
}

const MemoryRecorder::Series* MemoryRecorder::find_series(std::string_view group,
                                                          std::string_view name) const {
  for (const Series& s : series_) {
    if (s.spec.group == group && s.spec.name == name) return &s;
  }
  return nullptr;
}

std::optional<double> MemoryRecorder::summary_value(std::string_view name) const {
  for (const SummaryValue& v : summary_) {
    if (v.name == name) return v.value;
  }
  return std::nullopt;
}

}  // namespace gpumarket
