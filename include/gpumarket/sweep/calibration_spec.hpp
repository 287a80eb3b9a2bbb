// A calibration file as a plain value: the scenario, the free parameters with their bounds
// and priors, the targets with their observed values, and the search's settings; decoded with
// located errors (docs/calibration.md, "The calibration file").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/sweep/minimiser.hpp"
#include "gpumarket/sweep/series_statistic.hpp"

namespace gpumarket {

/// A Gaussian prior on a parameter: adds ((x - mean) / sd)^2 to the objective.
struct ParameterPrior {
  double mean = 0;
  double sd = 1;
};

struct CalibrationParameter {
  std::string name;
  std::string path;  // a --set path of the scenario, as a sweep axis's
  double lower = 0, upper = 0, start = 0;
  std::string unit;  // written after the value ("h": "1.5h"), for durations
  std::optional<ParameterPrior> prior;
  SourceLocation where;
};

struct CalibrationTarget {
  std::string name;
  /// A summary indicator, or (when empty) a statistic of a series.
  std::string indicator;
  std::string series_group, series_name, column;  // column: "" for a series without columns
  SeriesStatistic statistic;
  double observed = 0;
  double tolerance = 1;  // the standard error of `observed`: weight 1 / tolerance^2
  std::string source;
  SourceLocation where;

  /// "utilisation", or e.g. "level of tick/price[golem]".
  std::string measure() const;
};

struct CalibrationSpec {
  std::string path;  // the calibration file as given
  std::string text;  // its bytes
  ConfigNode base;   // the scenario after extends
  std::vector<CalibrationParameter> parameters;
  std::vector<CalibrationTarget> targets;
  uint64_t seed = 1;
  uint64_t replications = 8;
  SourceLocation replications_location;  // its value in the file, to name it in errors
  double confidence = 0.95;
  /// Central differences of the Jacobian step this fraction of each range each way.
  double jacobian_step = 0.02;
  MinimiserOptions optimiser;
  std::string output;  // from the file; "" if absent

  /// The value text a parameter is written with into the scenario: exact ("%.17g") + unit.
  std::string value_text(size_t parameter, double value) const;
  /// The scenario tree with `values` set (one per parameter).
  ConfigNode scenario_at(const std::vector<double>& values) const;
  /// A hex digest of everything that determines an evaluation's results (scenario,
  /// parameters' paths and units, targets' measures, seed, replications), not the search's
  /// settings: a journal of evaluations serves any search of the same problem.
  std::string fingerprint() const;
};

/// Reads and decodes a calibration file; its scenario (`scenario:` a file relative to it, or a
/// mapping with `extends`) is resolved and decoded, each parameter path is checked against it
/// (and the scenario decoded at each bound), each target's indicator or series against the
/// summary and series a probe run declares. Throws Error, located in the file, at the first
/// problem.
CalibrationSpec load_calibration(const std::string& path);
CalibrationSpec decode_calibration(const std::string& text, const std::string& path);

}  // namespace gpumarket
