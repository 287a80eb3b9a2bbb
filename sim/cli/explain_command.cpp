#include "gpumarket/cli/explain_command.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "gpumarket/cli/commands.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/io/sweep_result_file.hpp"
#include "gpumarket/sweep/ensemble.hpp"
#include "gpumarket/sweep/process_group.hpp"
#include "gpumarket/sweep/sample_statistics.hpp"
#include "gpumarket/sweep/shapley.hpp"
#include "gpumarket/sweep/sweep_runner.hpp"

namespace gpumarket {
namespace {

std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

// "hardware+venues.alliance", or "A" for none: a combination, for messages and file names.
std::string combination_name(const std::vector<ScenarioGroup>& groups, uint32_t mask) {
  std::string name;
  for (size_t g = 0; g < groups.size(); ++g) {
    if ((mask & (1u << g)) != 0) name += (name.empty() ? "" : "+") + groups[g].name;
  }
  return name.empty() ? "A" : name;
}

GroupContribution interval(const std::string& group, const std::vector<double>& values) {
  RunningStats stats;
  for (double x : values) stats.add(x);
  const double n = static_cast<double>(stats.n);
  const double half = t_quantile(0.95, n - 1) * std::sqrt(stats.variance() / n);
  return {group, stats.mean, stats.mean - half, stats.mean + half};
}

// The indicators to explain: --only's, or the headline's that the results have.
std::vector<std::string> explained_indicators(const ExplainCommand& command,
                                              const SweepResult& first) {
  const auto& names = first.indicator_names;
  std::vector<std::string> chosen;
  if (!command.only.empty()) {
    for (const std::string& name : command.only) {
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        throw Error(fmt::format("--only {}: the runs have no such indicator.", name));
      }
      chosen.push_back(name);
    }
    return chosen;
  }
  for (const size_t i : headline_order(names)) chosen.push_back(names[i]);
  return chosen;
}

}  // namespace

