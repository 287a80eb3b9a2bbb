#include "gpumarket/sweep/sweep_spec.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/hash.hpp"
#include "gpumarket/core/random.hpp"
#include "gpumarket/io/config_reader.hpp"
#include "gpumarket/sweep/constraint.hpp"
#include "gpumarket/sweep/morris_selection.hpp"
#include "gpumarket/sweep/sensitivity_design.hpp"
#include "gpumarket/sweep/sweep_fork.hpp"

namespace gpumarket {
namespace {

// One entry of `axes`: a block of one or more axes with `rows` value tuples. The points are
// the Cartesian product of the blocks, the last block varying fastest.
struct Block {
  std::vector<SweepAxis> axes;
  std::vector<std::vector<AxisValue>> rows;  // rows × axes.size()
  SweepDesign design;                        // a Morris or Sobol block's design (kind "" otherwise)
  std::vector<DesignRole> roles;             // ... and each row's role in it
};

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// The number a scalar reads as, or NaN when it is not a finite decimal number.
double number_of(const std::string& text) {
  if (text.empty()) return std::nan("");
  char* end = nullptr;
  const double x = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(x)) return std::nan("");
  // strtod also reads "0x1p3", "inf" and "nan": YAML scenario readers do not.
  if (text.find_first_of("xXnN") != std::string::npos) return std::nan("");
  return x;
}

// Shortest text that reads back as `x`; `digits` > 0 rounds to that many significant
// digits first, so that a range 0.1, 0.2, 0.3 is written as such and not as 0.30000000000000004.
AxisValue generated_value(double x, int digits, const SourceLocation& where) {
  if (digits > 0) x = std::strtod(fmt::format("{:.{}g}", x, digits).c_str(), nullptr);
  if (x == 0) x = 0;  // no "-0"
  return AxisValue{fmt::format("{}", x), x, where};
}

// The points table's own columns (docs/sweeps.md, "The result"): no axis may take their name.
constexpr std::array<std::string_view, 10> kTableColumns = {
    "row",   "point",  "replication", "seed",       "status",
    "error", "timing", "series",      "provenance", "design"};

// The unit a scenario key's name gives (scenarios/README.md: "units are in the key's name"),
// as the label cf_units spells; "" when the name carries none.
std::string unit_of_key(std::string_view key) {
  constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kSuffixes = {{
      {"_usd_per_pf_hour", "USD/(PF*h)"},
      {"_per_hour", "1/h"},
      {"_usd", "USD"},
      {"_pfh", "PF*h"},
      {"_pf", "PF"},
      {"_hours", "h"},
      {"_h", "h"},
  }};
  for (const auto& [suffix, unit] : kSuffixes) {
    if (key.ends_with(suffix)) return std::string(unit);
  }
  return {};
}

// Whether `text` is an integer literal ("3", "-12"), which an integer axis is made of.
bool is_integer_literal(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  return !text.empty() && text.size() <= 18 &&
         std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// A scenario an axis path must exist in: the base, or one combination of scenario files
// ("world=central.yaml,policy=bull.yaml") with the base on top.
struct BaseScenario {
  std::string label;  // "" for the sweep's base alone
  ConfigNode tree;
};

std::string in_base(const BaseScenario& base) {
  return base.label.empty() ? "the base scenario" : "the scenario of " + base.label;
}

SweepAxis decode_axis_head(MapReader& r, const std::vector<BaseScenario>& bases,
                           std::vector<std::string>& seen_paths) {
  SweepAxis axis;
  axis.where = r.node().location;
  axis.path = r.string("path");
  for (const BaseScenario& base : bases) check_scalar_path(r, "path", base.tree, in_base(base));
  if (std::find(seen_paths.begin(), seen_paths.end(), axis.path) != seen_paths.end()) {
    r.fail("path", fmt::format("'{}' is already swept by another axis", axis.path));
  }
  seen_paths.push_back(axis.path);
  const size_t dot = axis.path.find_last_of(".]");
  std::string fallback = dot == std::string::npos ? axis.path : axis.path.substr(dot + 1);
  if (r.has("name")) {
    axis.name = r.string("name");
    if (!is_identifier(axis.name)) {
      r.fail("name", fmt::format("'{}' is not a name of letters, digits and '_' that starts "
                                 "with a letter (constraints refer to axes by name)",
                                 axis.name));
    }
  } else {
    axis.name = fallback;
  }
  if (std::find(kTableColumns.begin(), kTableColumns.end(), axis.name) != kTableColumns.end()) {
    r.fail(r.has("name") ? "name" : "path",
           fmt::format("the axis name '{}' is that of a column of the points table; give the "
                       "axis another `name`",
                       axis.name));
  }
  axis.unit = unit_of_key(fallback);
  return axis;
}

// `values: [...]` or `range: {from, to, step | count}` of one axis.
std::vector<AxisValue> decode_axis_values(MapReader& r) {
  std::vector<AxisValue> values;
  const bool has_values = r.has("values"), has_range = r.has("range");
  if (has_values == has_range) {
    if (!has_values) r.finish();  // a misspelt `values` reads better as an unknown key
    r.fail(has_values ? "range" : "values",
           "an axis needs exactly one of `values` (a list) or `range` ({from, to, step} or "
           "{from, to, count})");
  }
  if (has_values) {
    SequenceReader items = r.sequence("values");
    if (items.empty()) r.fail("values", "the axis has no values (an empty axis has no points)");
    for (size_t i = 0; i < items.size(); ++i) {
      const ConfigNode& item = items.item(i);
      if (!item.is_scalar()) {
        throw Error(item.location, fmt::format("{}: expected a scalar value, got {}",
                                               items.item_path(i), item.kind_description()));
      }
      values.push_back(AxisValue{item.scalar, number_of(item.scalar), item.location});
    }
    return values;
  }
  MapReader range = r.map("range");
  const double from = range.number("from");
  const double to = range.number("to");
  const bool has_step = range.has("step"), has_count = range.has("count");
  if (has_step == has_count) {
    range.fail(has_step ? "count" : "step", "a range needs exactly one of `step` or `count`");
  }
  const SourceLocation where = range.node().location;
  if (has_step) {
    const double step = range.number("step", Check::Positive);
    range.finish();
    if (to < from) range.fail("to", "the range is empty: `to` is below `from`");
    const double n = std::floor((to - from) / step * (1 + 1e-12) + 1e-9);
    if (n > 1e7) range.fail("step", "the range has more than ten million values");
    for (int64_t i = 0; i <= static_cast<int64_t>(n); ++i) {
      values.push_back(generated_value(from + static_cast<double>(i) * step, 12, where));
    }
  } else {
    const int64_t count = range.integer("count", Check::Positive);
    range.finish();
    if (count > 10'000'000) range.fail("count", "the range has more than ten million values");
    for (int64_t i = 0; i < count; ++i) {
      const double x =
          count == 1 ? from
                     : from + (to - from) * static_cast<double>(i) / static_cast<double>(count - 1);
      values.push_back(generated_value(x, 12, where));
    }
  }
  return values;
}

// One range of a sample block, after its name and path: `min`, `max`, `distribution`
// (`mean` and `sd` for a normal one) and `integer`.
ParameterRange decode_range(MapReader& item) {
  ParameterRange range;
  range.min = item.number("min");
  range.max = item.number("max");
  const std::string distribution =
      item.optional_enumeration("distribution", "uniform", {"uniform", "log_uniform", "normal"});
  range.integer = item.optional_boolean("integer", false);
  const bool normal = distribution == "normal";
  const char* stray = nullptr;  // `mean` or `sd` given to a distribution that has none
  if (normal) {
    range.distribution = ParameterDistribution::Normal;
    range.mean = item.optional_number("mean", std::nan(""));
    range.sd = item.optional_number("sd", std::nan(""), Check::Positive);
  } else {
    range.distribution = distribution == "log_uniform" ? ParameterDistribution::LogUniform
                                                       : ParameterDistribution::Uniform;
    stray = item.has("mean") ? "mean" : item.has("sd") ? "sd" : nullptr;
  }
  item.finish();
  if (stray != nullptr) {
    item.fail(stray, fmt::format("only `distribution: normal` takes `{}` (this range is {})", stray,
                                 distribution));
  }
  if (!(range.min < range.max)) item.fail("max", "expected `max` above `min`");
  if (range.distribution == ParameterDistribution::LogUniform && !(range.min > 0)) {
    item.fail("min", "a log_uniform range needs `min` above 0");
  }
  if (normal) {
    for (const char* key : {"mean", "sd"}) {
      if (std::isnan(key[0] == 'm' ? range.mean : range.sd)) {
        item.fail(key,
                  "a normal distribution needs `mean` and `sd` (it is truncated to "
                  "[min, max])");
      }
    }
    // Far in a tail, the quantiles of the truncated normal are lost to rounding.
    if (std::abs(range.mean - std::clamp(range.mean, range.min, range.max)) > 8 * range.sd) {
      item.fail("mean",
                "the normal distribution has almost no mass in [min, max]: `mean` is "
                "more than 8 `sd` outside the range");
    }
  }
  return range;
}

// `count` points uniform in the unit cube [0, 1)^d: independent (`random`) or a Latin
// hypercube.
std::vector<std::vector<double>> sample_unit_cube(bool latin, size_t n, size_t d,
                                                  RandomEngine& engine) {
  std::vector<std::vector<double>> u(n, std::vector<double>(d));
  if (!latin) {
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < d; ++j) u[i][j] = uniform01(engine);
    }
    return u;
  }
  // Latin hypercube: each axis is cut into n equal strata, each stratum is used once, the
  // strata are paired across axes by independent random permutations (Fisher-Yates), and
  // each value is uniform within its stratum.
  for (size_t j = 0; j < d; ++j) {
    std::vector<size_t> stratum(n);
    for (size_t i = 0; i < n; ++i) stratum[i] = i;
    for (size_t i = n; i > 1; --i) std::swap(stratum[i - 1], stratum[uniform_below(engine, i)]);
    for (size_t i = 0; i < n; ++i) {
      u[i][j] = (static_cast<double>(stratum[i]) + uniform01(engine)) / static_cast<double>(n);
    }
  }
  return u;
}

