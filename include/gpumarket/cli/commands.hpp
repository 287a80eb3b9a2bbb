// What the gpumarket subcommands do, once their arguments are parsed: load, run,
// write and report. main() only parses arguments and calls these.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/cli/run_limits.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/core/interrupt.hpp"
#include "gpumarket/core/recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"

namespace gpumarket {

/// The exit status of gpumarket, one per way a command ends; README.md and --help list them.
namespace exit_code {
constexpr int kSuccess = 0;
constexpr int kBadInput = 1;      // scenario or sweep file errors, missing or unwritable files
constexpr int kUsage = 2;         // the command line does not parse, or names an input as output
constexpr int kFailedRows = 3;    // a sweep finished, but some of its rows failed
constexpr int kSignalBase = 128;  // interrupted: 128 + the signal, 130 for SIGINT (Ctrl-C)
}  // namespace exit_code

/// A command line that parses but cannot be carried out as given, found before anything is
/// written (an output file that is one of the inputs): exit_code::kUsage.
class UsageError : public Error {
 public:
  using Error::Error;
};

struct RunCommand {
  std::string scenario_path;
  std::string output_path;  // empty: results/<scenario stem>.h5
  std::optional<uint64_t> seed;
  std::vector<std::string> overrides;  // "key.path=value"
  bool show_progress = false;
  /// Seconds between status lines when stderr is not a terminal; 0: none. On a terminal a
  /// bar is redrawn instead.
  double progress_interval_s = 10;
  bool strict = false;  // the scenario's warnings are errors
  RunLimits limits;     // a scenario that would cost more is refused before it runs
  // Checkpoints (docs/analysis.md, "Checkpoints and forks"): the run's state is saved at each
  // date (YYYY-MM-DD[THH:MM[:SS]]) and every interval (e.g. "30d") to `checkpoint_file`
  // (empty: the output's path with ".ckpt"), each replacing the last; `from` names a
  // checkpoint to continue from instead of starting.
  std::vector<std::string> checkpoint_at;
  std::optional<std::string> checkpoint_every;
  std::string checkpoint_file;
  std::string from;
};

struct RunReport {
  std::string output_path;
  std::vector<SummaryValue> summary;  // as read back from the written file
  double wall_seconds = 0;
};

/// Loads and validates the scenario, runs it and publishes the HDF5 file, creating its
/// directory if needed. Prints the scenario's warnings to stderr first. Throws gpumarket::Error
/// on bad input (with `strict`, also after warnings), before any output file exists, and
/// Interrupted when a signal stops the run.
RunReport run_scenario_command(const RunCommand& command);

/// Loads and validates a scenario, or a sweep file (its base scenario and every point);
/// returns a one-line description of it, or with `resolved` the scenario after extends and
/// overrides as YAML. Prints a scenario's warnings to stderr. Throws Error at the first
/// problem, and with `strict` after warnings (a sweep file takes neither `strict` nor
/// `resolved`), and when a run of it would go beyond `limits`.
std::string validate_command(const std::string& path, const std::vector<std::string>& overrides,
                             bool strict = false, bool resolved = false,
                             const RunLimits& limits = {});

/// An argument as the shell reads it back: quoted when it holds anything but plain
/// characters. For the command lines that files record.
std::string shell_word(const std::string& word);

/// Creates the missing directories above `output`, so that every command writes into a
/// fresh checkout alike. Throws Error, naming `output`, when one cannot be created.
void create_parent_directories(const std::filesystem::path& output);

/// The seconds between progress lines: GPUMARKET_PROGRESS_INTERVAL when set, else 10.
/// Throws Error when the variable is not a non-negative number.
double progress_interval_from_environment();

/// Prints each of the scenario's warnings to stderr; with `strict`, then throws Error when
/// there is any.
void report_warnings(const LoadedScenario& loaded, bool strict);

/// The positions in `names` of the headline tables' indicators, in the headline's order: those
/// the articles watch (indicators.hpp, kArticleIndicators), then the queueing ones. Names
/// outside the headline are left out (they stay in the file).
std::vector<size_t> headline_order(const std::vector<std::string>& names);

/// Prints a run's headline results as a short table.
void print_headline(const RunReport& report, std::FILE* out);

/// SIGINT/SIGTERM request an interrupt (core/interrupt.hpp): the run stops within about a
/// millisecond (at its next tick, or in a long read, setup, arrival batch or tick), leaves no
/// output file and throws Interrupted. A second signal ends the process at once.
void install_interrupt_handlers();

}  // namespace gpumarket
