// The observer through which a run reports its output: provenance, time series and
// a summary. HDF5 is one implementation (io/hdf5_recorder); MemoryRecorder keeps
// everything in memory for tests and sweeps.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gpumarket {

/// A dated change of the scenario, as the run applied it.
struct TimelineMark {
  std::string date;   // "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SS" when not at midnight
  std::string label;  // e.g. "2026-06-15: venues.alliance.pool.subsidy_rate=0.4"
};

/// A setting of the scenario that readers of the output need to place its indicators, e.g.
/// {"indicators.daa_before", {"2026-06-01", "2026-07-01"}}: its key path and its values.
struct IndicatorSetting {
  std::string key;
  std::vector<std::string> values;
};

/// Provenance written once, before any series.
struct RunInfo {
  std::string scenario_file;      // path as the user gave it
  std::string scenario_text;      // the file's text, byte for byte
  std::string resolved_scenario;  // the scenario after extends and overrides, as YAML
  uint64_t seed = 0;
  std::string program_version;
  std::string start_date;  // "YYYY-MM-DD": time 0 of every series
  // The command that reproduces the run, rebuilt from its parsed options ("" when the run
  // did not come from the command line).
  std::string command_line;
  std::vector<std::string> overrides;  // each --set "key.path=value", in the order given
  std::vector<TimelineMark> timeline;  // the scenario's dated changes, in time order
  // The dates the headline indicators compare (DAA windows, bridge split), for plots.
  std::vector<IndicatorSetting> indicator_settings;
};

/// A time series: one row per sample, `columns.size()` values per row (one value
/// per row when `columns` is empty). Stored at "<group>/<name>". Each group's first
/// series is its time: `is_time`, unit "h", hours since `RunInfo::start_date` at the end
/// of each row's interval, which starts at the previous row's time (at 0 for the first
/// row); every other series of the group has as many rows.
struct SeriesSpec {
  std::string group;  // e.g. "tick" or "day": series of one group share their time axis
  std::string name;   // e.g. "price"
  std::string unit;   // e.g. "USD/(PF*h)"
  std::string description;
  std::vector<std::string> columns;  // e.g. venue names
  // What the columns are, e.g. "venue"; required with columns. Series of one group with
  // the same axis have the same columns.
  std::string axis;
  bool is_time = false;
};

/// One summary indicator of the run.
struct SummaryValue {
  std::string name;
  double value = 0;
  std::string unit;
  std::string description;
};

using SeriesId = uint32_t;

class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void begin(const RunInfo& info) = 0;
  /// Declares a series; all declarations come after begin() and before the first append.
  /// Returns 0, 1, 2, ... in declaration order.
  virtual SeriesId declare_series(const SeriesSpec& spec) = 0;
  /// Appends one row; `row.size()` equals the series' column count (1 when none).
  virtual void append(SeriesId series, std::span<const double> row) = 0;
  virtual void add_summary(const SummaryValue& value) = 0;
  /// Publishes the output as complete. Until then nothing looks finished.
  virtual void finish() = 0;
};

}  // namespace gpumarket
