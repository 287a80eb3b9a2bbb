#include "run_checkpoints.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/core/version.hpp"
#include "gpumarket/io/scenario_prefix.hpp"

namespace gpumarket {
namespace {

SimTime end_of(const Scenario& scenario) { return SimTime::start() + scenario.horizon; }

std::string span_text(const Scenario& scenario) {
  return fmt::format("{} to {}", scenario.start.to_string(),
                     format_datetime(end_of(scenario), scenario.start));
}

SimTime checkpoint_date(const std::string& text, const Scenario& scenario) {
  const std::optional<SimTime> at = parse_datetime(text, scenario.start);
  if (!at) {
    throw Error(
        fmt::format("--checkpoint-at {}: expected a date, YYYY-MM-DD or "
                    "YYYY-MM-DDTHH:MM[:SS]",
                    text));
  }
  if (*at <= SimTime::start() || *at >= end_of(scenario)) {
    throw Error(
        fmt::format("--checkpoint-at {}: outside the run ({}); a checkpoint lies after "
                    "its start and before its end",
                    text, span_text(scenario)));
  }
  return *at;
}

std::vector<SimTime> periodic_dates(const std::string& text, const Scenario& scenario) {
  const std::optional<Duration> every = parse_duration(text);
  if (!every || *every <= Duration()) {
    throw Error(
        fmt::format("--checkpoint-every {}: expected a positive duration such as 30d "
                    "or 12h",
                    text));
  }
  if (*every < scenario.tick) {
    throw Error(
        fmt::format("--checkpoint-every {}: shorter than the scenario's tick ({} h); "
                    "a checkpoint holds the whole state, so at most one a tick",
                    text, scenario.tick.in_hours()));
  }
  std::vector<SimTime> dates;
  for (SimTime t = SimTime::start() + *every; t < end_of(scenario); t = t + *every) {
    dates.push_back(t);
  }
  return dates;
}

std::filesystem::path checkpoint_file_of(const RunCommand& command,
                                         const std::string& output_path) {
  if (!command.checkpoint_file.empty()) return command.checkpoint_file;
  return std::filesystem::path(output_path).replace_extension(".ckpt");
}

}  // namespace

CheckpointHeader checkpoint_header(const LoadedScenario& loaded, SimTime at) {
  return {program_version(),
          scenario_prefix_hash(loaded.tree, loaded.scenario.seed, loaded.scenario.start, at),
          at.count_micros(), format_datetime(at, loaded.scenario.start)};
}

CheckpointPlan plan_checkpoints(const RunCommand& command, const LoadedScenario& loaded,
                                const std::string& output_path) {
  CheckpointPlan plan;
  plan.file = checkpoint_file_of(command, output_path);
  for (const std::string& date : command.checkpoint_at) {
    plan.at.push_back(checkpoint_date(date, loaded.scenario));
  }
  if (command.checkpoint_every) {
    const std::vector<SimTime> periodic =
        periodic_dates(*command.checkpoint_every, loaded.scenario);
    plan.at.insert(plan.at.end(), periodic.begin(), periodic.end());
  }
  if (!command.from.empty()) {
    CheckpointFile from = read_checkpoint_file(command.from);
    const SimTime at = SimTime::micros(from.header.at_micros);
    if (at <= SimTime::start() || at >= end_of(loaded.scenario)) {
      throw Error(fmt::format("--from {}: the checkpoint is at {}, outside this run ({})",
                              command.from, from.header.at_text, span_text(loaded.scenario)));
    }
    check_checkpoint_matches(command.from, from.header, checkpoint_header(loaded, at));
    // Dates the state has passed are done already.
    std::erase_if(plan.at, [at](SimTime t) { return t <= at; });
    plan.from = std::move(from);
  }
  std::sort(plan.at.begin(), plan.at.end());
  plan.at.erase(std::unique(plan.at.begin(), plan.at.end()), plan.at.end());
  return plan;
}

RunTotals run_with_checkpoints(MarketModel& model, Recorder& recorder,
                               MarketModel::Progress progress, const LoadedScenario& loaded,
                               const CheckpointPlan& plan) {
  if (plan.from) {
    model.resume(recorder, plan.from->payload, std::move(progress), plan.saves());
  } else if (plan.saves()) {
    model.begin(recorder, std::move(progress), true);
  } else {
    return model.run(recorder, progress);
  }
  for (const SimTime at : plan.at) {
    model.advance_to(at);
    write_checkpoint_file(plan.file, checkpoint_header(loaded, at), model.save_state());
  }
  return model.end();
}

}  // namespace gpumarket