// The points of a Morris or Sobol block in the unit cube, their roles in `block`. Throws Error
// at the block's keys for a design it cannot make.
std::vector<std::vector<double>> design_unit_cube(MapReader& r, const std::string& method, size_t k,
                                                  RandomEngine& engine, Block& block) {
  constexpr double kMaxPoints = 1e7, kMaxDistanceWork = 2e9;
  UnitDesign design;
  if (method == "morris") {
    const int64_t trajectories = r.integer("trajectories", Check::Positive);
    const int64_t levels = r.integer("levels", Check::Positive);
    const bool select = r.has("candidates");
    const int64_t candidates = r.optional_integer("candidates", trajectories, Check::Positive);
    r.finish();
    if (levels < 4 || levels % 2 != 0) {
      r.fail("levels", fmt::format("expected an even number of at least 4 levels, got {} (Morris's "
                                   "step Delta = p / (2 (p - 1)) is a whole number of grid "
                                   "steps only for an even p)",
                                   levels));
    }
    if (static_cast<double>(trajectories) * static_cast<double>(k + 1) > kMaxPoints) {
      r.fail("trajectories", "the design has more than ten million points");
    }
    if (select && candidates < trajectories) {
      r.fail("candidates", fmt::format("expected at least as many candidates as trajectories "
                                       "({}), got {}",
                                       trajectories, candidates));
    }
    // The selection computes the distance of every pair of candidates over (k + 1)^2 pairs of
    // points of k coordinates: bounded so that it takes seconds, not hours.
    const double kp1 = static_cast<double>(k + 1), m = static_cast<double>(candidates);
    const double work = m * (m - 1) / 2 * kp1 * kp1 * static_cast<double>(k);
    if (select && work > kMaxDistanceWork) {
      r.fail("candidates",
             fmt::format("{} candidates of {} parameters take too long to compare (their pairwise "
                         "distances cost about {:.2g} operations, at most {:.0e}); use fewer",
                         candidates, k, work, kMaxDistanceWork));
    }
    // Without `candidates` the trajectories are drawn as they always were, so that existing
    // sweeps keep their points.
    design =
        morris_design(k, static_cast<uint64_t>(candidates), static_cast<uint64_t>(levels), engine);
    if (select) design = select_spread_trajectories(design, static_cast<uint64_t>(trajectories));
  } else {
    const int64_t base_samples = r.integer("base_samples", Check::Positive);
    r.finish();
    if (k > max_sobol_parameters()) {
      r.fail("axes", fmt::format("a Sobol design takes at most {} parameters, got {}",
                                 max_sobol_parameters(), k));
    }
    if (static_cast<double>(base_samples) * static_cast<double>(k + 2) > kMaxPoints) {
      r.fail("base_samples", "the design has more than ten million points (N (k + 2))");
    }
    design = sobol_design(k, static_cast<uint64_t>(base_samples));
  }
  block.design = std::move(design.design);
  for (const SweepAxis& axis : block.axes) block.design.parameters.push_back(axis.name);
  block.roles = std::move(design.roles);
  return std::move(design.unit);
}

