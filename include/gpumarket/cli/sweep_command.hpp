// The sweep subcommands: `sweep` runs a sweep file (threads, MPI ranks or one shard),
// `sweep-merge` joins shard results, `sweep-compare` reports paired differences with CIs,
// `sweep-analyse` (sensitivity_command.hpp) the sensitivity indices of a design.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gpumarket/cli/run_limits.hpp"
#include "gpumarket/sweep/sweep_runner.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace gpumarket {

struct SweepCommand {
  std::string sweep_path;
  std::string output;  // empty: the sweep file's `output`, else results/<sweep stem>.h5
  unsigned threads = 0;
  std::string shard;  // "i/N"; empty: SLURM_ARRAY_TASK_ID/COUNT when set, else the whole sweep
  bool retry_failed = false;
  bool quiet = false;
  bool dry_run = false;  // check the sweep and print its points; run nothing
  bool fresh = false;    // move an earlier run's journal and result aside and start over
  RunLimits limits;      // checked on every point, times the sweep's rows, before any row runs
};

struct SweepMergeCommand {
  std::string output;
  std::vector<std::string> shards;
};

struct SweepCompareCommand {
  std::string result_path;
  std::string a, b;                     // row selections, e.g. "servers=3" or "point=2"
  std::vector<std::string> indicators;  // empty: all
  double confidence = 0.95;
  bool csv = false;
};

/// Parses "i/N" with 0 <= i < N. Throws Error naming `text` otherwise.
std::pair<uint64_t, uint64_t> parse_shard(const std::string& text);

/// The shard from the environment of a Slurm job array task (SLURM_ARRAY_TASK_ID relative to
/// SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT), or {0, 1} outside a job array.
std::pair<uint64_t, uint64_t> shard_from_environment();

/// Runs `gpumarket sweep`; prints progress and a summary to stderr unless quiet (rank 0 only).
/// Before any row runs, checks the base scenario and every point: when no point loads, throws
/// the first point's located error; points that do not load are listed, and their rows fail.
/// With dry_run, prints the points (one line each, as --set overrides) to stdout instead.
SweepReport sweep_command(const SweepCommand& command);

/// Checks a sweep file as `sweep` would before running (its base scenario, every point and the
/// indicators) and returns a one-line description. Throws Error at the first invalid point,
/// and when the sweep's rows would go beyond `limits`.
std::string validate_sweep_command(const std::string& path, const RunLimits& limits = {});

struct SweepMergeReport {
  std::string summary;  // one line
  uint64_t failed = 0;  // failed rows in the merged result
};

/// Merges shard results into one file, creating its directory if needed.
SweepMergeReport sweep_merge_command(const SweepMergeCommand& command);

/// The paired-difference table as text (or CSV).
std::string sweep_compare_command(const SweepCompareCommand& command);

/// The four subcommands, registered on `app`; run() calls the one that was given.
class SweepSubcommands {
 public:
  explicit SweepSubcommands(CLI::App& app);
  ~SweepSubcommands();
  SweepSubcommands(const SweepSubcommands&) = delete;
  SweepSubcommands& operator=(const SweepSubcommands&) = delete;
  SweepSubcommands(SweepSubcommands&&) = delete;
  SweepSubcommands& operator=(SweepSubcommands&&) = delete;
  /// Whether the command line named one of them.
  bool selected() const;
  /// Runs it and returns the exit code: exit_code::kFailedRows when the sweep's (or the
  /// merged) result has failed rows, else kSuccess. Throws Error on bad input.
  int run() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gpumarket
