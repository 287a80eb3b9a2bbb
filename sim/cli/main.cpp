// gpumarket: parse the command line, call the command, report errors once.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "gpumarket/cli/commands.hpp"
#include "gpumarket/cli/compare_command.hpp"
#include "gpumarket/cli/sweep_command.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/core/version.hpp"

namespace {

int run_main(int argc, char** argv) {
  using namespace gpumarket;
  CLI::App app{"gpumarket: a discrete-event simulator of GPU compute markets"};
  app.set_version_flag("--version", std::string("gpumarket ") + program_version());
  app.require_subcommand(1);

  RunCommand run;
  bool quiet = false;
  CLI::App* run_app = app.add_subcommand("run", "Run a scenario and write its results to HDF5");
  run_app->add_option("scenario", run.scenario_path, "Scenario file (YAML)")->required();
  run_app->add_option("-o,--output", run.output_path,
                      "Output file (default: results/<scenario name>.h5)");
  run_app->add_option("--seed", run.seed, "Random seed (overrides the scenario's)");
  run_app->add_option("--set", run.overrides, "Override a scenario value: key.path=value")
      ->take_all();
  run_app->add_flag("-q,--quiet", quiet, "Print no headline table");

  std::string validate_path;
  std::vector<std::string> validate_overrides;
  CLI::App* validate_app = app.add_subcommand("validate", "Check a scenario without running it");
  validate_app->add_option("scenario", validate_path, "Scenario file (YAML)")->required();
  validate_app->add_option("--set", validate_overrides, "Override a value: key.path=value")
      ->take_all();

  CompareCommand compare;
  CLI::App* compare_app =
      app.add_subcommand("compare", "Print the summary indicators of several runs side by side");
  compare_app->add_option("files", compare.paths, "Results files (HDF5) written by run")
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

  const SweepSubcommands sweep(app);

  CLI11_PARSE(app, argc, argv);

  try {
    if (*run_app) {
      install_interrupt_handlers();
      run.show_progress = !quiet;
      const RunReport report = run_scenario_command(run);
      if (!quiet) print_headline(report, stdout);
    } else if (*validate_app) {
      fmt::print("{}\n", validate_scenario_command(validate_path, validate_overrides));
    } else if (sweep.selected()) {
      sweep.run();
    } else if (*compare_app) {
      fmt::print("{}", compare_command(compare));
    }
  } catch (const Error& error) {
    fmt::print(stderr, "gpumarket: error: {}\n", error.what());
    return 1;
  } catch (const std::exception& error) {
    fmt::print(stderr, "gpumarket: error: {}\n", error.what());
    return 1;
  }
  return 0;
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
  return 1;
}