Block decode_sample_block(MapReader& r, const std::vector<BaseScenario>& bases,
                          std::vector<std::string>& paths, uint64_t sweep_seed,
                          size_t block_index) {
  Block block;
  const std::string method =
      r.enumeration("sample", {"random", "latin_hypercube", "morris", "sobol"});
  SequenceReader items = r.sequence("axes", Length::NonEmpty);
  std::vector<ParameterRange> ranges;
  for (MapReader& item : items.maps()) {
    block.axes.push_back(decode_axis_head(item, bases, paths));
    ranges.push_back(decode_range(item));
  }
  // The stream is named after the block's position, so adding a block before it changes it;
  // sweeps that must keep their samples fix `seed` and append new blocks at the end.
  RandomEngine engine = make_stream(sweep_seed, fmt::format("sweep/sample/{}", block_index));
  std::vector<std::vector<double>> unit;
  if (method == "morris" || method == "sobol") {
    unit = design_unit_cube(r, method, ranges.size(), engine, block);
  } else {
    const int64_t count = r.integer("count", Check::Positive);
    r.finish();
    unit = sample_unit_cube(method == "latin_hypercube", static_cast<size_t>(count), ranges.size(),
                            engine);
  }
  for (const std::vector<double>& u : unit) {
    std::vector<AxisValue> row;
    row.reserve(ranges.size());
    for (size_t j = 0; j < ranges.size(); ++j) {
      row.push_back(generated_value(parameter_value(ranges[j], u[j]), 0, block.axes[j].where));
    }
    block.rows.push_back(std::move(row));
  }
  return block;
}

