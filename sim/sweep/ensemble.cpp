#include "gpumarket/sweep/ensemble.hpp"

#include <algorithm>
#include <cmath>

#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/sweep/sample_statistics.hpp"

namespace gpumarket {

SweepSpec ensemble_spec(const std::string& scenario_path, const std::vector<std::string>& overrides,
                        uint64_t seed, uint64_t replications) {
  SweepSpec spec;
  spec.path = scenario_path;
  // What the result's provenance keeps of the "sweep file": the scenario and its overrides.
  spec.text = read_config_text(scenario_path);
  for (const std::string& o : overrides) spec.text += "\n# --set " + o;
  spec.base = load_config_file(scenario_path);
  for (const std::string& o : overrides) apply_override(spec.base, o);
  spec.points.emplace_back();  // one point: the scenario as given
  spec.replications = replications;
  spec.seed = seed;
  return spec;
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
    const double n = static_cast<double>(values.size());
    const double half = t_quantile(confidence, n - 1) * std::sqrt(stats.variance() / n);
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

}  // namespace gpumarket
