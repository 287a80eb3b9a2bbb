// The limits on what a command may simulate, checked once before anything runs: a scenario
// whose estimated cost (market/run_cost.hpp) is beyond them is refused with a located error
// naming the key that drives the cost. docs/limits.md lists the defaults and how to lift them.
#pragma once

#include <cstdint>
#include <string>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket {

/// Totals over every run of a command (ticks, jobs, output bytes) and sizes of one run
/// (providers, addresses, memory). Defaults leave every shipped scenario and sweep a margin of
/// 10x or more (docs/limits.md).
struct RunLimits {
  double max_ticks = 1e8;
  double max_jobs = 1e10;
  double max_output_bytes = 1e11;
  double max_providers = 1e7;
  double max_addresses = 1e7;
  double max_memory_bytes = 2e9;
  bool allow_large = false;  // lifts every limit
};

/// How many runs of the scenario a command makes, and what sets that number, to name it when
/// the total is what goes beyond a limit.
struct RunRows {
  double count = 1;
  SourceLocation where;  // the `replications` value of a sweep file, or none for an option
  std::string key;       // "replications", "--replications"
};

/// Throws Error, located at the key that drives the cost (e.g. "bear.yaml:12:7: tick: 1us over
/// 14472 h gives 5.2e+13 ticks; the limit is 1e+08 (--max-ticks N or --allow-large)"), when
/// `rows.count` runs of `scenario`, decoded from `tree`, go beyond `limits`.
void check_run_cost(const ConfigNode& tree, const Scenario& scenario, const RunLimits& limits,
                    const RunRows& rows = {});

}  // namespace gpumarket