Block decode_block(MapReader r, const std::vector<BaseScenario>& bases,
                   std::vector<std::string>& paths, uint64_t sweep_seed, size_t block_index) {
  if (r.has("sample")) return decode_sample_block(r, bases, paths, sweep_seed, block_index);
  Block block;
  if (r.has("zip")) {
    SequenceReader items = r.sequence("zip", Length::NonEmpty);
    r.finish();
    std::vector<std::vector<AxisValue>> columns;
    for (MapReader& item : items.maps()) {
      block.axes.push_back(decode_axis_head(item, bases, paths));
      columns.push_back(decode_axis_values(item));
      item.finish();
      if (columns.back().size() != columns.front().size()) {
        throw Error(item.node().location,
                    fmt::format("{}: the zipped axis '{}' has {} values but '{}' has {}; zipped "
                                "axes need equally many",
                                item.path(), block.axes.back().name, columns.back().size(),
                                block.axes.front().name, columns.front().size()));
      }
    }
    for (size_t i = 0; i < columns.front().size(); ++i) {
      std::vector<AxisValue> row;
      row.reserve(columns.size());
      for (const auto& column : columns) row.push_back(column[i]);
      block.rows.push_back(std::move(row));
    }
    return block;
  }
  block.axes.push_back(decode_axis_head(r, bases, paths));
  for (AxisValue& v : decode_axis_values(r)) block.rows.push_back({std::move(v)});
  r.finish();
  return block;
}

// A scenario file named in a sweep file, relative to it, after its own `extends`. Throws
// Error at `where` when it is missing.
ConfigNode load_scenario_file(const std::string& sweep_path, const std::string& file,
                              const SourceLocation& where, const std::string& key) {
  const std::filesystem::path path = std::filesystem::path(sweep_path).parent_path() / file;
  std::error_code error;  // e.g. a name too long for the file system
  if (!std::filesystem::is_regular_file(path, error)) {
    const bool missing = !error || error == std::errc::no_such_file_or_directory;
    throw Error(where,
                fmt::format("{}: the scenario file '{}' {}", key, path.string(),
                            missing ? "does not exist" : "cannot be read: " + error.message()));
  }
  return load_config_file(path.string());
}

