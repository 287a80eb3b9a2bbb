#include "gpumarket/cli/commands.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <new>

#include "gpumarket/cli/dominance_warning.hpp"
#include "gpumarket/cli/sweep_command.hpp"
#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/core/out_of_memory.hpp"
#include "gpumarket/core/version.hpp"
#include "gpumarket/io/hdf5_reader.hpp"
#include "gpumarket/io/hdf5_recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/market/indicators.hpp"
#include "gpumarket/market/market_model.hpp"
#include "output_not_input.hpp"
#include "progress_bar.hpp"
#include "run_checkpoints.hpp"

namespace gpumarket {
namespace {

// The first signal asks to stop cleanly; the default action, restored here, ends the process
// at the second (a run stuck somewhere that does not poll still stops on a second Ctrl-C).
void on_interrupt(int signal) {
  request_interrupt(signal);
  std::signal(signal, SIG_DFL);
}

std::string default_output_path(const std::string& scenario_path) {
  const std::filesystem::path stem = std::filesystem::path(scenario_path).stem();
  return (std::filesystem::path("results") / stem).string() + ".h5";
}

ProgressBar::Mode progress_mode(const RunCommand& command) {
  if (!command.show_progress) return ProgressBar::Mode::Off;
  if (isatty(STDERR_FILENO)) return ProgressBar::Mode::Bar;
  return command.progress_interval_s > 0 ? ProgressBar::Mode::Lines : ProgressBar::Mode::Off;
}

std::vector<std::string> with_seed(std::vector<std::string> overrides,
                                   const std::optional<uint64_t>& seed) {
  if (seed) overrides.push_back("seed=" + std::to_string(*seed));
  return overrides;
}

// For the file's provenance: main.cpp keeps argv to itself, so the command that reproduces
// the run is rebuilt from its parsed options, with the output path it wrote.
std::string command_line(const RunCommand& command, const std::string& output_path) {
  std::string line =
      "gpumarket run " + shell_word(command.scenario_path) + " -o " + shell_word(output_path);
  if (command.seed) line += " --seed " + std::to_string(*command.seed);
  for (const std::string& o : command.overrides) line += " --set " + shell_word(o);
  return line;
}

std::vector<TimelineMark> timeline_marks(const Scenario& scenario) {
  std::vector<TimelineMark> marks;
  for (const TimelineStep& step : scenario.timeline) {
    marks.push_back({format_datetime(step.at, scenario.start), step.label});
  }
  return marks;
}

// The windows and dates of the headline indicators (docs/market.md, "What is reported"), under
// their scenario keys, so that a plot can mark them.
std::vector<IndicatorSetting> indicator_settings(const Scenario& scenario) {
  const IndicatorParams& p = scenario.indicators;
  return {{"indicators.daa_venue", {p.daa_venue}},
          {"indicators.daa_before", {p.daa_before_from.to_string(), p.daa_before_to.to_string()}},
          {"indicators.daa_after", {p.daa_after_from.to_string(), p.daa_after_to.to_string()}},
          {"indicators.bridge_split", {p.bridge_split.to_string()}}};
}

}  // namespace

void report_warnings(const LoadedScenario& loaded, bool strict) {
  for (const Warning& w : loaded.warnings) fmt::print(stderr, "{}\n", w.to_string());
  if (strict && !loaded.warnings.empty()) {
    throw Error(fmt::format("{}: {} warning(s), which --strict makes errors", loaded.path,
                            loaded.warnings.size()));
  }
}

std::vector<size_t> headline_order(const std::vector<std::string>& names) {
  using namespace indicator;
  std::vector<const IndicatorDefinition*> headline(std::begin(kArticleIndicators),
                                                   std::end(kArticleIndicators));
  headline.insert(headline.end(), {&kJobsCompleted, &kMeanWait, &kMeanQueueLength, &kUtilisation});
  std::vector<size_t> order;
  for (const IndicatorDefinition* wanted : headline) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (indicator::names(*wanted, names[i])) order.push_back(i);
    }
  }
  return order;
}

void install_interrupt_handlers() {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
}

void create_parent_directories(const std::filesystem::path& output) {
  const std::filesystem::path parent = output.parent_path();
  if (parent.empty()) return;
  // The nearest existing ancestor tells a path below a regular file (which no directory can
  // fix) from a directory that is merely missing.
  for (std::filesystem::path p = parent; !p.empty(); p = p.parent_path()) {
    std::error_code ignored;
    if (!std::filesystem::exists(p, ignored)) continue;
    if (!std::filesystem::is_directory(p, ignored)) {
      throw Error(fmt::format("{}: cannot write the file: '{}' is not a directory.",
                              output.string(), p.string()));
    }
    break;
  }
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) {
    throw Error(fmt::format("{}: cannot create the directory '{}': {}.", output.string(),
                            parent.string(), error.message()));
  }
}

double progress_interval_from_environment() {
  constexpr double kDefaultIntervalS = 10;
  const char* text = std::getenv("GPUMARKET_PROGRESS_INTERVAL");
  if (text == nullptr) return kDefaultIntervalS;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(seconds >= 0) || std::isinf(seconds)) {
    throw Error(fmt::format(
        "GPUMARKET_PROGRESS_INTERVAL={}: expected a number of seconds (0: no progress lines).",
        text));
  }
  return seconds;
}

