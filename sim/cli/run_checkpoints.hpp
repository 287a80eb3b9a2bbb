// `run --checkpoint-at`, `--checkpoint-every` and `--from`: where a run saves its state, and a
// run continued from a saved state.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/cli/commands.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/io/checkpoint_file.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/market/market_model.hpp"

namespace gpumarket {

struct CheckpointPlan {
  std::filesystem::path file;          // where the checkpoints go (each replaces the last)
  std::vector<SimTime> at;             // ascending, after the start and before the end
  std::optional<CheckpointFile> from;  // the state the run continues from
  bool saves() const { return !at.empty(); }
};

/// Reads the command's checkpoint options against the loaded scenario: the dates, the
/// interval, the checkpoint file (default: the output's path with ".ckpt") and the checkpoint
/// to continue from, verified against the scenario. Throws Error naming the option and what
/// was expected.
CheckpointPlan plan_checkpoints(const RunCommand& command, const LoadedScenario& loaded,
                                const std::string& output_path);

/// What a checkpoint of `loaded` at `at` carries to identify it.
CheckpointHeader checkpoint_header(const LoadedScenario& loaded, SimTime at);

/// Runs `model` to its end: from the plan's checkpoint or from the start, saving its state at
/// each of the plan's dates.
RunTotals run_with_checkpoints(MarketModel& model, Recorder& recorder,
                               MarketModel::Progress progress, const LoadedScenario& loaded,
                               const CheckpointPlan& plan);

}  // namespace gpumarket