// `{name: world, scenario: [a.yaml, b.yaml]}`: an axis whose values are scenario files.
Block decode_scenario_block(MapReader r, const std::string& sweep_path) {
  SweepAxis axis;
  axis.where = r.node().location;
  axis.name = r.optional_string("name", "scenario");
  if (!is_identifier(axis.name)) {
    r.fail("name", fmt::format("'{}' is not a name of letters, digits and '_' that starts with "
                               "a letter",
                               axis.name));
  }
  SequenceReader files = r.sequence("scenario", Length::NonEmpty);
  r.finish();
  Block block;
  for (size_t i = 0; i < files.size(); ++i) {
    const ConfigNode& item = files.item(i);
    const std::string file = read_string(item, files.item_path(i));
    for (const ScenarioLayer& earlier : axis.scenarios) {
      if (earlier.file == file) {
        throw Error(item.location,
                    fmt::format("{}: '{}' is listed twice", files.item_path(i), file));
      }
    }
    axis.scenarios.push_back(
        {file, load_scenario_file(sweep_path, file, item.location, files.item_path(i))});
    block.rows.push_back({AxisValue{file, std::nan(""), item.location}});
  }
  block.axes.push_back(std::move(axis));
  return block;
}

// Every combination of the scenario axes' files, each with `base` on top, labelled by its
// values; just `base` when there is no scenario axis. Throws Error at `axes` beyond 4,096.
std::vector<BaseScenario> base_scenarios(const std::vector<SweepAxis>& scenario_axes,
                                         const ConfigNode& base, const SourceLocation& axes) {
  if (scenario_axes.empty()) return {BaseScenario{"", base}};
  std::vector<BaseScenario> combinations = {BaseScenario{}};
  for (const SweepAxis& axis : scenario_axes) {
    std::vector<BaseScenario> next;
    next.reserve(combinations.size() * axis.scenarios.size());
    for (const BaseScenario& partial : combinations) {
      for (const ScenarioLayer& layer : axis.scenarios) {
        BaseScenario combined{partial.label, partial.tree};
        combined.label += (combined.label.empty() ? "" : ",") + axis.name + "=" + layer.file;
        if (combined.tree.is_null()) {
          combined.tree = layer.tree;
        } else {
          merge_config(combined.tree, layer.tree);
        }
        next.push_back(std::move(combined));
      }
    }
    combinations = std::move(next);
    if (combinations.size() > 4096) {
      throw Error(axes, "axes: the scenario axes make more than 4,096 combinations of files");
    }
  }
  for (BaseScenario& combination : combinations) merge_config(combination.tree, base);
  return combinations;
}

ConfigNode decode_base(MapReader& r, const std::string& sweep_path, bool scenario_axes) {
  const ConfigNode* node = r.find("base");
  if (scenario_axes) {
    // The scenario axes give the scenarios; `base` can only add overrides on top of them.
    if (node == nullptr) return ConfigNode::make_map();
    if (!node->is_map() || node->find("extends") != nullptr) {
      r.fail("base",
             "with a scenario axis the scenarios are its files: `base` may only be a "
             "mapping of values set on top of them (no `extends`), or absent");
    }
    return *node;
  }
  if (node == nullptr) {
    r.fail("base",
           "missing required key 'base' (a scenario file or mapping, or an axis of "
           "scenario files)");
  }
  return decode_scenario_key(r, "base", sweep_path);
}

// The axes of all blocks in order, each numeric when every one of its values reads as a
// number. Throws Error at the first axis whose name an earlier axis has.
std::vector<SweepAxis> collect_axes(const std::vector<Block>& blocks) {
  std::vector<SweepAxis> axes;
  for (const Block& block : blocks) {
    for (size_t a = 0; a < block.axes.size(); ++a) {
      SweepAxis axis = block.axes[a];
      const auto same_name = [&](const SweepAxis& other) { return other.name == axis.name; };
      if (std::any_of(axes.begin(), axes.end(), same_name)) {
        throw Error(axis.where,
                    fmt::format("axes: two axes are named '{}'; give one a `name`", axis.name));
      }
      axis.numeric = std::all_of(block.rows.begin(), block.rows.end(),
                                 [&](const auto& row) { return !std::isnan(row[a].number); });
      axis.integer = axis.numeric &&
                     std::all_of(block.rows.begin(), block.rows.end(),
                                 [&](const auto& row) { return is_integer_literal(row[a].text); });
      axes.push_back(std::move(axis));
    }
  }
  return axes;
}

