// Runs the rows of a sweep: on a pool of threads in one process, spread over MPI ranks, or one
// shard of a job array; journals every finished row and writes the HDF5 result at the end.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/core/recorder.hpp"
#include "gpumarket/sweep/journal.hpp"
#include "gpumarket/sweep/process_group.hpp"
#include "gpumarket/sweep/sweep_fork.hpp"
#include "gpumarket/sweep/sweep_result.hpp"
#include "gpumarket/sweep/sweep_spec.hpp"

namespace gpumarket {

struct SweepOptions {
  /// The result file. With shard_count > 1 it names the whole sweep; the shard writes
  /// shard_output_path(output, shard_index, shard_count).
  std::filesystem::path output;
  /// Worker threads per process; 0: the cores this process may use, shared evenly among the
  /// MPI ranks on its node.
  unsigned threads = 0;
  /// This process runs the rows with row % shard_count == shard_index.
  uint64_t shard_index = 0;
  uint64_t shard_count = 1;
  /// Whether rows that failed in an earlier run are run again (default: kept as failed).
  bool retry_failed = false;
  /// Not empty: the result gets an ensemble's bands at these quantiles (docs/output.md,
  /// "Ensemble bands"), from the run files its rows keep in the journal directory as
  /// keep_series does (a row journalled as done without its file runs again). Only for a
  /// sweep of one point and one shard.
  std::vector<double> band_quantiles;
  /// An earlier result and journal at `output` of another sweep (other inputs) is moved
  /// aside (move_result_aside) instead of refused: for ensembles, whose output is named after
  /// the scenario file rather than chosen, so that editing the scenario and running again
  /// just works.
  bool move_other_results_aside = false;
  /// Receives progress lines (rank 0 only); empty: silent.
  std::function<void(const std::string&)> log;
};

struct SweepReport {
  std::filesystem::path output;  // the file written (rank 0), or empty on other ranks
  uint64_t rows = 0;             // rows of this shard
  uint64_t done = 0;             // rows done in the result
  uint64_t failed = 0;           // rows failed in the result
  uint64_t ran = 0;              // rows run by this invocation (all ranks)
  uint64_t skipped = 0;          // rows already finished in the journal
  double wall_seconds = 0;       // from start to the result written
  double run_seconds = 0;        // sum of the run times of the rows run now (all ranks)
  unsigned threads = 1;          // per rank
  int ranks = 1;
};

/// "<dir>/<stem>.shard-<i>-of-<n><ext>", e.g. out.h5 -> out.shard-2-of-4.h5.
std::filesystem::path shard_output_path(const std::filesystem::path& output, uint64_t index,
                                        uint64_t count);
/// "<output>.journal": the journal parts and per-row series files of `output`.
std::filesystem::path journal_directory(const std::filesystem::path& output);

/// A point whose scenario the loader rejects, with its located error.
struct InvalidPoint {
  uint64_t point = 0;
  std::string error;
};

/// A warning of the scenario loader (a setting that can have no effect) and the points whose
/// scenario gives it.
struct PointWarning {
  std::string warning;  // "file:line:col: warning: key: ..."
  std::vector<uint64_t> points;
};

/// What decoding every point's scenario (the base with the point's values and its first row's
/// seed) finds, in point order: the points that do not decode, and the warnings of those that
/// do, each once with its points, in order of first appearance. Runs nothing: each point costs
/// one scenario decode.
struct PointChecks {
  std::vector<InvalidPoint> invalid;
  std::vector<PointWarning> warnings;
};
PointChecks check_points(const SweepSpec& spec);

/// The indicators to collect: the sweep's list, checked against the summary of a probe run (a
/// row's scenario shortened to one tick, which runs in microseconds); or, when the list is
/// empty, every name of that summary. Throws Error at the first unknown indicator.
std::vector<std::string> sweep_indicators(const SweepSpec& spec);

/// The unit and description of each indicator, from the same probe run; both "" for a name the
/// probe's summary lacks or when no row's scenario decodes.
std::vector<SummaryValue> describe_indicators(const SweepSpec& spec,
                                              const std::vector<std::string>& indicators);

/// The summary and series declarations of a probe run (a row's scenario shortened to one
/// tick, which runs in microseconds; no series values are kept), from the first point whose
/// scenario decodes; nullopt when none does. Names, units and descriptions do not depend on the
/// horizon.
std::optional<MemoryRecorder> probe_run(const SweepSpec& spec);

/// Values a caller computes from a finished run's series (MemoryRecorder keeping them), which
/// run_sweep_row appends to the entry's indicators; empty: none, and no series are kept.
using RowStatistics = std::function<std::vector<double>(const MemoryRecorder&)>;

/// Runs one row; never throws for a bad row (its error is recorded in the entry). With a
/// non-empty `series_file`, also writes the row's series and summary there (as `run` does).
/// The entry holds the named `indicators`, then what `statistics` returns. With `trunks` (a
/// sweep with `fork_at`), the row continues from its trunk's state at the fork, which the
/// first row to need it runs.
JournalEntry run_sweep_row(const SweepSpec& spec, const SweepRow& row,
                           const std::vector<std::string>& indicators,
                           const std::filesystem::path& series_file,
                           const RowStatistics& statistics = {}, TrunkStates* trunks = nullptr);

/// Runs every row of `spec` in this process on `threads` threads (0: the usable cores), as
/// run_sweep runs its pending rows but with no journal, ranks or result file; the entries in
/// row order. For callers that run many small ensembles and keep their own record (calibrate).
std::vector<JournalEntry> run_rows_in_process(const SweepSpec& spec,
                                              const std::vector<std::string>& indicators,
                                              const RowStatistics& statistics, unsigned threads);

/// The points table of one shard from the journal's entries; rows without an entry are
/// "pending".
SweepResult build_sweep_result(const SweepSpec& spec, const std::vector<std::string>& indicators,
                               const std::map<uint64_t, JournalEntry>& entries,
                               uint64_t shard_index, uint64_t shard_count,
                               const std::filesystem::path& journal_dir);

/// Runs the rows of this shard that the journal does not hold yet, over the group's ranks
/// and each rank's threads, then (rank 0) writes the result. Throws Error for bad options, an
/// unwritable journal or output, or a journal of another sweep.
SweepReport run_sweep(const SweepSpec& spec, const SweepOptions& options, ProcessGroup& group);

}  // namespace gpumarket
