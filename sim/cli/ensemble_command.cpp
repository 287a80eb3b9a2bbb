#include "gpumarket/cli/ensemble_command.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/sweep_result_file.hpp"
#include "gpumarket/sweep/process_group.hpp"

namespace gpumarket {
namespace {

std::filesystem::path ensemble_output(const EnsembleCommand& command) {
  if (!command.run.output_path.empty()) return command.run.output_path;
  const std::string stem = std::filesystem::path(command.run.scenario_path).stem().string();
  return std::filesystem::path("results") / (stem + ".ensemble.h5");
}

// Each indicator's values in the replications that are done, in row order.
std::vector<std::vector<double>> done_values(const SweepResult& result) {
  std::vector<std::vector<double>> values(result.indicator.size());
  for (size_t k = 0; k < result.indicator.size(); ++k) {
    for (size_t i = 0; i < result.size(); ++i) {
      if (result.status[i] == "done") values[k].push_back(result.indicator[k][i]);
    }
  }
  return values;
}

}  // namespace

EnsembleReport run_ensemble_command(const EnsembleCommand& command) {
  // An ensemble's cost grows with N; a bound keeps a typo from running for ever.
  constexpr uint64_t kMaxReplications = 1'000'000;
  if (command.replications == 0 || command.replications > kMaxReplications) {
    throw Error(fmt::format("--replications {}: expected a whole number from 1 to {}.",
                            command.replications, kMaxReplications));
  }
  std::vector<std::string> overrides = command.run.overrides;
  if (command.run.seed) overrides.push_back("seed=" + std::to_string(*command.run.seed));
  const LoadedScenario loaded = load_scenario(command.run.scenario_path, overrides);
  report_warnings(loaded, command.run.strict);
  check_run_cost(loaded.tree, loaded.scenario, command.run.limits,
                 {static_cast<double>(command.replications), {}, "--replications"});
  const SweepSpec spec = ensemble_spec(command.run.scenario_path, command.run.overrides,
                                       loaded.scenario.seed, command.replications);
  SweepOptions options;
  options.output = ensemble_output(command);
  options.threads = command.threads;
  options.move_other_results_aside = true;
  if (command.bands) options.band_quantiles.assign(kBandQuantiles.begin(), kBandQuantiles.end());
  if (!command.quiet) {
    options.log = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  }
  create_parent_directories(options.output);
  ProcessGroup group;
  EnsembleReport report;
  report.bands = command.bands;
  report.sweep = run_sweep(spec, options, group);
  if (group.rank() == 0) {
    const SweepResult result = read_sweep_result(report.sweep.output);
    report.indicators = summarise_ensemble(result);
    report.dominance = find_dominance(result.indicator_names, done_values(result));
  }
  return report;
}

void print_ensemble_headline(const EnsembleReport& report, std::FILE* out) {
  std::vector<std::string> names;
  names.reserve(report.indicators.size());
  for (const IndicatorEnsemble& e : report.indicators) names.push_back(e.name);
  std::vector<const IndicatorEnsemble*> rows;
  for (const size_t i : headline_order(names)) {
    if (report.indicators[i].replications > 0) rows.push_back(&report.indicators[i]);
  }
  size_t width = 0;
  for (const IndicatorEnsemble* e : rows) width = std::max(width, e->name.size());
  fmt::print(out, "{:<{}}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}  {}\n", "indicator",
             width, "mean", "95% low", "95% high", "median", "min", "max", "unit");
  for (const IndicatorEnsemble* e : rows) {
    fmt::print(out,
               "{:<{}}  {:>12.6g}  {:>12.6g}  {:>12.6g}  {:>12.6g}  {:>12.6g}  {:>12.6g}  {}\n",
               e->name, width, e->mean, e->ci_low, e->ci_high, e->median, e->min, e->max, e->unit);
  }
  const SweepReport& s = report.sweep;
  const std::string warnings = format_dominance(report.dominance, s.done);
  if (!warnings.empty()) fmt::print(out, "\n{}", warnings);
  fmt::print(out,
             "\n{} replications ({} failed); every indicator per replication is in {} "
             "(gpumarket sweep-compare and python/gpumarket open_sweep read it){}\n",
             s.done, s.failed, s.output.string(),
             report.bands ? ", the mean and quantiles of every series over them in /bands "
                            "(python/gpumarket open_bands)"
                          : "");
  fmt::print(out, "wrote {} in {:.2f} s on {} thread(s)\n", s.output.string(), s.wall_seconds,
             s.threads);
}

namespace {

std::string label_of(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

// The ensemble files to compare: those given, or those of the two scenarios run now with one
// seed.
std::vector<std::filesystem::path> ensemble_files(const EnsembleCompareCommand& command) {
  if (command.replications == 0) return {command.paths[0], command.paths[1]};
  // Both scenarios load before anything runs; the first one's seed seeds both by default.
  const RunRows rows{static_cast<double>(command.replications), {}, "--replications"};
  uint64_t first_seed = 0;
  for (size_t i = 0; i < 2; ++i) {
    const LoadedScenario loaded = load_scenario(command.paths[i], {});
    check_run_cost(loaded.tree, loaded.scenario, command.limits, rows);
    if (i == 0) first_seed = loaded.scenario.seed;
  }
  std::vector<EnsembleCommand> runs;
  std::vector<std::filesystem::path> files;
  for (const std::string& path : command.paths) {
    EnsembleCommand run;
    run.run.scenario_path = path;
    run.run.seed = command.seed ? *command.seed : first_seed;
    run.replications = command.replications;
    run.run.limits = command.limits;
    run.threads = command.threads;
    run.quiet = command.quiet;
    files.push_back(ensemble_output(run));
    runs.push_back(std::move(run));
  }
  if (files[0] == files[1]) {
    throw Error(
        fmt::format("{} and {} would both write {}: give scenario files of different "
                    "names.",
                    command.paths[0], command.paths[1], files[0].string()));
  }
  for (const EnsembleCommand& run : runs) run_ensemble_command(run);
  return files;
}

// The differences to print: those --only names in its order, the headline's in its order, or
// all of them. Throws Error for a name in --only that neither ensemble has.
std::vector<const PairedDifference*> shown_rows(const EnsembleCompareCommand& command,
                                                const std::vector<PairedDifference>& all) {
  std::vector<const PairedDifference*> rows;
  if (!command.only.empty()) {
    for (const std::string& name : command.only) {
      const auto it = std::find_if(all.begin(), all.end(),
                                   [&](const PairedDifference& d) { return d.indicator == name; });
      if (it == all.end()) {
        throw Error(fmt::format("--only {}: not an indicator both ensembles have.", name));
      }
      rows.push_back(&*it);
    }
  } else if (command.headline) {
    std::vector<std::string> names;
    names.reserve(all.size());
    for (const PairedDifference& d : all) names.push_back(d.indicator);
    for (const size_t i : headline_order(names)) rows.push_back(&all[i]);
  } else {
    for (const PairedDifference& d : all) rows.push_back(&d);
  }
  return rows;
}

}  // namespace

bool are_ensemble_files(const std::vector<std::string>& paths) {
  if (paths.size() != 2) return false;
  for (const std::string& path : paths) {
    try {
      if (read_sweep_result(path).points_total != 1) return false;
    } catch (const Error&) {
      return false;  // a run file, or no result at all: compare_runs says which
    }
  }
  return true;
}

std::string compare_ensembles_command(const EnsembleCompareCommand& command) {
  if (command.paths.size() != 2) {
    throw Error(fmt::format("compare of ensembles takes two files, got {}.", command.paths.size()));
  }
  const std::vector<std::filesystem::path> files = ensemble_files(command);
  const SweepResult a = read_sweep_result(files[0]);
  const SweepResult b = read_sweep_result(files[1]);
  const std::string a_label = label_of(command.paths[0]), b_label = label_of(command.paths[1]);
  const std::vector<PairedDifference> differences = compare_ensembles(a, b, a_label, b_label);
  const std::vector<const PairedDifference*> rows = shown_rows(command, differences);
  const auto unit = [&](const std::string& name) {
    const auto it = std::find(a.indicator_names.begin(), a.indicator_names.end(), name);
    const size_t k = static_cast<size_t>(it - a.indicator_names.begin());
    return k < a.indicator_units.size() ? a.indicator_units[k] : std::string();
  };
  std::string out;
  if (command.csv) {
    out = fmt::format("indicator,unit,{},{},difference,ci_low,ci_high,pairs\n", a_label, b_label);
    for (const PairedDifference* d : rows) {
      out += fmt::format("{},{},{},{},{},{},{},{}\n", d->indicator, unit(d->indicator), d->mean_a,
                         d->mean_b, d->mean_difference, d->ci_low, d->ci_high, d->pairs);
    }
    return out;
  }
  size_t width = 0;
  for (const PairedDifference* d : rows) width = std::max(width, d->indicator.size());
  out = fmt::format("{:<{}}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}  {:>5}  {}\n", "indicator",
                    width, a_label, b_label, b_label + " - " + a_label, "95% low", "95% high",
                    "pairs", "unit");
  for (const PairedDifference* d : rows) {
    out += fmt::format("{:<{}}  {:>12.6g}  {:>12.6g}  {:>12.6g}  {:>12.6g}  {:>12.6g}  {:>5}  {}\n",
                       d->indicator, width, d->mean_a, d->mean_b, d->mean_difference, d->ci_low,
                       d->ci_high, d->pairs, unit(d->indicator));
  }
  out += fmt::format(
      "\nreplication r of {} against replication r of {} (common random numbers, seed {}); "
      "the interval is the paired Student-t interval of the mean difference\n",
      b_label, a_label, a.sweep_seed);
  return out;
}

}  // namespace gpumarket
