// A parameter sweep as a plain value: the base scenario tree, the axes expanded into points,
// the replications and the indicators to collect, decoded from a sweep file with located errors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/config_reader.hpp"
#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/io/sweep_result_file.hpp"

namespace gpumarket {

/// A scenario file that a scenario axis takes as one of its values: the text written (relative
/// to the sweep file) and the file's tree after its own `extends`.
struct ScenarioLayer {
  std::string file;
  ConfigNode tree;
};

/// One axis: a named scalar of the base scenario that the sweep varies, or (a scenario axis)
/// the scenario files of which each point takes one.
struct SweepAxis {
  std::string name;  // column name in the results and in constraints
  std::string path;  // apply_override path syntax, e.g. "venues.farm.servers"; "" for a
                     // scenario axis
  std::vector<ScenarioLayer> scenarios;  // a scenario axis's files, in the order written
  bool numeric = true;                   // every value reads as a finite number
  bool integer = false;  // numeric, and every value is written as an integer ("3", not "3.0")
  std::string unit;      // the unit label the key's name gives ("_per_hour": "1/h"), or ""
  SourceLocation where;  // the axis definition in the sweep file
};

/// The value one point gives one axis: the scalar text written into the scenario, and the
/// number it reads as (NaN for a non-numeric axis).
struct AxisValue {
  std::string text;
  double number = 0;
  SourceLocation where;  // the value in the sweep file (generated values: the axis)
};

/// One point of the sweep: a value per axis, in the order of SweepSpec::axes.
struct SweepPoint {
  std::vector<AxisValue> values;
};

/// A row of the points table: one replication of one point. row = point * replications + r.
struct SweepRow {
  uint64_t row = 0;
  uint64_t point = 0;
  uint64_t replication = 0;
  uint64_t seed = 0;  // the scenario seed of this run
};

struct SweepSpec {
  std::string path;  // the sweep file as given
  std::string text;  // its bytes
  /// The base scenario after `extends`, before any axis value. With scenario axes: the
  /// overrides that `base` applies on top of each point's scenario files (maybe empty).
  ConfigNode base;
  std::vector<SweepAxis> axes;
  std::vector<SweepPoint> points;  // after constraints, in expansion order
  uint64_t replications = 1;
  SourceLocation replications_location;  // its value in the file, to name it in errors
  uint64_t seed = 1;                     // the sweep seed
  /// true: the scenario seed depends only on (sweep seed, replication), so replication r of
  /// every point draws the same demand stream (common random numbers).
  bool common_random_numbers = true;
  std::vector<std::string> indicators;  // summary names; empty: every summary value
  std::vector<SourceLocation> indicator_locations;
  bool keep_series = false;
  std::string output;  // the output file from the sweep file ("" if absent)
  /// `fork_at`: the date ("YYYY-MM-DD[THH:MM[:SS]]") before which every point of a
  /// replication shares one history (sweep_fork.hpp); "" when the sweep is not forked. Not in
  /// the fingerprint: a forked sweep's rows are those of the same sweep unforked.
  std::string fork_at;
  SourceLocation fork_at_location;
  /// With one `sample: morris|sobol` block as the axes: the design, and each point's role.
  SweepDesign design;
  std::vector<DesignRole> design_roles;

  uint64_t row_count() const { return points.size() * replications; }
  SweepRow row(uint64_t index) const;
  /// "name=value,name=value": the point's identity, independent of its index.
  std::string point_key(uint64_t point) const;
  /// The resolved scenario tree of one row: the point's scenario files merged in axis order
  /// (if it has scenario axes), the base, the point's values and the row's seed.
  ConfigNode scenario_tree(const SweepRow& row) const;
  /// The scenario of a point before its scalar values and seed: the base, or its scenario
  /// files merged in axis order with the base on top.
  ConfigNode point_base(uint64_t point) const;
  /// A hex digest of everything that determines the results (base, points, seeds,
  /// indicators, series): journals and shard files of another sweep are refused.
  std::string fingerprint() const;
};

/// Reads and decodes a sweep file, resolves its base scenario and scenario axes' files
/// (relative to the sweep file), checks every axis path against the base (against every
/// combination of scenario files), expands the axes and applies the constraints.
/// Throws Error, located in the sweep file, for the first problem found.
SweepSpec load_sweep(const std::string& path);
/// Whether `path` holds a sweep file rather than a scenario: a mapping with `axes` at its top
/// level, a key no scenario has. False when the file cannot be read or parsed as YAML (loading
/// it as a scenario then says why).
bool is_sweep_file(const std::string& path);

/// The same, from text that `path` names in locations (the base is resolved relative to it).
SweepSpec decode_sweep(const std::string& text, const std::string& path);

/// Checks that the string at `key` of `r` is a path (apply_override's syntax) to one scalar of
/// `tree` other than the seed, as every axis path of a sweep file is; `tree_label` names the
/// tree in messages ("the base scenario"). Throws Error located at the key otherwise.
void check_scalar_path(const MapReader& r, std::string_view key, const ConfigNode& tree,
                       std::string_view tree_label);

/// The scenario that `key` of `r` gives, as a sweep file's `base`: a file relative to
/// `file_path`, or a mapping (whose `extends` is resolved relative to `file_path`).
ConfigNode decode_scenario_key(MapReader& r, std::string_view key, const std::string& file_path);

/// The scenario seed of a row: derive_seed(sweep seed, "replication/<r>") with common random
/// numbers, otherwise derive_seed(derive_seed(sweep seed, "point/<point key>"), "replication/<r>").
uint64_t sweep_row_seed(uint64_t sweep_seed, const std::string& point_key, uint64_t replication,
                        bool common_random_numbers);

}  // namespace gpumarket
