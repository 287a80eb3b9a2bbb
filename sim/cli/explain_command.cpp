#include "gpumarket/cli/explain_command.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <optional>

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

// The stream of the sampled orders: with the explain seed, a rerun draws the same orders and
// so the same combinations, which it resumes.
constexpr const char* kPermutationStream = "explain/permutations";

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
  const double half = stats.half_width(0.95);
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

// How the groups are attributed: every subset, or the subsets that sampled orders visit.
struct Plan {
  std::vector<Permutation> orders;  // empty: exact
  std::vector<uint32_t> masks;      // the combinations to run, sorted
};

Plan plan_of(const ExplainCommand& command, size_t k, uint64_t seed) {
  Plan plan;
  if (command.permutations || k > kMaxExactExplainGroups) {
    const size_t m = command.permutations ? *command.permutations : default_permutations(k);
    plan.orders = sample_permutations(k, m, seed, kPermutationStream);
    plan.masks = visited_subsets(k, plan.orders);
  } else {
    plan.masks.resize(size_t{1} << k);
    for (uint32_t mask = 0; mask < plan.masks.size(); ++mask) plan.masks[mask] = mask;
  }
  return plan;
}

std::string command_line(const ExplainCommand& command, const std::string& output_dir,
                         uint64_t seed) {
  std::string line = fmt::format("gpumarket explain {} {} --replications {} --seed {} -o {}",
                                 shell_word(command.a_path), shell_word(command.b_path),
                                 command.replications, seed, shell_word(output_dir));
  for (const std::string& g : command.groupings) line += " --group " + shell_word(g);
  if (command.permutations) line += fmt::format(" --permutations {}", *command.permutations);
  if (!command.only.empty()) {
    std::string only;
    for (const std::string& name : command.only) only += (only.empty() ? "" : ",") + name;
    line += " --only " + shell_word(only);
  }
  return line;
}

// One indicator's attribution from its values in each combination ([combination][replication],
// combinations in plan.masks's order).
IndicatorExplanation attribute(const std::vector<ScenarioGroup>& groups, const Plan& plan,
                               const std::vector<std::vector<double>>& value,
                               uint64_t replications) {
  const size_t k = groups.size();
  IndicatorExplanation e;
  std::vector<double> a_values, b_values, totals;
  std::vector<std::vector<double>> phi(k);
  // Sampled: each order's marginals summed over the replications, for the orders' own error.
  std::vector<std::vector<double>> marginal_sums(plan.orders.size(), std::vector<double>(k, 0.0));
  e.shapley.assign(replications, std::vector<double>(k, std::nan("")));
  for (uint64_t rep = 0; rep < replications; ++rep) {
    const bool complete =
        std::all_of(value.begin(), value.end(), [&](const auto& v) { return !std::isnan(v[rep]); });
    if (!complete) continue;  // the indicator is undefined in some combination
    const std::function<double(uint32_t)> v = [&](uint32_t mask) {
      const auto at = std::lower_bound(plan.masks.begin(), plan.masks.end(), mask);
      return value[static_cast<size_t>(at - plan.masks.begin())][rep];
    };
    if (plan.orders.empty()) {
      e.shapley[rep] = shapley_values(k, v);
    } else {
      e.shapley[rep] = sampled_shapley_values(k, plan.orders, v);
      const auto marginals = permutation_marginals(k, plan.orders, v);
      for (size_t p = 0; p < marginals.size(); ++p) {
        for (size_t g = 0; g < k; ++g) marginal_sums[p][g] += marginals[p][g];
      }
    }
    for (size_t g = 0; g < k; ++g) phi[g].push_back(e.shapley[rep][g]);
    a_values.push_back(value.front()[rep]);
    b_values.push_back(value.back()[rep]);
    totals.push_back(value.back()[rep] - value.front()[rep]);
  }
  e.replications = totals.size();
  if (e.replications == 0) return e;
  e.a_mean = interval("", a_values).mean;
  e.b_mean = interval("", b_values).mean;
  e.total = interval("total", totals);
  for (size_t g = 0; g < k; ++g) {
    GroupContribution c = interval(groups[g].name, phi[g]);
    if (!plan.orders.empty()) {
      RunningStats over_orders;
      for (const std::vector<double>& sums : marginal_sums) {
        over_orders.add(sums[g] / static_cast<double>(e.replications));
      }
      c.permutation_se =
          std::sqrt(over_orders.variance() / static_cast<double>(plan.orders.size()));
    }
    e.groups.push_back(c);
  }
  return e;
}

}  // namespace

size_t default_permutations(size_t k) { return 2 * k; }

