// gpumarket: parse the command line, call the command, report errors once.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "gpumarket/cli/calibrate_command.hpp"
#include "gpumarket/cli/commands.hpp"
#include "gpumarket/cli/compare_command.hpp"
#include "gpumarket/cli/ensemble_command.hpp"
#include "gpumarket/cli/explain_command.hpp"
#include "gpumarket/cli/sweep_command.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/core/version.hpp"
#include "gpumarket/io/config_reader.hpp"
#include "run_limit_options.hpp"
#include "unsigned_option.hpp"

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 success; 1 bad input (scenario or sweep file errors, missing or unwritable "
    "files, a full disk, an output another gpumarket process is writing); 2 usage error (the "
    "command line does not parse, or names an input file as the output); 3 a sweep finished with "
    "failed "
    "rows; 130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM.\n";

// CLI11 reports a misspelt subcommand as a missing one; name the nearest instead, as the
// scenario loader does for keys. Returns false when the first argument is no such typo.
bool report_unknown_subcommand(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return false;
  const std::string word = argv[1];
  std::string names;
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    const std::string& name = sub->get_name();
    if (name == word) return false;
    names += (names.empty() ? "" : ", ") + name;
    const size_t distance = gpumarket::edit_distance(word, name);
    if (distance < best_distance) best = name, best_distance = distance;
  }
  constexpr size_t kMaxTypoDistance = 2;
  fmt::print(stderr, "gpumarket: error: '{}' is not a subcommand{} (subcommands: {})\n", word,
             best_distance <= kMaxTypoDistance ? fmt::format("; did you mean '{}'?", best) : "",
             names);
  fmt::print(stderr, "Run with --help for more information.\n");
  return true;
}

