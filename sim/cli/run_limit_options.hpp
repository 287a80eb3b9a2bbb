// The options that lift the limits of run_limits.hpp, the same on every command that runs
// scenarios.
#pragma once

#include <CLI/CLI.hpp>

#include "gpumarket/cli/run_limits.hpp"

namespace gpumarket {

inline void add_run_limit_options(CLI::App* app, RunLimits& limits) {
  const auto add = [&](const char* name, double& target, const char* help) {
    app->add_option(name, target, help)
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group("Limits (docs/limits.md)");
  };
  add("--max-ticks", limits.max_ticks, "Ticks of all runs together");
  add("--max-jobs", limits.max_jobs, "Expected jobs of all runs together");
  add("--max-output-bytes", limits.max_output_bytes,
      "Bytes of series all runs write, uncompressed");
  add("--max-providers", limits.max_providers, "Providers of one run, all marketplaces");
  add("--max-addresses", limits.max_addresses, "Addresses of one run, all segments");
  add("--max-memory-bytes", limits.max_memory_bytes,
      "Memory one run allocates from its input (addresses, providers, one tick's jobs)");
  app->add_flag("--allow-large", limits.allow_large, "Lift every limit")
      ->group("Limits (docs/limits.md)");
}

}  // namespace gpumarket