ExplainReport explain_command(const ExplainCommand& command) {
  const auto started = std::chrono::steady_clock::now();
  const LoadedScenario a_loaded = load_scenario(command.a_path, {});
  load_scenario(command.b_path, {});
  const ConfigNode a = load_config_file(command.a_path);
  const ConfigNode b = load_config_file(command.b_path);
  const std::vector<ScenarioGroup> groups = group_parts(differing_parts(a, b), command.groupings);
  const size_t k = groups.size();
  if (k == 0) {
    throw Error(fmt::format("{} and {} differ in nothing but their name, description and seed.",
                            command.a_path, command.b_path));
  }
  if (k > kMaxExplainGroups) {
    std::string names;
    for (const ScenarioGroup& g : groups) names += (names.empty() ? "" : ", ") + g.name;
    throw Error(
        fmt::format("{} and {} differ in {} parts ({}): more than the {} groups explain "
                    "attributes; put parts together with --group NAME=PART,PART,... (a PART "
                    "may be a section such as venues.alliance).",
                    command.a_path, command.b_path, k, names, kMaxExplainGroups));
  }
  if (command.replications < 2) {
    throw Error("--replications: explain needs at least 2 replications for its intervals.");
  }
  if (command.permutations && *command.permutations == 0) {
    throw Error("--permutations: expected at least 1 order to sample.");
  }
  const uint64_t seed = command.seed ? *command.seed : a_loaded.scenario.seed;
  ExplainReport report;
  report.output_dir = !command.output_dir.empty()
                          ? command.output_dir
                          : (std::filesystem::path("results") /
                             (stem(command.a_path) + "-vs-" + stem(command.b_path) + ".explain"))
                                .string();
  report.file = (std::filesystem::path(report.output_dir) / "explain.h5").string();
  const Plan plan = plan_of(command, k, seed);
  if (!command.quiet && k > kMaxExactExplainGroups && !command.permutations) {
    fmt::print(stderr,
               "explain: {} groups, more than the {} attributed exactly: estimating from {} "
               "random orders (--permutations)\n",
               k, kMaxExactExplainGroups, plan.orders.size());
  }
  std::vector<SweepResult> results;
  results.reserve(plan.masks.size());
  // Every combination loads and is priced before anything runs: the command runs them all.
  RunRows rows;
  rows.count = static_cast<double>(plan.masks.size()) * static_cast<double>(command.replications);
  rows.key = fmt::format("--replications (x {} combinations)", plan.masks.size());
  std::vector<ConfigNode> trees;
  trees.reserve(plan.masks.size());
  for (const uint32_t mask : plan.masks) {
    ConfigNode tree = switch_groups(a, b, groups, mask);
    std::optional<Scenario> scenario;
    try {
      scenario = decode_scenario(tree);
    } catch (const Error& error) {
      throw Error(fmt::format("the combination of {} with {} from {} does not load: {}",
                              command.a_path, combination_name(groups, mask), command.b_path,
                              error.what()));
    }
    try {
      check_run_cost(tree, *scenario, command.limits, rows);
    } catch (const Error& error) {
      throw Error(fmt::format("{} (in the combination of {} with {} from {}, which explain runs)",
                              error.what(), command.a_path, combination_name(groups, mask),
                              command.b_path));
    }
    trees.push_back(std::move(tree));
  }
  for (size_t i = 0; i < plan.masks.size(); ++i) {
    const uint32_t mask = plan.masks[i];
    const std::string name = combination_name(groups, mask);
    SweepSpec spec = ensemble_spec_of(
        std::move(trees[i]), command.a_path,
        fmt::format("# {} with {} from {}\n", command.a_path, name, command.b_path), seed,
        command.replications);
    SweepOptions options;
    options.output =
        std::filesystem::path(report.output_dir) / fmt::format("combination-{}.h5", mask);
    options.threads = command.threads;
    options.move_other_results_aside = true;
    if (!command.quiet) {
      fmt::print(stderr, "explain: combination {} of {}: {}\n", i + 1, plan.masks.size(), name);
    }
    create_parent_directories(options.output);
    ProcessGroup process_group;
    const SweepReport run = run_sweep(spec, options, process_group);
    if (run.failed > 0) {
      throw Error(
          fmt::format("{}: {} of the replications of {} with {} from {} failed; their "
                      "errors are in /error.",
                      run.output.string(), run.failed, command.a_path, name, command.b_path));
    }
    results.push_back(read_sweep_result(run.output));
  }

  Attribution& out = report.attribution;
  out.a_path = command.a_path;
  out.b_path = command.b_path;
  out.command_line = command_line(command, report.output_dir, seed);
  out.seed = seed;
  out.replications = command.replications;
  out.method = plan.orders.empty() ? "exact" : "sampled";
  out.permutations = plan.orders.size();
  out.combinations = plan.masks.size();
  out.runs = out.combinations * command.replications;
  for (const ScenarioGroup& g : groups) {
    out.group_names.push_back(g.name);
    out.group_parts.push_back(g.parts);
  }
  for (const std::string& name : explained_indicators(command, results.front())) {
    std::vector<std::vector<double>> value(results.size());  // [combination][replication]
    std::string unit;
    for (size_t i = 0; i < results.size(); ++i) {
      const SweepResult& r = results[i];
      const size_t column =
          static_cast<size_t>(std::find(r.indicator_names.begin(), r.indicator_names.end(), name) -
                              r.indicator_names.begin());
      if (column == r.indicator_names.size()) {
        throw Error(fmt::format("{}: the runs of {} have no indicator {}.", report.output_dir,
                                combination_name(groups, plan.masks[i]), name));
      }
      if (i == 0 && column < r.indicator_units.size()) unit = r.indicator_units[column];
      // Rows are in replication order: one point.
      value[i] = r.indicator[column];
    }
    IndicatorExplanation e = attribute(groups, plan, value, command.replications);
    if (e.replications == 0) continue;
    e.indicator = name;
    e.unit = unit;
    out.indicators.push_back(std::move(e));
  }
  write_explain_file(report.file, out);
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string format_explain(const ExplainReport& report, bool csv) {
  const Attribution& at = report.attribution;
  const bool sampled = at.method == "sampled";
  std::string out;
  if (csv) {
    out = "indicator,unit,group,contribution,ci_low,ci_high,permutation_se\n";
    for (const IndicatorExplanation& e : at.indicators) {
      out += fmt::format("{},{},A,{},,,\n{},{},B,{},,,\n", e.indicator, e.unit, e.a_mean,
                         e.indicator, e.unit, e.b_mean);
      std::vector<const GroupContribution*> rows = {&e.total};
      for (const GroupContribution& c : e.groups) rows.push_back(&c);
      for (const GroupContribution* c : rows) {
        out += fmt::format("{},{},{},{},{},{},{}\n", e.indicator, e.unit, c->group, c->mean,
                           c->ci_low, c->ci_high, c->permutation_se);
      }
    }
    return out;
  }
  size_t width = 5;
  for (const std::string& g : at.group_names) width = std::max(width, g.size());
  for (const IndicatorExplanation& e : at.indicators) {
    out += fmt::format("{} [{}]: A {:.6g}, B {:.6g} over {} replications\n", e.indicator, e.unit,
                       e.a_mean, e.b_mean, e.replications);
    const auto line = [&](const GroupContribution& c, bool with_se) {
      std::string row = fmt::format("  {:<{}}  {:>12.6g}  [{:.6g}, {:.6g}]", c.group, width, c.mean,
                                    c.ci_low, c.ci_high);
      if (with_se) row += fmt::format("  orders' s.e. {:.3g}", c.permutation_se);
      return row + "\n";
    };
    out += line(e.total, false);
    for (const GroupContribution& c : e.groups) out += line(c, sampled);
  }
  out += "\ngroups (the parts of B each switches into A):\n";
  for (size_t g = 0; g < at.group_names.size(); ++g) {
    std::string parts;
    for (const std::string& p : at.group_parts[g]) parts += (parts.empty() ? "" : ", ") + p;
    out += fmt::format("  {:<{}}  {}\n", at.group_names[g], width, parts);
  }
  const size_t k = at.group_names.size();
  if (sampled) {
    out += fmt::format(
        "\nShapley contributions estimated from {} random orders of the {} groups (sampled; "
        "exact over 2^k combinations up to k = {}): {} combinations x replications = {} runs "
        "(common random numbers, the same orders in every replication); each replication's "
        "contributions add up to its B - A; 95% Student-t intervals over replications, for "
        "these orders; the orders' s.e. is the error of choosing them (more --permutations "
        "shrink it).",
        at.permutations, k, kMaxExactExplainGroups, at.combinations, at.runs);
  } else {
    out += fmt::format(
        "\nShapley contributions over 2^{} combinations x replications = {} runs (exact; common "
        "random numbers); each replication's contributions add up to its B - A; 95% Student-t "
        "intervals.",
        k, at.runs);
  }
  out += fmt::format(" The ensembles and {} are in {} ({:.1f} s)\n",
                     std::filesystem::path(report.file).filename().string(), report.output_dir,
                     report.wall_seconds);
  return out;
}

}  // namespace gpumarket
