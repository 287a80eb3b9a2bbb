#include "gpumarket/sweep/calibration_spec.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/hash.hpp"
#include "gpumarket/io/config_reader.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/sweep/ensemble.hpp"
#include "gpumarket/sweep/sweep_runner.hpp"
#include "gpumarket/sweep/sweep_spec.hpp"

namespace gpumarket {
namespace {

// " (did you mean 'x'?)" for the nearest of `names` within 3 edits, or "".
std::string suggestion(const std::string& name, const std::vector<std::string>& names) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const std::string& n : names) {
    const size_t d = edit_distance(name, n);
    if (d < best_distance) best = n, best_distance = d;
  }
  return best_distance <= 3 ? fmt::format("; did you mean '{}'?", best) : "";
}

CalibrationParameter decode_parameter(MapReader r, const ConfigNode& base,
                                      const std::vector<CalibrationParameter>& earlier) {
  CalibrationParameter p;
  p.where = r.node().location;
  p.path = r.string("path");
  p.name = r.has("name") ? r.name("name") : p.path;
  p.lower = r.number("min");
  p.upper = r.number("max");
  const bool has_start = r.has("start");
  p.start = r.optional_number("start", 0);
  p.unit = r.optional_string("unit", "");
  if (auto prior = r.optional_map("prior")) {
    p.prior = ParameterPrior{prior->number("mean"), prior->number("sd", Check::Positive)};
    prior->finish();
  }
  r.finish();
  check_scalar_path(r, "path", base, "the calibration's scenario");
  if (!(p.lower < p.upper)) {
    r.fail("max", fmt::format("expected a bound above min = {}, got {}", p.lower, p.upper));
  }
  if (!has_start) p.start = (p.lower + p.upper) / 2;
  if (p.start < p.lower || p.start > p.upper) {
    r.fail("start", fmt::format("expected a value in [min, max] = [{}, {}], got {}", p.lower,
                                p.upper, p.start));
  }
  for (const CalibrationParameter& q : earlier) {
    if (q.path == p.path) r.fail("path", fmt::format("'{}' is already a parameter", p.path));
    if (q.name == p.name) r.fail("name", fmt::format("'{}' names another parameter", p.name));
  }
  return p;
}

// A window [from, to] of dates, in hours since the scenario's start.
TimeWindow decode_window(MapReader& r, std::string_view key, Date start) {
  const ConfigNode* node = r.find(key);
  SequenceReader dates(*node, r.key_path(key));
  if (dates.size() != 2) r.fail(key, "expected two dates [from, to]");
  const auto hours = [&](size_t i) {
    return (midnight_of(read_date(dates.item(i), dates.item_path(i)), start) - SimTime::start())
        .in_hours();
  };
  const TimeWindow w{hours(0), hours(1)};
  if (!(w.from_h < w.to_h)) r.fail(key, "expected the first date before the second");
  return w;
}

// The statistic of a series target: `statistic`, `probability`, `window`, `base_window`.
SeriesStatistic decode_statistic(MapReader& r, Date start) {
  SeriesStatistic s;
  const std::string kind = r.optional_enumeration(
      "statistic", "mean", {"mean", "quantile", "level", "growth", "volatility"});
  s.kind = static_cast<SeriesStatistic::Kind>(
      std::find(std::begin(kSeriesStatisticNames), std::end(kSeriesStatisticNames), kind) -
      std::begin(kSeriesStatisticNames));
  if (s.kind == SeriesStatistic::Kind::Quantile) s.probability = r.fraction("probability");
  if (s.kind == SeriesStatistic::Kind::Volatility) {
    s.interval_h = r.optional_duration("interval", Duration::hours(24), Check::Positive).in_hours();
  }
  const bool needs_window =
      s.kind == SeriesStatistic::Kind::Level || s.kind == SeriesStatistic::Kind::Growth;
  s.whole = !r.has("window");
  if (s.whole && needs_window) r.fail("window", fmt::format("a {} needs a window", kind));
  if (!s.whole) s.window = decode_window(r, "window", start);
  if (s.kind == SeriesStatistic::Kind::Growth) {
    if (!r.has("base_window")) r.fail("base_window", "a growth needs a base_window");
    s.base_window = decode_window(r, "base_window", start);
  }
  return s;
}