// The `constraints` of the sweep file, over the names of `axes`.
std::vector<Constraint> decode_constraints(const SequenceReader& items,
                                           const std::vector<SweepAxis>& axes) {
  std::vector<std::string> names;
  std::vector<bool> numeric;
  for (const SweepAxis& axis : axes) {
    names.push_back(axis.name);
    numeric.push_back(axis.numeric);
  }
  std::vector<Constraint> constraints;
  for (size_t i = 0; i < items.size(); ++i) {
    constraints.emplace_back(read_string(items.item(i), items.item_path(i)), names, numeric,
                             items.item(i).location);
  }
  return constraints;
}

// The number of points of the grid: the product of the blocks' row counts. Throws Error at
// `axes` when it is above a hundred million.
double grid_size(const std::vector<Block>& blocks, const SequenceReader& axes) {
  double total = 1;
  for (const Block& block : blocks) total *= static_cast<double>(block.rows.size());
  if (total > 1e8) {
    throw Error(axes.location(), fmt::format("axes: the grid has {:.0f} points; more than a "
                                             "hundred million is surely a mistake",
                                             total));
  }
  return total;
}

// Appends to `points` the points of the grid of `total` points (the last block varying
// fastest) at which every constraint holds. Returns, per constraint, how many points of the
// grid it holds at.
std::vector<uint64_t> expand_grid(const std::vector<Block>& blocks,
                                  const std::vector<Constraint>& constraints, double total,
                                  size_t axis_count, std::vector<SweepPoint>& points) {
  std::vector<size_t> index(blocks.size(), 0);
  std::vector<double> numbers(axis_count);
  std::vector<uint64_t> kept_by(constraints.size(), 0);
  for (uint64_t n = 0; n < static_cast<uint64_t>(total); ++n) {
    SweepPoint point;
    for (size_t b = 0; b < blocks.size(); ++b) {
      for (const AxisValue& v : blocks[b].rows[index[b]]) point.values.push_back(v);
    }
    for (size_t a = 0; a < point.values.size(); ++a) numbers[a] = point.values[a].number;
    bool keep = true;
    for (size_t c = 0; c < constraints.size(); ++c) {
      if (constraints[c].holds(numbers)) {
        ++kept_by[c];
      } else {
        keep = false;
      }
    }
    if (keep) points.push_back(std::move(point));
    for (size_t b = blocks.size(); b-- > 0;) {
      if (++index[b] < blocks[b].rows.size()) break;
      index[b] = 0;
    }
  }
  return kept_by;
}

// For a grid of which no point is kept: names the first constraint that holds nowhere, or
// else says that the constraints exclude each other.
[[noreturn]] void throw_unsatisfiable(const std::vector<Constraint>& constraints,
                                      const std::vector<uint64_t>& kept_by, double total,
                                      const SourceLocation& constraints_where) {
  for (size_t c = 0; c < constraints.size(); ++c) {
    if (kept_by[c] == 0) {
      throw Error(constraints[c].location(),
                  fmt::format("constraints: '{}' holds at none of the {:.0f} points of the "
                              "grid: the constraints are unsatisfiable",
                              constraints[c].text(), total));
    }
  }
  throw Error(constraints_where, fmt::format("constraints: no point of the {:.0f}-point grid "
                                             "satisfies all constraints together: they are "
                                             "unsatisfiable",
                                             total));
}

// A Morris or Sobol block's design into `spec`. Throws Error at the block when another axis
// or a constraint would take points out of the design or multiply them.
void take_design(std::vector<Block>& blocks, const SequenceReader& axes,
                 const SequenceReader& constraints, SweepSpec& spec) {
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (blocks[b].design.kind.empty()) continue;
    if (blocks.size() > 1 || !constraints.empty()) {
      throw Error(axes.item(b).location,
                  fmt::format("{}: a `sample: {}` block must be the only entry of `axes`, without "
                              "`constraints`: its points are a design that another axis or a "
                              "constraint would break",
                              axes.item_path(b), blocks[b].design.kind));
    }
    spec.design = std::move(blocks[b].design);
    spec.design_roles = std::move(blocks[b].roles);
  }
}

}  // namespace

