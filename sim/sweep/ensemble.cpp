#include "gpumarket/sweep/ensemble.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/sweep/sample_statistics.hpp"

namespace gpumarket {

SweepSpec ensemble_spec_of(ConfigNode tree, const std::string& path, std::string text,
                           uint64_t seed, uint64_t replications) {
  SweepSpec spec;
  spec.path = path;
  spec.text = std::move(text);
  spec.base = std::move(tree);
  spec.points.emplace_back();  // one point: the scenario as given
  spec.replications = replications;
  spec.seed = seed;
  return spec;
}

SweepSpec ensemble_spec(const std::string& scenario_path, const std::vector<std::string>& overrides,
                        uint64_t seed, uint64_t replications) {
  // What the result's provenance keeps of the "sweep file": the scenario and its overrides.
  std::string text = read_config_text(scenario_path);
  for (const std::string& o : overrides) text += "\n# --set " + o;
  ConfigNode tree = load_config_file(scenario_path);
  for (const std::string& o : overrides) apply_override(tree, o);
  return ensemble_spec_of(std::move(tree), scenario_path, std::move(text), seed, replications);
}

std::vector<IndicatorEnsemble> summarise_ensemble(const SweepResult& result, double confidence) {
  std::vector<IndicatorEnsemble> out;
  std::vector<double> values;
  for (size_t k = 0; k < result.indicator_names.size(); ++k) {
    values.clear();
    for (size_t i = 0; i < result.size(); ++i) {
      const double x = result.indicator[k][i];
      if (result.status[i] == "done" && !std::isnan(x)) values.push_back(x);
    }
    IndicatorEnsemble e;
    e.name = result.indicator_names[k];
    e.unit = k < result.indicator_units.size() ? result.indicator_units[k] : "";
    e.replications = values.size();
    if (values.empty()) {
      e.mean = e.ci_low = e.ci_high = e.median = e.min = e.max = std::nan("");
      out.push_back(e);
      continue;
    }
    RunningStats stats;
    for (double x : values) stats.add(x);
    const double half = stats.half_width(confidence);
    e.mean = stats.mean;
    e.ci_low = stats.mean - half;
    e.ci_high = stats.mean + half;
    std::sort(values.begin(), values.end());
    const size_t mid = values.size() / 2;
    e.median = values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    e.min = values.front();
    e.max = values.back();
    out.push_back(e);
  }
  return out;
}

namespace {

void check_ensemble(const SweepResult& r, const std::string& label) {
  if (r.points_total != 1) {
    throw Error(
        fmt::format("{}: a sweep of {} points, not an ensemble of one scenario (compare "
                    "its points with gpumarket sweep-compare).",
                    label, r.points_total));
  }
  if (!r.common_random_numbers) {
    throw Error(fmt::format("{}: its replications do not use common random numbers.", label));
  }
}

// Both ensembles' rows as one table with a text axis `scenario` (a_name, b_name) over the
// indicators they share, so that compare_sweep pairs them.
SweepResult side_by_side(const SweepResult& a, const SweepResult& b, const std::string& a_name,
                         const std::string& b_name) {
  SweepResult both;
  both.axis_names = {"scenario"};
  both.axis_paths = {""};
  both.axis_numeric = {false};
  both.axis_integer = {false};
  both.axis_units = {""};
  both.axis_number.resize(1);
  both.axis_text.resize(1);
  std::vector<std::pair<size_t, size_t>> columns;  // (column in a, column in b)
  for (size_t k = 0; k < a.indicator_names.size(); ++k) {
    const auto it =
        std::find(b.indicator_names.begin(), b.indicator_names.end(), a.indicator_names[k]);
    if (it == b.indicator_names.end()) continue;
    columns.emplace_back(k, static_cast<size_t>(it - b.indicator_names.begin()));
    both.indicator_names.push_back(a.indicator_names[k]);
    both.indicator_units.push_back(k < a.indicator_units.size() ? a.indicator_units[k] : "");
  }
  both.indicator.resize(columns.size());
  const auto append = [&](const SweepResult& r, const std::string& label, bool is_b) {
    for (size_t i = 0; i < r.size(); ++i) {
      both.row.push_back(both.row.size());
      both.point.push_back(is_b ? 1 : 0);
      both.replication.push_back(r.replication[i]);
      both.seed.push_back(r.seed[i]);
      both.axis_number[0].push_back(std::nan(""));
      both.axis_text[0].push_back(label);
      both.status.push_back(r.status[i]);
      for (size_t c = 0; c < columns.size(); ++c) {
        both.indicator[c].push_back(r.indicator[is_b ? columns[c].second : columns[c].first][i]);
      }
    }
  };
  append(a, a_name, false);
  append(b, b_name, true);
  return both;
}

}  // namespace

std::vector<PairedDifference> compare_ensembles(const SweepResult& a, const SweepResult& b,
                                                const std::string& a_label,
                                                const std::string& b_label, double confidence) {
  check_ensemble(a, a_label);
  check_ensemble(b, b_label);
  if (a.sweep_seed != b.sweep_seed) {
    throw Error(
        fmt::format("{} has seed {} and {} has seed {}: replication r of the two saw "
                    "different random draws; run both with the same --seed.",
                    a_label, a.sweep_seed, b_label, b.sweep_seed));
  }
  // Two files of one name ("bull" and "bull") are told apart as A and B.
  const bool same = a_label == b_label;
  const std::string a_name = same ? "A" : a_label, b_name = same ? "B" : b_label;
  const SweepResult both = side_by_side(a, b, a_name, b_name);
  if (both.indicator_names.empty()) {
    throw Error(fmt::format("{} and {} have no indicator in common.", a_label, b_label));
  }
  return compare_sweep(both, {{{"scenario", a_name}}, a_name}, {{{"scenario", b_name}}, b_name},
                       both.indicator_names, confidence);
}

}  // namespace gpumarket