// Checks the target's indicator or series (and column) against the probe run's.
void check_measure(const MapReader& r, const CalibrationTarget& t, const MemoryRecorder& probe) {
  if (!t.indicator.empty()) {
    std::vector<std::string> names;
    for (const SummaryValue& v : probe.summary()) names.push_back(v.name);
    if (std::find(names.begin(), names.end(), t.indicator) == names.end()) {
      r.fail("indicator", fmt::format("'{}' is not in the run summary{}", t.indicator,
                                      suggestion(t.indicator, names)));
    }
    return;
  }
  const MemoryRecorder::Series* series = probe.find_series(t.series_group, t.series_name);
  if (series == nullptr || series->spec.is_time) {
    std::vector<std::string> names;
    for (const MemoryRecorder::Series& s : probe.series()) {
      if (!s.spec.is_time) names.push_back(s.spec.group + "/" + s.spec.name);
    }
    const std::string name = t.series_group + "/" + t.series_name;
    r.fail("series", fmt::format("'{}' is not a series of the run (group/name){}", name,
                                 suggestion(name, names)));
  }
  const std::vector<std::string>& columns = series->spec.columns;
  if (columns.empty() != t.column.empty() ||
      (!columns.empty() && std::find(columns.begin(), columns.end(), t.column) == columns.end())) {
    std::string list;
    for (const std::string& c : columns) list += (list.empty() ? "" : ", ") + c;
    r.fail(t.column.empty() ? "series" : "column",
           columns.empty()
               ? std::string("this series has no columns; leave out `column`")
               : fmt::format("expected a column of the series ({}), got '{}'", list, t.column));
  }
}

CalibrationTarget decode_target(MapReader r, Date start, const MemoryRecorder& probe) {
  CalibrationTarget t;
  t.where = r.node().location;
  t.name = r.name("name");
  const bool has_indicator = r.has("indicator"), has_series = r.has("series");
  if (has_indicator == has_series) {
    r.fail(has_indicator ? "series" : "indicator",
           "a target needs exactly one of `indicator` (a summary name) or `series` "
           "(group/name)");
  }
  if (has_indicator) {
    t.indicator = r.name("indicator");
  } else {
    const std::string series = r.string("series");
    const size_t slash = series.find('/');
    if (slash == std::string::npos) r.fail("series", "expected group/name, e.g. tick/price");
    t.series_group = series.substr(0, slash);
    t.series_name = series.substr(slash + 1);
    t.column = r.optional_string("column", "");
    t.statistic = decode_statistic(r, start);
  }
  t.observed = r.number("observed");
  t.tolerance = r.number("tolerance", Check::Positive);
  t.source = r.string("source");
  r.finish();
  check_measure(r, t, probe);
  return t;
}

MinimiserOptions decode_optimiser(MapReader& top, uint64_t seed) {
  MinimiserOptions o;
  o.seed = seed;
  std::optional<MapReader> r = top.optional_map("optimiser");
  if (!r) return o;
  o.algorithm =
      r->optional_enumeration("algorithm", o.algorithm, {"bobyqa", "subplex", "neldermead"});
  o.max_evaluations = static_cast<uint64_t>(r->optional_integer(
      "max_evaluations", static_cast<int64_t>(o.max_evaluations), Check::Positive));
  o.restarts = static_cast<uint64_t>(
      r->optional_integer("restarts", static_cast<int64_t>(o.restarts), Check::NonNegative));
  o.x_tolerance = r->optional_number("x_tolerance", o.x_tolerance, Check::Positive);
  o.f_tolerance = r->optional_number("f_tolerance", o.f_tolerance, Check::NonNegative);
  r->finish();
  return o;
}

// Decodes the scenario at a parameter's bound, so that a range the scenario cannot take is
// refused before anything runs.
void check_bounds(const CalibrationSpec& spec, SequenceReader& items) {
  for (size_t i = 0; i < spec.parameters.size(); ++i) {
    const CalibrationParameter& p = spec.parameters[i];
    for (const char* key : {"min", "max"}) {
      ConfigNode tree = spec.base;
      apply_override(tree, p.path + "=" + spec.value_text(i, key[1] == 'i' ? p.lower : p.upper));
      try {
        decode_scenario(tree);
      } catch (const Error& error) {
        MapReader r = items.map(i);
        r.allow({"name", "path", "min", "max", "start", "unit", "prior"});
        r.finish();
        r.fail(key, fmt::format("the scenario rejects this bound: {}", error.what()));
      }
    }
  }
}

}  // namespace

