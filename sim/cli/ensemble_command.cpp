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
  const SweepSpec spec = ensemble_spec(command.run.scenario_path, command.run.overrides,
                                       loaded.scenario.seed, command.replications);
  SweepOptions options;
  options.output = ensemble_output(command);
  options.threads = command.threads;
  if (!command.quiet) {
    options.log = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  }
  create_parent_directories(options.output);
  ProcessGroup group;
  EnsembleReport report;
  report.sweep = run_sweep(spec, options, group);
  if (group.rank() == 0) {
    report.indicators = summarise_ensemble(read_sweep_result(report.sweep.output));
  }
  return report;
}

void print_ensemble_headline(const EnsembleReport& report, std::FILE* out) {
  std::vector<const IndicatorEnsemble*> rows;
  for (const IndicatorDefinition* wanted : headline_indicators()) {
    for (const IndicatorEnsemble& e : report.indicators) {
      if (e.replications > 0 && indicator::names(*wanted, e.name)) rows.push_back(&e);
    }
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
  fmt::print(out,
             "\n{} replications ({} failed); every indicator per replication is in {} "
             "(gpumarket sweep-compare and python/gpumarket open_sweep read it)\n",
             s.done, s.failed, s.output.string());
  fmt::print(out, "wrote {} in {:.2f} s on {} thread(s)\n", s.output.string(), s.wall_seconds,
             s.threads);
}

}  // namespace gpumarket
