#include "gpumarket/sweep/sweep_fork.hpp"

#include <fmt/core.h>

#include <optional>
#include <vector>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/io/scenario_prefix.hpp"

namespace gpumarket {
namespace {

// What one point's replication 0 has before the fork: its prefix hash; nullopt when the point
// does not decode (its rows fail as rows do, forked or not).
std::optional<uint64_t> prefix_of(const SweepSpec& spec, uint64_t point) {
  const SweepRow row = spec.row(point * spec.replications);
  const ConfigNode tree = spec.scenario_tree(row);
  std::optional<Scenario> scenario;
  try {
    scenario = decode_scenario(tree);
  } catch (const Error&) {
    return std::nullopt;
  }
  const SimTime at = fork_time(spec, scenario->start);
  const SimTime end = SimTime::start() + scenario->horizon;
  if (at <= SimTime::start() || at >= end) {
    throw Error(spec.fork_at_location,
                fmt::format("fork_at: {} is outside the run of point {} ({} to {}); the fork "
                            "lies after the start and before the end",
                            spec.fork_at, spec.point_key(point), scenario->start.to_string(),
                            format_datetime(end, scenario->start)));
  }
  return scenario_prefix_hash(tree, row.seed, scenario->start, at);
}

[[noreturn]] void throw_changes_before(const SweepSpec& spec, uint64_t point, size_t axis) {
  const AxisValue& value = spec.points[point].values[axis];
  throw Error(value.where,
              fmt::format("axes: {} = {} changes the scenario before fork_at {} (point {} "
                          "differs there from point {}): the points of a forked sweep may "
                          "differ only in timeline steps dated at or after the fork",
                          spec.axes[axis].name, value.text, spec.fork_at, spec.point_key(point),
                          spec.point_key(0)));
}

// Point `point` has another history than point 0: the axis whose value, put alone into point
// 0, changes point 0's history; else the first axis in which the two points differ.
[[noreturn]] void throw_axis_before_fork(const SweepSpec& spec, uint64_t point,
                                         uint64_t first_prefix) {
  std::optional<size_t> first_differing;
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    if (spec.points[point].values[a].text == spec.points[0].values[a].text) continue;
    if (!first_differing) first_differing = a;
    SweepSpec alone = spec;
    alone.points = {spec.points[0]};
    alone.points[0].values[a] = spec.points[point].values[a];
    const std::optional<uint64_t> prefix = prefix_of(alone, 0);
    if (prefix && *prefix != first_prefix) throw_changes_before(spec, point, a);
  }
  GPUMARKET_CHECK(first_differing.has_value());  // equal values give equal trees
  throw_changes_before(spec, point, *first_differing);
}

}  // namespace

SimTime fork_time(const SweepSpec& spec, Date start) {
  const std::optional<SimTime> at = parse_datetime(spec.fork_at, start);
  GPUMARKET_CHECK(at.has_value());
  return *at;
}

void check_fork(const SweepSpec& spec) {
  if (!parse_datetime(spec.fork_at, Date())) {
    throw Error(spec.fork_at_location,
                fmt::format("fork_at: '{}' is not a date; expected YYYY-MM-DD or "
                            "YYYY-MM-DDTHH:MM[:SS]",
                            spec.fork_at));
  }
  if (!spec.common_random_numbers) {
    throw Error(spec.fork_at_location,
                "fork_at: needs common_random_numbers: true (without, every point has seeds of "
                "its own, so no two points share a history)");
  }
  std::optional<uint64_t> first;
  for (uint64_t p = 0; p < spec.points.size(); ++p) {
    const std::optional<uint64_t> prefix = prefix_of(spec, p);
    if (!prefix) continue;
    if (!first) first = prefix;
    if (*prefix != *first) throw_axis_before_fork(spec, p, *first);
  }
}

TrunkStates::State TrunkStates::get(uint64_t prefix_hash,
                                    const std::function<std::string()>& run_trunk) {
  std::promise<State> promise;
  std::shared_future<State> state;
  bool runs_it = false;
  {
    std::lock_guard lock(mutex_);
    const auto [entry, inserted] = states_.try_emplace(prefix_hash);
    if (inserted) {
      entry->second = promise.get_future().share();
      runs_it = true;
    }
    state = entry->second;
  }
  if (runs_it) {
    try {
      promise.set_value(std::make_shared<const std::string>(run_trunk()));
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
  }
  return state.get();  // waits for the thread running the trunk; rethrows its error
}

}  // namespace gpumarket