std::string CalibrationTarget::measure() const {
  if (!indicator.empty()) return indicator;
  const std::string series =
      fmt::format("{}/{}{}", series_group, series_name, column.empty() ? "" : "[" + column + "]");
  const auto statistic_name = kSeriesStatisticNames[static_cast<size_t>(statistic.kind)];
  const std::string window =
      statistic.whole
          ? ""
          : fmt::format(" in ({}h, {}h]", statistic.window.from_h, statistic.window.to_h);
  const std::string base = statistic.kind == SeriesStatistic::Kind::Growth
                               ? fmt::format(" over ({}h, {}h]", statistic.base_window.from_h,
                                             statistic.base_window.to_h)
                               : "";
  std::string q;
  if (statistic.kind == SeriesStatistic::Kind::Quantile)
    q = fmt::format(" {}", statistic.probability);
  if (statistic.kind == SeriesStatistic::Kind::Volatility)
    q = fmt::format(" per {}h", statistic.interval_h);
  return fmt::format("{}{} of {}{}{}", statistic_name, q, series, window, base);
}

std::string CalibrationSpec::value_text(size_t parameter, double value) const {
  return fmt::format("{:.17g}{}", value, parameters.at(parameter).unit);
}

ConfigNode CalibrationSpec::scenario_at(const std::vector<double>& values) const {
  ConfigNode tree = base;
  for (size_t i = 0; i < parameters.size(); ++i) {
    apply_override(tree, parameters[i].path + "=" + value_text(i, values.at(i)));
  }
  return tree;
}

std::string CalibrationSpec::fingerprint() const {
  std::string canon = to_yaml(base);
  for (const CalibrationParameter& p : parameters) {
    canon += fmt::format("parameter {} unit={}\n", p.path, p.unit);
  }
  for (const CalibrationTarget& t : targets) canon += fmt::format("target {}\n", t.measure());
  canon += fmt::format("seed={} replications={}\n", seed, replications);
  return fmt::format("{:016x}", fnv1a(canon));
}

CalibrationSpec decode_calibration(const std::string& text, const std::string& path) {
  CalibrationSpec spec;
  spec.path = path;
  spec.text = text;
  const ConfigNode root = parse_config_text(text, path);
  MapReader r(root, "");
  spec.base = decode_scenario_key(r, "scenario", path);
  const Scenario scenario = decode_scenario(spec.base);
  spec.seed = r.optional_unsigned("seed", 1);
  spec.replications = static_cast<uint64_t>(r.optional_integer("replications", 8, Check::Positive));
  spec.replications_location = r.location("replications");
  spec.confidence = r.optional_fraction("confidence", spec.confidence);
  spec.jacobian_step = r.optional_fraction("jacobian_step", spec.jacobian_step);
  spec.output = r.optional_string("output", "");
  spec.optimiser = decode_optimiser(r, spec.seed);
  SequenceReader parameters = r.sequence("parameters", Length::NonEmpty);
  SequenceReader targets = r.sequence("targets", Length::NonEmpty);
  r.finish();
  if (!(spec.jacobian_step > 0 && spec.jacobian_step <= 0.25)) {
    r.fail("jacobian_step", "expected a fraction of each range in (0, 0.25]");
  }
  for (size_t i = 0; i < parameters.size(); ++i) {
    spec.parameters.push_back(decode_parameter(parameters.map(i), spec.base, spec.parameters));
  }
  check_bounds(spec, parameters);
  const std::optional<MemoryRecorder> probe =
      probe_run(ensemble_spec_of(spec.base, path, text, spec.seed, 1));
  GPUMARKET_CHECK(probe.has_value());  // the base decoded above
  for (size_t i = 0; i < targets.size(); ++i) {
    spec.targets.push_back(decode_target(targets.map(i), scenario.start, *probe));
  }
  return spec;
}

CalibrationSpec load_calibration(const std::string& path) {
  return decode_calibration(read_config_text(path, "calibration file"), path);
}

}  // namespace gpumarket