SweepRow SweepSpec::row(uint64_t index) const {
  GPUMARKET_CHECK(index < row_count());
  SweepRow r;
  r.row = index;
  r.point = index / replications;
  r.replication = index % replications;
  r.seed = sweep_row_seed(seed, point_key(r.point), r.replication, common_random_numbers);
  return r;
}

std::string SweepSpec::point_key(uint64_t point) const {
  std::string key;
  for (size_t a = 0; a < axes.size(); ++a) {
    if (a > 0) key += ',';
    key += axes[a].name + '=' + points.at(point).values[a].text;
  }
  return key;
}

ConfigNode SweepSpec::point_base(uint64_t point) const {
  ConfigNode tree;
  const SweepPoint& p = points.at(point);
  for (size_t a = 0; a < axes.size(); ++a) {
    const auto& layers = axes[a].scenarios;
    if (layers.empty()) continue;
    const auto layer = std::find_if(layers.begin(), layers.end(), [&](const ScenarioLayer& l) {
      return l.file == p.values[a].text;
    });
    GPUMARKET_CHECK(layer != layers.end());
    if (tree.is_null()) {
      tree = layer->tree;
    } else {
      merge_config(tree, layer->tree);
    }
  }
  if (tree.is_null()) return base;
  merge_config(tree, base);
  return tree;
}

ConfigNode SweepSpec::scenario_tree(const SweepRow& row) const {
  ConfigNode tree = point_base(row.point);
  const SweepPoint& p = points.at(row.point);
  for (size_t a = 0; a < axes.size(); ++a) {
    if (!axes[a].scenarios.empty()) continue;
    // find_path is const; the tree is our own copy, so writing through it is sound.
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): `tree` is a mutable local
    auto* node = const_cast<ConfigNode*>(find_path(tree, axes[a].path));
    GPUMARKET_CHECK(node != nullptr);
    // Located in the sweep file, so that a value the scenario rejects is reported there.
    *node = ConfigNode::make_scalar(p.values[a].text, p.values[a].where);
  }
  ConfigNode seed_node = ConfigNode::make_scalar(std::to_string(row.seed), SourceLocation{path});
  if (ConfigNode* s = tree.find("seed")) {
    *s = std::move(seed_node);
  } else {
    tree.add("seed", std::move(seed_node));
  }
  return tree;
}

std::string SweepSpec::fingerprint() const {
  // FNV-1a over a canonical text of what determines the results.
  std::string canon = to_yaml(base);
  for (const SweepAxis& axis : axes) {
    for (const ScenarioLayer& layer : axis.scenarios) {
      canon += fmt::format("\nscenario {}={}\n{}", axis.name, layer.file, to_yaml(layer.tree));
    }
  }
  canon += fmt::format("\nseed={} replications={} crn={} series={}\n", seed, replications,
                       common_random_numbers, keep_series);
  for (const std::string& name : indicators) canon += fmt::format("indicator {}\n", name);
  for (uint64_t p = 0; p < points.size(); ++p) canon += point_key(p) + "\n";
  // Only a design adds to the text, so the fingerprints of other sweeps stay as they were.
  if (!design.kind.empty()) canon += fmt::format("design {}\n", design.kind);
  return fmt::format("{:016x}", fnv1a(canon));
}

uint64_t sweep_row_seed(uint64_t sweep_seed, const std::string& point_key, uint64_t replication,
                        bool common_random_numbers) {
  const std::string r = fmt::format("replication/{}", replication);
  if (common_random_numbers) return derive_seed(sweep_seed, r);
  return derive_seed(derive_seed(sweep_seed, fmt::format("point/{}", point_key)), r);
}

void check_scalar_path(const MapReader& r, std::string_view key, const ConfigNode& tree,
                       std::string_view tree_label) {
  const ConfigNode* path_node = r.node().find(key);
  // A missing path is reported with the reader's other missing keys when it finishes.
  if (path_node == nullptr) return;
  const std::string& path = path_node->scalar;
  const ConfigNode* target = nullptr;
  try {
    target = find_path(tree, path);
  } catch (const Error& error) {
    r.fail(key, error.what());
  }
  if (target == nullptr) r.fail(key, fmt::format("'{}' does not exist in {}", path, tree_label));
  if (!target->is_scalar()) {
    r.fail(key, fmt::format("'{}' is {} in {}; expected the path of one scalar value", path,
                            target->kind_description(), tree_label));
  }
  if (path == "seed") {
    r.fail(key, "the scenario seed is set by the file's `seed` and `replications`, not by a path");
  }
}