RunReport run_scenario_command(const RunCommand& command) {
  const auto started = std::chrono::steady_clock::now();
  RunReport report;
  report.output_path = command.output_path.empty() ? default_output_path(command.scenario_path)
                                                   : command.output_path;
  // The scenario and the files it extends, checked before anything is written.
  std::vector<NamedInput> inputs = {{"the scenario", command.scenario_path}};
  const LoadedScenario loaded = naming_out_of_memory("loading " + command.scenario_path, [&] {
    for (NamedInput& base :
         source_files(load_config_file(command.scenario_path), "the base file")) {
      inputs.push_back(std::move(base));
    }
    std::vector<NamedInput> read = inputs;
    if (!command.from.empty()) read.push_back({"the checkpoint (--from)", command.from});
    check_output_not_input(report.output_path, "-o " + report.output_path, read);
    return load_scenario(command.scenario_path, with_seed(command.overrides, command.seed));
  });
  report_warnings(loaded, command.strict);
  check_run_cost(loaded.tree, loaded.scenario, command.limits);
  const CheckpointPlan checkpoints = plan_checkpoints(command, loaded, report.output_path);
  if (checkpoints.saves()) {
    // The checkpoint continued from may be replaced: it has been read.
    inputs.push_back({"the output (-o)", report.output_path});
    check_output_not_input(checkpoints.file, "--checkpoint-file " + checkpoints.file.string(),
                           inputs);
    create_parent_directories(checkpoints.file);
  }
  create_parent_directories(report.output_path);
  {
    Hdf5Recorder recorder(report.output_path);
    recorder.begin(RunInfo{loaded.path, loaded.text, loaded.resolved_yaml, loaded.scenario.seed,
                           program_version(), loaded.scenario.start.to_string(),
                           command_line(command, report.output_path), command.overrides,
                           timeline_marks(loaded.scenario), indicator_settings(loaded.scenario)});
    ProgressBar bar(progress_mode(command), command.scenario_path, loaded.scenario.start,
                    std::chrono::duration<double>(command.progress_interval_s));
    MarketModel model = naming_out_of_memory("setting up " + command.scenario_path,
                                             [&] { return MarketModel(loaded.scenario); });
    SimTime reached = SimTime::start();
    RunTotals totals;
    try {
      const auto progress = [&](const MarketModel::ProgressState& state) {
        if (const int signal = interrupt_signal(); signal != 0) {
          // The recorder's destructor removes the .partial file as this unwinds.
          throw Interrupted(
              fmt::format("{}: run interrupted by signal {}; no output file was written",
                          command.scenario_path, signal),
              signal);
        }
        reached = state.now;
        bar.update(state);
      };
      totals = run_with_checkpoints(model, recorder, progress, loaded, checkpoints);
    } catch (const std::bad_alloc&) {
      throw Error(fmt::format(
          "out of memory while running {} at simulated date {} (docs/limits.md says what sizes "
          "a run's memory)",
          command.scenario_path, format_datetime(reached, loaded.scenario.start)));
    }
    bar.finish({1.0, SimTime::start() + loaded.scenario.horizon, totals.events});
    naming_out_of_memory("writing " + report.output_path, [&] { recorder.finish(); });
  }
  report.summary = naming_out_of_memory("reading back " + report.output_path,
                                        [&] { return Hdf5Reader(report.output_path).summary(); });
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_./=:,+-@%") == std::string::npos;
  if (plain) return word;
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string validate_command(const std::string& path, const std::vector<std::string>& overrides,
                             bool strict, bool resolved, const RunLimits& limits) {
  if (is_sweep_file(path)) {
    if (!overrides.empty()) {
      throw Error(
          fmt::format("{}: --set applies to scenarios; this is a sweep file (it has "
                      "`axes`): change its `base` instead.",
                      path));
    }
    if (strict || resolved) {
      throw Error(fmt::format("{}: {} applies to scenarios; this is a sweep file.", path,
                              strict ? "--strict" : "--resolved"));
    }
    return validate_sweep_command(path, limits);
  }
  const LoadedScenario loaded = load_scenario(path, overrides);
  report_warnings(loaded, strict);
  check_run_cost(loaded.tree, loaded.scenario, limits);
  if (resolved) return loaded.resolved_yaml;
  const Scenario& s = loaded.scenario;
  return fmt::format("{}: valid: '{}', {} venue(s), {} segment(s), {} to {} ({:.0f} h), seed {}",
                     path, s.name, s.venues.size(), s.segments.size(), s.start.to_string(),
                     Date::from_days(s.start.days_since_epoch() +
                                     s.horizon.count_micros() / Duration::kMicrosPerDay)
                         .to_string(),
                     s.horizon.in_hours(), s.seed);
}

void print_headline(const RunReport& report, std::FILE* out) {
  std::vector<std::string> names;
  names.reserve(report.summary.size());
  for (const SummaryValue& v : report.summary) names.push_back(v.name);
  std::vector<const SummaryValue*> rows;
  for (const size_t i : headline_order(names)) {
    const SummaryValue& v = report.summary[i];
    if (!std::isnan(v.value)) rows.push_back(&v);  // NaN: not applicable to this scenario
  }
  size_t width = 0;
  for (const SummaryValue* v : rows) width = std::max(width, v->name.size());
  fmt::print(out, "{:<{}}  {:>12}  {}\n", "indicator", width, "value", "unit");
  for (const SummaryValue* v : rows) {
    fmt::print(out, "{:<{}}  {:>12.6g}  {}\n", v->name, width, v->value, v->unit);
  }
  std::vector<std::vector<double>> values;
  values.reserve(report.summary.size());
  for (const SummaryValue& v : report.summary) values.push_back({v.value});
  const std::string warnings = format_dominance(find_dominance(names, values), 1);
  if (!warnings.empty()) fmt::print(out, "\n{}", warnings);
  fmt::print(out, "\n{} more indicators in the file (gpumarket compare {} lists them all)\n",
             report.summary.size() - rows.size(), report.output_path);
  fmt::print(out, "wrote {} in {:.2f} s\n", report.output_path, report.wall_seconds);
}

}  // namespace gpumarket
