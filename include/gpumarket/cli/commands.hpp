// What the gpumarket subcommands do, once their arguments are parsed: load, run,
// write and report. main() only parses arguments and calls these.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/core/recorder.hpp"

namespace gpumarket {

struct RunCommand {
  std::string scenario_path;
  std::string output_path;  // empty: results/<scenario stem>.h5
  std::optional<uint64_t> seed;
  std::vector<std::string> overrides;  // "key.path=value"
  bool show_progress = false;
};

struct RunReport {
  std::string output_path;
  std::vector<SummaryValue> summary;  // as read back from the written file
  double wall_seconds = 0;
};

/// Loads and validates the scenario, runs it and publishes the HDF5 file. Throws
/// gpumarket::Error on bad input, before any output file exists.
RunReport run_scenario_command(const RunCommand& command);

/// Loads and validates the scenario; returns a one-line description of it.
std::string validate_scenario_command(const std::string& scenario_path,
                                      const std::vector<std::string>& overrides);

/// Prints a run's headline results as a short table.
void print_headline(const RunReport& report, std::FILE* out);

/// Set by SIGINT/SIGTERM: the run stops at its next tick and leaves no output file.
void install_interrupt_handlers();

}  // namespace gpumarket