ConfigNode decode_scenario_key(MapReader& r, std::string_view key, const std::string& file_path) {
  const ConfigNode* node = r.find(key);
  if (node == nullptr) r.fail(key, "missing required key (a scenario file or mapping)");
  if (node->is_scalar())
    return load_scenario_file(file_path, node->scalar, node->location, r.key_path(key));
  if (node->is_map()) return resolve_extends(*node, file_path);
  r.fail(key,
         fmt::format("expected a scenario file or a mapping, got {}", node->kind_description()));
}

SweepSpec decode_sweep(const std::string& text, const std::string& path) {
  SweepSpec spec;
  spec.path = path;
  spec.text = text;
  const ConfigNode root = parse_config_text(text, path);
  MapReader r(root, "");
  SequenceReader axes = r.sequence("axes", Length::NonEmpty);
  // Scenario axes first: the other axes' paths are checked in every scenario they give.
  std::vector<std::optional<Block>> decoded(axes.size());
  std::vector<SweepAxis> scenario_axes;
  for (size_t b = 0; b < axes.size(); ++b) {
    const ConfigNode& item = axes.item(b);
    if (!item.is_map() || item.find("scenario") == nullptr) continue;
    decoded[b] = decode_scenario_block(axes.map(b), path);
    scenario_axes.push_back(decoded[b]->axes.front());
  }
  spec.base = decode_base(r, path, !scenario_axes.empty());
  spec.seed = r.optional_unsigned("seed", 1);
  spec.replications = static_cast<uint64_t>(r.optional_integer("replications", 1, Check::Positive));
  spec.replications_location = r.location("replications");
  spec.common_random_numbers = r.optional_boolean("common_random_numbers", true);
  spec.keep_series = r.optional_boolean("keep_series", false);
  spec.output = r.optional_string("output", "");
  spec.fork_at = r.optional_string("fork_at", "");
  spec.fork_at_location = r.location("fork_at");
  SequenceReader indicators = r.optional_sequence("indicators");
  for (size_t i = 0; i < indicators.size(); ++i) {
    spec.indicators.push_back(read_name(indicators.item(i), indicators.item_path(i)));
    spec.indicator_locations.push_back(indicators.item(i).location);
  }
  SequenceReader constraint_items = r.optional_sequence("constraints");
  const SourceLocation constraints_where = r.location("constraints");
  r.finish();

  const std::vector<BaseScenario> bases = base_scenarios(scenario_axes, spec.base, axes.location());
  std::vector<Block> blocks;
  std::vector<std::string> paths;
  for (size_t b = 0; b < axes.size(); ++b) {
    blocks.push_back(decoded[b] ? std::move(*decoded[b])
                                : decode_block(axes.map(b), bases, paths, spec.seed, b));
  }
  take_design(blocks, axes, constraint_items, spec);
  spec.axes = collect_axes(blocks);
  const std::vector<Constraint> constraints = decode_constraints(constraint_items, spec.axes);
  const double total = grid_size(blocks, axes);
  const std::vector<uint64_t> kept_by =
      expand_grid(blocks, constraints, total, spec.axes.size(), spec.points);
  if (spec.points.empty()) throw_unsatisfiable(constraints, kept_by, total, constraints_where);
  // Row indices are 64-bit: points × replications must not wrap around.
  if (spec.points.size() > std::numeric_limits<uint64_t>::max() / spec.replications) {
    throw Error(spec.replications_location,
                fmt::format("replications: {} replications of {} points give more than 2^64 "
                            "rows; expected at most {} replications",
                            spec.replications, spec.points.size(),
                            std::numeric_limits<uint64_t>::max() / spec.points.size()));
  }
  if (!spec.fork_at.empty()) check_fork(spec);
  return spec;
}

bool is_sweep_file(const std::string& path) {
  try {
    const ConfigNode root = parse_config_text(read_config_text(path), path);
    return root.is_map() && root.find("axes") != nullptr;
  } catch (const Error&) {
    return false;
  }
}

SweepSpec load_sweep(const std::string& path) {
  return decode_sweep(read_config_text(path, "sweep file"), path);
}

}  // namespace gpumarket