int run_main(int argc, char** argv) {
  using namespace gpumarket;
  CLI::App app{"gpumarket: a discrete-event simulator of GPU compute markets"};
  app.set_version_flag("--version", std::string("gpumarket ") + program_version());
  app.require_subcommand(1);
  app.footer(kExitCodes);

  RunCommand run;
  bool quiet = false;
  CLI::App* run_app = app.add_subcommand("run", "Run a scenario and write its results to HDF5");
  run_app->add_option("scenario", run.scenario_path, "Scenario file (YAML)")->required();
  run_app->add_option("-o,--output", run.output_path,
                      "Output file, netCDF-4/CF HDF5 (docs/output.md; read it in Python with "
                      "python/gpumarket) (default: results/<scenario name>.h5)");
  add_unsigned_option(run_app, "--seed", run.seed, "Random seed (overrides the scenario's)");
  run_app->add_option("--set", run.overrides, "Override a scenario value: key.path=value")
      ->take_all();
  run_app->add_flag("-q,--quiet", quiet, "Print no headline table and no progress");
  run_app->add_flag("--strict", run.strict, "Treat the scenario's warnings as errors");
  std::optional<uint64_t> replications;
  add_unsigned_option(run_app, "--replications", replications,
                      "Run N replications with common random numbers (an ensemble, on the "
                      "sweep's threads and journal) and print means with 95% intervals "
                      "(default output: results/<scenario name>.ensemble.h5)");
  unsigned run_threads = 0;
  add_unsigned_option(run_app, "--threads", run_threads,
                      "With --replications: worker threads (default: the cores available)")
      ->needs("--replications");
  bool no_bands = false;
  run_app
      ->add_flag("--no-bands", no_bands,
                 "With --replications: no mean and quantile bands of the series in the "
                 "result (they keep each replication's run file in the journal)")
      ->needs("--replications");
  std::optional<double> progress_interval;
  run_app
      ->add_option("--progress-interval", progress_interval,
                   "Seconds between progress lines when stderr is not a terminal, e.g. a "
                   "Slurm log; 0: none (default: GPUMARKET_PROGRESS_INTERVAL, else 10)")
      ->check(CLI::NonNegativeNumber);
  add_run_limit_options(run_app, run.limits);
  run_app
      ->add_option("--checkpoint-at", run.checkpoint_at,
                   "Save the run's state at this date (YYYY-MM-DD[THH:MM[:SS]]; repeatable) to "
                   "the checkpoint file, then go on")
      ->excludes("--replications");
  run_app
      ->add_option("--checkpoint-every", run.checkpoint_every,
                   "Save the run's state every interval of simulated time (e.g. 30d), each "
                   "checkpoint replacing the last: a killed run continues with --from")
      ->excludes("--replications");
  run_app
      ->add_option("--checkpoint-file", run.checkpoint_file,
                   "Where checkpoints go (default: the output's path with .ckpt)")
      ->excludes("--replications");
  run_app
      ->add_option("--from", run.from,
                   "Continue from this checkpoint instead of starting: the scenario must be the "
                   "checkpoint's up to its date; its later timeline steps may differ")
      ->excludes("--replications");

  std::string validate_path;
  std::vector<std::string> validate_overrides;
  CLI::App* validate_app = app.add_subcommand(
      "validate", "Check a scenario, or a sweep file and all its points, without running it");
  validate_app->add_option("file", validate_path, "Scenario or sweep file (YAML)")->required();
  validate_app->add_option("--set", validate_overrides, "Override a value: key.path=value")
      ->take_all();
  bool validate_strict = false;
  validate_app->add_flag("--strict", validate_strict, "Treat the scenario's warnings as errors");
  bool validate_resolved = false;
  validate_app->add_flag("--resolved", validate_resolved,
                         "Print the scenario after extends and --set (YAML) instead of a summary");
  RunLimits validate_limits;
  add_run_limit_options(validate_app, validate_limits);

  CompareCommand compare;
  CLI::App* compare_app =
      app.add_subcommand("compare", "Print the summary indicators of several runs side by side");
  compare_app
      ->add_option("files", compare.paths,
                   "Results files (HDF5) written by run; or two ensemble files (run "
                   "--replications), or two scenarios with --replications")
      ->required();
  CLI::Option* only =
      compare_app->add_option("--only", compare.only, "Indicators to show: name1,name2,...")
          ->delimiter(',')
          ->allow_extra_args(false);
  compare_app
      ->add_flag("--headline", compare.headline,
                 "Only the articles' indicators (prices, fees, DAA, bridge volumes, shares)")
      ->excludes(only);
  compare_app->add_flag("--csv", compare.csv, "Print CSV instead of a text table");
  std::optional<uint64_t> compare_replications;
  add_unsigned_option(compare_app, "--replications", compare_replications,
                      "The two files are scenarios: run each N times with one seed (common "
                      "random numbers) and print paired differences with 95% intervals");
  std::optional<uint64_t> compare_seed;
  add_unsigned_option(compare_app, "--seed", compare_seed,
                      "With --replications: the seed of both ensembles (default: the first "
                      "scenario's)")
      ->needs("--replications");
  bool compare_quiet = false;
  compare_app->add_flag("-q,--quiet", compare_quiet,
                        "With --replications: print no progress of the ensembles");
  RunLimits compare_limits;
  add_run_limit_options(compare_app, compare_limits);
  unsigned compare_threads = 0;
  add_unsigned_option(compare_app, "--threads", compare_threads,
                      "With --replications: worker threads (default: the cores available)")
      ->needs("--replications");

  ExplainCommand explain;
  bool explain_csv = false;
  CLI::App* explain_app = app.add_subcommand(
      "explain",
      "Attribute each indicator's difference B - A to the groups of parameters in which two "
      "scenarios differ (Shapley values over ensembles of every combination)");
  explain_app->add_option("a", explain.a_path, "Scenario A (YAML)")->required();
  explain_app->add_option("b", explain.b_path, "Scenario B (YAML)")->required();
  explain_app
      ->add_option("--group", explain.groupings,
                   "Attribute parts together: NAME=PART,PART,... (parts as the table lists "
                   "them, e.g. venues.alliance.subsidy_rate, hardware, or a section such as "
                   "venues.alliance for all its parts); repeatable")
      ->take_all();
  std::optional<uint64_t> explain_replications;
  add_unsigned_option(explain_app, "--replications", explain_replications,
                      "Replications per combination (default 5)");
  add_unsigned_option(explain_app, "--seed", explain.seed,
                      "Seed of every ensemble (default: A's scenario seed)");
  add_unsigned_option(explain_app, "--permutations", explain.permutations,
                      fmt::format("Estimate the Shapley values from this many random orders of "
                                  "the groups (default: exact up to {} groups, 2k orders beyond)",
                                  kMaxExactExplainGroups));
  add_unsigned_option(explain_app, "--threads", explain.threads,
                      "Worker threads (default: the cores available)");
  explain_app->add_option("-o,--output", explain.output_dir,
                          "Directory of the combinations' ensembles (resumable) and of "
                          "explain.h5 (default: results/<a>-vs-<b>.explain)");
  explain_app->add_option("--only", explain.only, "Indicators to explain: name1,name2,...")
      ->delimiter(',');
  explain_app->add_flag("--csv", explain_csv, "Print CSV instead of a text table");
  explain_app->add_flag("-q,--quiet", explain.quiet, "Print no progress");
  add_run_limit_options(explain_app, explain.limits);

  const SweepSubcommands sweep(app);

  CalibrateCommand calibrate;
  CLI::App* calibrate_app = app.add_subcommand(
      "calibrate",
      "Fit a scenario's free parameters to observed targets (simulated method of moments)");
  calibrate_app->add_option("file", calibrate.path, "Calibration file (YAML)")->required();
  calibrate_app->add_option("-o,--output", calibrate.output,
                            "Result file (default: the file's `output`, else "
                            "results/<file>.calibration.h5); its journal resumes a killed run");
  add_unsigned_option(calibrate_app, "--threads", calibrate.threads,
                      "Threads per evaluation's replications (default: the usable cores)");
  calibrate_app->add_flag("-q,--quiet", calibrate.quiet, "Print no progress");
  add_run_limit_options(calibrate_app, calibrate.limits);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive as parse "errors" whose code is 0.
    if (e.get_exit_code() == 0) return app.exit(e);
    if (!report_unknown_subcommand(app, argc, argv)) app.exit(e);
    return exit_code::kUsage;
  }

  try {
    if (*run_app && replications) {
      // Rows run on the sweep's workers; a signal ends the process and the journal keeps the
      // replications already done, which the same command resumes.
      const EnsembleReport report = run_ensemble_command({.run = run,
                                                          .replications = *replications,
                                                          .threads = run_threads,
                                                          .quiet = quiet,
                                                          .bands = !no_bands});
      if (!quiet) print_ensemble_headline(report, stdout);
    } else if (*run_app) {
      install_interrupt_handlers();
      run.show_progress = !quiet;
      // -q prints no progress, so a bad GPUMARKET_PROGRESS_INTERVAL cannot matter then.
      if (!quiet) {
        run.progress_interval_s =
            progress_interval ? *progress_interval : progress_interval_from_environment();
      }
      const RunReport report = run_scenario_command(run);
      if (!quiet) print_headline(report, stdout);
    } else if (*validate_app) {
      fmt::print("{}\n", validate_command(validate_path, validate_overrides, validate_strict,
                                          validate_resolved, validate_limits));
    } else if (*explain_app) {
      if (explain_replications) explain.replications = *explain_replications;
      fmt::print("{}", format_explain(explain_command(explain), explain_csv));
    } else if (*calibrate_app) {
      for (int i = 0; i < argc; ++i) {
        calibrate.command_line += (i == 0 ? "gpumarket" : std::string(" ") + argv[i]);
      }
      const CalibrateReport report = calibrate_command(calibrate);
      if (!calibrate.quiet) fmt::print("{}", format_calibration(report));
    } else if (sweep.selected()) {
      return sweep.run();
    } else if (*compare_app && (compare_replications || are_ensemble_files(compare.paths))) {
      EnsembleCompareCommand ensembles;
      ensembles.paths = compare.paths;
      ensembles.replications = compare_replications.value_or(0);
      ensembles.seed = compare_seed;
      ensembles.threads = compare_threads;
      ensembles.only = compare.only;
      ensembles.headline = compare.headline;
      ensembles.csv = compare.csv;
      ensembles.quiet = compare_quiet;
      ensembles.limits = compare_limits;
      fmt::print("{}", compare_ensembles_command(ensembles));
    } else if (*compare_app) {
      fmt::print("{}", compare_command(compare));
    }
  } catch (const UsageError& error) {
    fmt::print(stderr, "gpumarket: error: {}\n", error.what());
    return exit_code::kUsage;
  } catch (const Interrupted& interrupted) {
    fmt::print(stderr, "gpumarket: error: {}\n", interrupted.what());
    return exit_code::kSignalBase + interrupted.signal();
  } catch (const std::bad_alloc&) {
    // One a command did not name (commands name theirs: "out of memory while ...").
    fmt::print(stderr,
               "gpumarket: error: out of memory (docs/limits.md says what sizes a "
               "run's memory)\n");
    return exit_code::kBadInput;
  } catch (const std::exception& error) {
    fmt::print(stderr, "gpumarket: error: {}\n", error.what());
    return exit_code::kBadInput;
  }
  return exit_code::kSuccess;
}

}  // namespace

int main(int argc, char** argv) {
  // What escapes run_main (say, a failed allocation while the options are declared)
  // still ends with one message and a non-zero exit rather than std::terminate.
  try {
    return run_main(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "gpumarket: error: %s\n", error.what());
  } catch (...) {
    std::fputs("gpumarket: error: unknown exception\n", stderr);
  }
  return gpumarket::exit_code::kBadInput;
}