ExplainReport explain_command(const ExplainCommand& command) {
  const auto started = std::chrono::steady_clock::now();
  const LoadedScenario a_loaded = load_scenario(command.a_path, {});
  load_scenario(command.b_path, {});
  const ConfigNode a = load_config_file(command.a_path);
  const ConfigNode b = load_config_file(command.b_path);
  ExplainReport report;
  report.groups = group_parts(differing_parts(a, b), command.groupings);
  const size_t k = report.groups.size();
  if (k == 0) {
    throw Error(fmt::format("{} and {} differ in nothing but their name, description and seed.",
                            command.a_path, command.b_path));
  }
  if (k > kMaxExplainGroups) {
    std::string names;
    for (const ScenarioGroup& g : report.groups) names += (names.empty() ? "" : ", ") + g.name;
    throw Error(
        fmt::format("{} and {} differ in {} parts ({}): 2^{} combinations is too many "
                    "to run; put parts together with --group NAME=PART,PART,... "
                    "(at most {} groups).",
                    command.a_path, command.b_path, k, names, k, kMaxExplainGroups));
  }
  if (command.replications < 2) {
    throw Error("--replications: explain needs at least 2 replications for its intervals.");
  }
  const uint64_t seed = command.seed ? *command.seed : a_loaded.scenario.seed;
  report.output_dir = !command.output_dir.empty()
                          ? command.output_dir
                          : (std::filesystem::path("results") /
                             (stem(command.a_path) + "-vs-" + stem(command.b_path) + ".explain"))
                                .string();
  const uint32_t combinations = 1u << k;
  std::vector<SweepResult> results;
  for (uint32_t mask = 0; mask < combinations; ++mask) {
    const std::string name = combination_name(report.groups, mask);
    ConfigNode tree = switch_groups(a, b, report.groups, mask);
    try {
      decode_scenario(tree);
    } catch (const Error& error) {
      throw Error(fmt::format("the combination of {} with {} from {} does not load: {}",
                              command.a_path, name, command.b_path, error.what()));
    }
    SweepSpec spec = ensemble_spec_of(
        std::move(tree), command.a_path,
        fmt::format("# {} with {} from {}\n", command.a_path, name, command.b_path), seed,
        command.replications);
    SweepOptions options;
    options.output =
        std::filesystem::path(report.output_dir) / fmt::format("combination-{}.h5", mask);
    options.threads = command.threads;
    if (!command.quiet) {
      fmt::print(stderr, "explain: combination {} of {}: {}\n", mask + 1, combinations, name);
    }
    create_parent_directories(options.output);
    ProcessGroup group;
    const SweepReport run = run_sweep(spec, options, group);
    if (run.failed > 0) {
      throw Error(
          fmt::format("{}: {} of the replications of {} with {} from {} failed; their "
                      "errors are in /error.",
                      run.output.string(), run.failed, command.a_path, name, command.b_path));
    }
    results.push_back(read_sweep_result(run.output));
    report.runs += command.replications;
  }
  for (const std::string& name : explained_indicators(command, results.front())) {
    IndicatorExplanation e;
    e.indicator = name;
    std::vector<std::vector<double>> value(combinations);  // [mask][replication]
    for (uint32_t mask = 0; mask < combinations; ++mask) {
      const SweepResult& r = results[mask];
      const size_t column =
          static_cast<size_t>(std::find(r.indicator_names.begin(), r.indicator_names.end(), name) -
                              r.indicator_names.begin());
      if (column == r.indicator_names.size()) {
        throw Error(fmt::format("{}: the runs of {} have no indicator {}.", report.output_dir,
                                combination_name(report.groups, mask), name));
      }
      if (mask == 0 && column < r.indicator_units.size()) e.unit = r.indicator_units[column];
      // Rows are in replication order: one point.
      value[mask] = r.indicator[column];
    }
    std::vector<double> a_values, b_values, totals;
    std::vector<std::vector<double>> phi(k);
    for (uint64_t rep = 0; rep < command.replications; ++rep) {
      const bool complete = std::all_of(value.begin(), value.end(),
                                        [&](const auto& v) { return !std::isnan(v[rep]); });
      if (!complete) continue;  // the indicator is undefined in some combination
      const std::vector<double> contributions =
          shapley_values(k, [&](uint32_t mask) { return value[mask][rep]; });
      for (size_t g = 0; g < k; ++g) phi[g].push_back(contributions[g]);
      a_values.push_back(value.front()[rep]);
      b_values.push_back(value.back()[rep]);
      totals.push_back(value.back()[rep] - value.front()[rep]);
    }
    e.replications = totals.size();
    if (e.replications == 0) continue;
    e.a_mean = interval("", a_values).mean;
    e.b_mean = interval("", b_values).mean;
    e.total = interval("total", totals);
    for (size_t g = 0; g < k; ++g) e.groups.push_back(interval(report.groups[g].name, phi[g]));
    report.indicators.push_back(std::move(e));
  }
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string format_explain(const ExplainReport& report, bool csv) {
  std::string out;
  if (csv) {
    out = "indicator,unit,group,contribution,ci_low,ci_high\n";
    for (const IndicatorExplanation& e : report.indicators) {
      out += fmt::format("{},{},A,{},,\n{},{},B,{},,\n", e.indicator, e.unit, e.a_mean, e.indicator,
                         e.unit, e.b_mean);
      std::vector<const GroupContribution*> rows = {&e.total};
      for (const GroupContribution& c : e.groups) rows.push_back(&c);
      for (const GroupContribution* c : rows) {
        out += fmt::format("{},{},{},{},{},{}\n", e.indicator, e.unit, c->group, c->mean, c->ci_low,
                           c->ci_high);
      }
    }
    return out;
  }
  size_t width = 5;
  for (const ScenarioGroup& g : report.groups) width = std::max(width, g.name.size());
  for (const IndicatorExplanation& e : report.indicators) {
    out += fmt::format("{} [{}]: A {:.6g}, B {:.6g} over {} replications\n", e.indicator, e.unit,
                       e.a_mean, e.b_mean, e.replications);
    const auto line = [&](const GroupContribution& c) {
      return fmt::format("  {:<{}}  {:>12.6g}  [{:.6g}, {:.6g}]\n", c.group, width, c.mean,
                         c.ci_low, c.ci_high);
    };
    out += line(e.total);
    for (const GroupContribution& c : e.groups) out += line(c);
  }
  out += "\ngroups (the parts of B each switches into A):\n";
  for (const ScenarioGroup& g : report.groups) {
    std::string parts;
    for (const std::string& p : g.parts) parts += (parts.empty() ? "" : ", ") + p;
    out += fmt::format("  {:<{}}  {}\n", g.name, width, parts);
  }
  out += fmt::format(
      "\nShapley contributions over 2^{} combinations x replications = {} runs (common random "
      "numbers); each replication's contributions add up to its B - A; 95% Student-t intervals. "
      "The ensembles are in {} ({:.1f} s)\n",
      report.groups.size(), report.runs, report.output_dir, report.wall_seconds);
  return out;
}

}  // namespace gpumarket
