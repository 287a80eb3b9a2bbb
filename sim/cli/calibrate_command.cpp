#include "gpumarket/cli/calibrate_command.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/sweep/calibration.hpp"
#include "output_not_input.hpp"

namespace gpumarket {
namespace {

// A column of the scaled Jacobian below this many tolerances across the whole range: the
// targets barely see the parameter.
constexpr double kUnidentified = 0.1;

std::string default_output(const CalibrationSpec& spec) {
  if (!spec.output.empty()) {
    return (std::filesystem::path(spec.path).parent_path() / spec.output).string();
  }
  return (std::filesystem::path("results") /
          (std::filesystem::path(spec.path).stem().string() + ".calibration.h5"))
      .string();
}

// What a calibration costs depends on where the optimiser goes, and a parameter such as an
// arrival rate can drive it: every run is priced as the scenario as written, with each
// parameter at each end of its range (the others at their start), and with all of them at
// their lower and at their upper ends. A refused one is located at the parameter.
void check_calibration_cost(const CalibrationSpec& spec, const RunLimits& limits,
                            const RunRows& rows) {
  check_run_cost(spec.base, decode_scenario(spec.base), limits, rows);
  if (limits.allow_large || spec.parameters.empty()) return;
  const auto check_at = [&](const std::vector<double>& values, const SourceLocation& where,
                            const std::string& what) {
    const ConfigNode tree = spec.scenario_at(values);
    std::optional<Scenario> scenario;
    try {
      scenario = decode_scenario(tree);
    } catch (const Error&) {
      return;  // each bound alone decodes (load_calibration); a combination may not, and fails
               // as a run
    }
    try {
      check_run_cost(tree, *scenario, limits, rows);
    } catch (const Error& error) {
      throw Error(where,
                  fmt::format("{}: the runs there go beyond the limits: {}", what, error.what()));
    }
  };
  std::vector<double> start, lower, upper;
  for (const CalibrationParameter& p : spec.parameters) {
    start.push_back(p.start);
    lower.push_back(p.lower);
    upper.push_back(p.upper);
  }
  for (size_t i = 0; i < spec.parameters.size(); ++i) {
    const CalibrationParameter& p = spec.parameters[i];
    for (const bool at_max : {false, true}) {
      std::vector<double> values = start;
      values[i] = at_max ? p.upper : p.lower;
      check_at(values, p.where,
               fmt::format("parameters[{}].{} ({} = {})", i, at_max ? "max" : "min", p.path,
                           spec.value_text(i, values[i])));
    }
  }
  const SourceLocation& first = spec.parameters.front().where;
  check_at(lower, first, "parameters: every one at its min");
  check_at(upper, first, "parameters: every one at its max");
}

}  // namespace

CalibrateReport calibrate_command(const CalibrateCommand& command) {
  const auto started = std::chrono::steady_clock::now();
  const CalibrationSpec spec = load_calibration(command.path);
  // Each local search, each restart's, and the Jacobian's two points per parameter.
  const double evaluations = static_cast<double>(spec.optimiser.max_evaluations) *
                                 static_cast<double>(spec.optimiser.restarts + 1) +
                             2.0 * static_cast<double>(spec.parameters.size()) + 1.0;
  check_calibration_cost(
      spec, command.limits,
      {evaluations * static_cast<double>(spec.replications), spec.replications_location,
       fmt::format("replications (x {:.0f} evaluations)", evaluations)});
  CalibrateReport report;
  report.output = command.output.empty() ? default_output(spec) : command.output;
  std::vector<NamedInput> inputs = source_files(spec.base, "the scenario");
  inputs.push_back({"the calibration file", command.path});
  check_output_not_input(report.output, "-o " + report.output, inputs);
  const std::filesystem::path dir = std::filesystem::path(report.output).parent_path();
  if (command.output.empty() && !dir.empty()) std::filesystem::create_directories(dir);
  CalibrationOptions options;
  options.output = report.output;
  options.threads = command.threads;
  options.command_line = command.command_line;
  if (!command.quiet) {
    options.log = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  }
  report.result = run_calibration(spec, options);
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string format_calibration(const CalibrateReport& report) {
  const CalibrationResult& r = report.result;
  size_t resumed = 0;
  for (const CalibrationEvaluation& e : r.evaluations) resumed += e.from_journal ? 1 : 0;
  std::string out = fmt::format(
      "calibration {}: objective {:.6g} after {} evaluations ({} ensembles run now, {} served "
      "from the journal of an earlier run), {:.1f} s\n\n",
      r.calibration_path, r.objective, r.evaluations.size(), r.evaluations_run, resumed,
      report.wall_seconds);
  const int pct = static_cast<int>(std::lround(100 * r.confidence));
  out += fmt::format("{:<24} {:>12} {:>12} {:>12}   {}% interval\n", "parameter", "min", "max",
                     "best", pct);
  for (const FittedParameter& p : r.parameters) {
    out += fmt::format(
        "{:<24} {:>12.6g} {:>12.6g} {:>12.6g}   {}\n", p.name, p.lower, p.upper, p.best,
        std::isnan(p.standard_error) ? std::string("not identified")
                                     : fmt::format("[{:.6g}, {:.6g}]", p.ci_low, p.ci_high));
  }
  out += fmt::format("\n{:<24} {:>12} {:>12} {:>12}   {:<25} {}\n", "target", "observed",
                     "tolerance", "simulated", fmt::format("{}% interval", pct), "(dev/tol)^2");
  for (const TargetFit& t : r.targets) {
    out += fmt::format("{:<24} {:>12.6g} {:>12.6g} {:>12.6g}   {:<25} {:.3g}\n", t.name, t.observed,
                       t.tolerance, t.simulated,
                       fmt::format("[{:.6g}, {:.6g}]", t.ci_low, t.ci_high), t.contribution);
  }
  out += "\nsensitivity at best: tolerances each target moves across each parameter's range\n";
  out += fmt::format("{:<24}", "target");
  for (const FittedParameter& p : r.parameters) out += fmt::format(" {:>14}", p.name);
  out += "\n";
  for (size_t j = 0; j < r.targets.size(); ++j) {
    out += fmt::format("{:<24}", r.targets[j].name);
    for (double s : r.scaled_jacobian[j]) out += fmt::format(" {:>14.4g}", s);
    out += "\n";
  }
  for (size_t i = 0; i < r.parameters.size(); ++i) {
    double largest = 0;
    for (const std::vector<double>& row : r.scaled_jacobian) {
      largest = std::max(largest, std::abs(row[i]));
    }
    if (largest < kUnidentified) {
      out += fmt::format(
          "warning: no target moves by {} tolerance across the range of '{}': the targets do "
          "not identify it\n",
          kUnidentified, r.parameters[i].name);
    }
  }
  // The search stops at a local minimum of an objective that discrete events make rough; a
  // lower value at any evaluation (a Jacobian step, another restart) says the reported best
  // is not the minimum at this resolution.
  const auto lowest =
      std::min_element(r.evaluations.begin(), r.evaluations.end(),
                       [](const CalibrationEvaluation& a, const CalibrationEvaluation& b) {
                         return a.objective < b.objective;
                       });
  if (lowest != r.evaluations.end() && lowest->objective < r.objective) {
    out += fmt::format(
        "warning: evaluation {} ({}) has a lower objective, {:.6g}, than the best's {:.6g}: the "
        "objective is rough at this scale; raise replications or restart from that point\n",
        lowest - r.evaluations.begin(), lowest->phase, lowest->objective, r.objective);
  }
  out += fmt::format("\nwrote {}\n", report.output);
  return out;
}

}  // namespace gpumarket
