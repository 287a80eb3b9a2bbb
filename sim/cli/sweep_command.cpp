#include "gpumarket/cli/sweep_command.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "gpumarket/cli/commands.hpp"
#include "gpumarket/cli/sensitivity_command.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/sweep/earlier_result.hpp"
#include "gpumarket/sweep/sweep_compare.hpp"
#include "gpumarket/sweep/sweep_result.hpp"
#include "output_not_input.hpp"
#include "run_limit_options.hpp"
#include "unsigned_option.hpp"

namespace gpumarket {
namespace {

bool parse_u64(const std::string& text, uint64_t& value) {
  return parse_unsigned(text, value) == UnsignedText::Ok;
}

std::filesystem::path default_output(const SweepSpec& spec, const SweepCommand& command) {
  if (!command.output.empty()) return command.output;
  if (!spec.output.empty()) return spec.output;
  return std::filesystem::path("results") /
         (std::filesystem::path(command.sweep_path).stem().string() + ".h5");
}

// How messages name the result path: the option or the sweep file's key that gave it.
std::string output_option(const SweepSpec& spec, const SweepCommand& command) {
  const std::string path = default_output(spec, command).string();
  if (!command.output.empty()) return "-o " + path;
  if (!spec.output.empty()) return fmt::format("{}: output: {}", spec.path, path);
  return "the default output " + path;
}

// The files a sweep reads: its sweep file and those its base scenario and its scenario axes'
// files were read from.
std::vector<NamedInput> sweep_inputs(const SweepSpec& spec) {
  std::vector<NamedInput> inputs = {{"the sweep file", spec.path}};
  for (NamedInput& base : source_files(spec.base, "the base scenario")) {
    inputs.push_back(std::move(base));
  }
  for (const SweepAxis& axis : spec.axes) {
    for (const ScenarioLayer& layer : axis.scenarios) {
      for (NamedInput& file : source_files(layer.tree, "a scenario of axis " + axis.name)) {
        inputs.push_back(std::move(file));
      }
    }
  }
  return inputs;
}

// "point <p>: scenario=file path=value path=value": a point as its scenario files and the
// --set overrides that give it.
std::string point_line(const SweepSpec& spec, uint64_t point) {
  std::string line = fmt::format("point {}:", point);
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    const SweepAxis& axis = spec.axes[a];
    line += fmt::format(" {}={}", axis.scenarios.empty() ? axis.path : axis.name,
                        spec.points[point].values[a].text);
  }
  return line;
}

// The points the scenario rejects, checked before any row runs. When none loads, the sweep
// would only record the same error once per row: throws the first point's error instead.
PointChecks checked_points(const SweepSpec& spec) {
  PointChecks checks = check_points(spec);
  if (!checks.invalid.empty() && checks.invalid.size() == spec.points.size()) {
    throw Error(fmt::format("{} (no point of the sweep loads; nothing was run)",
                            checks.invalid.front().error));
  }
  return checks;
}

// The points that will fail, and each warning once with the points that give it.
void log_point_checks(const SweepSpec& spec, const PointChecks& checks) {
  constexpr size_t kListed = 5;
  const std::vector<InvalidPoint>& invalid = checks.invalid;
  for (size_t i = 0; i < invalid.size() && i < kListed; ++i) {
    fmt::print(stderr, "gpumarket: {}: {}: its rows will fail: {}\n", spec.path,
               point_line(spec, invalid[i].point), invalid[i].error);
  }
  if (invalid.size() > kListed) {
    fmt::print(stderr, "gpumarket: {}: and {} more points that will fail\n", spec.path,
               invalid.size() - kListed);
  }
  const size_t loaded = spec.points.size() - invalid.size();
  for (const PointWarning& w : checks.warnings) {
    if (w.points.size() == loaded) {
      fmt::print(stderr, "{} (at every point)\n", w.warning);
      continue;
    }
    fmt::print(stderr, "{} (at {} of {} points, e.g. {})\n", w.warning, w.points.size(),
               spec.points.size(), point_line(spec, w.points.front()));
  }
}

}  // namespace

std::pair<uint64_t, uint64_t> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  uint64_t i = 0, n = 0;
  if (slash == std::string::npos || !parse_u64(text.substr(0, slash), i) ||
      !parse_u64(text.substr(slash + 1), n) || n == 0 || i >= n) {
    throw Error(
        fmt::format("--shard {}: expected i/N with whole numbers 0 <= i < N, e.g. 2/4.", text));
  }
  return {i, n};
}

std::pair<uint64_t, uint64_t> shard_from_environment() {
  const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
  const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
  if (id == nullptr || count == nullptr) return {0, 1};
  const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
  uint64_t i = 0, n = 0, lowest = 0;
  if (!parse_u64(id, i) || !parse_u64(count, n) || (min != nullptr && !parse_u64(min, lowest)) ||
      i < lowest || i - lowest >= n) {
    throw Error(
        fmt::format("SLURM_ARRAY_TASK_ID={} SLURM_ARRAY_TASK_COUNT={}: not a shard i/N "
                    "(use a contiguous --array=0-{{N-1}}, or pass --shard).",
                    id, count));
  }
  return {i - lowest, n};
}

// Every point that loads, as if it ran all of the sweep's rows: the sweep's cost is bounded by
// its costliest point's. Points that do not load fail as rows; checked_points reports them.
void check_sweep_cost(const SweepSpec& spec, const RunLimits& limits) {
  if (limits.allow_large) return;
  const RunRows rows{static_cast<double>(spec.row_count()), spec.replications_location,
                     "replications"};
  for (uint64_t point = 0; point < spec.points.size(); ++point) {
    const ConfigNode tree = spec.scenario_tree(spec.row(point * spec.replications));
    std::optional<Scenario> scenario;
    try {
      scenario = decode_scenario(tree);
    } catch (const Error&) {
      continue;
    }
    check_run_cost(tree, *scenario, limits, rows);
  }
}

SweepReport sweep_command(const SweepCommand& command) {
  // Options are checked before MPI starts, so that every rank reports them alike.
  SweepOptions options;
  std::tie(options.shard_index, options.shard_count) =
      command.shard.empty() ? shard_from_environment() : parse_shard(command.shard);
  options.threads = command.threads;
  options.retry_failed = command.retry_failed;
  if (command.dry_run) {
    const SweepSpec spec = load_sweep(command.sweep_path);
    const PointChecks checks = checked_points(spec);
    check_sweep_cost(spec, command.limits);
    sweep_indicators(spec);
    for (uint64_t p = 0; p < spec.points.size(); ++p) fmt::print("{}\n", point_line(spec, p));
    if (!command.quiet) {
      log_point_checks(spec, checks);
      fmt::print(stderr, "gpumarket: {}: {} points x {} replications = {} rows; nothing was run\n",
                 spec.path, spec.points.size(), spec.replications, spec.row_count());
    }
    return {};
  }
  ProcessGroup group;
  try {
    const SweepSpec spec = load_sweep(command.sweep_path);
    options.output = default_output(spec, command);
    check_output_not_input(options.output, output_option(spec, command), sweep_inputs(spec));
    if (options.shard_count > 1) {
      const std::filesystem::path shard =
          shard_output_path(options.output, options.shard_index, options.shard_count);
      check_output_not_input(shard,
                             output_option(spec, command) + " (shard " + shard.string() + ")",
                             sweep_inputs(spec));
    }
    const PointChecks checks = checked_points(spec);
    check_sweep_cost(spec, command.limits);
    create_parent_directories(options.output);
    const bool talks = !command.quiet && group.rank() == 0;
    if (talks) {
      options.log = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
      log_point_checks(spec, checks);
    }
    if (command.fresh) {
      // One rank moves the files; no rank reads the journal before they are gone.
      if (group.rank() == 0) {
        const std::filesystem::path moved = move_result_aside(
            options.shard_count > 1
                ? shard_output_path(options.output, options.shard_index, options.shard_count)
                : options.output);
        if (talks && !moved.empty()) {
          fmt::print(stderr, "gpumarket: --fresh: the earlier run is kept as {} (and {})\n",
                     moved.string(), journal_directory(moved).string());
        }
      }
      group.barrier();
    }
    SweepReport report = run_sweep(spec, options, group);
    if (talks) {
      const double workers = static_cast<double>(report.ranks) * report.threads;
      fmt::print(stderr,
                 "wrote {}: {} rows, {} done, {} failed; ran {} now ({} skipped) in {:.3f} s "
                 "({:.1f} rows/s) on {} rank(s) x {} thread(s); sum of run times {:.3f} s, "
                 "overhead {:.2f} ms per row\n",
                 report.output.string(), report.rows, report.done, report.failed, report.ran,
                 report.skipped, report.wall_seconds,
                 report.ran > 0 ? static_cast<double>(report.ran) / report.wall_seconds : 0.0,
                 report.ranks, report.threads, report.run_seconds,
                 report.ran > 0 ? 1e3 * (report.wall_seconds * workers - report.run_seconds) /
                                      static_cast<double>(report.ran)
                                : 0.0);
      if (report.failed > 0) {
        fmt::print(stderr,
                   "gpumarket: {} of {} rows failed; their errors are in /error of {} "
                   "(--retry-failed runs them again)\n",
                   report.failed, report.rows, report.output.string());
      }
    }
    return report;
  } catch (const std::exception& error) {
    // With several ranks, the group's destructor aborts them all: say why first.
    if (group.size() > 1) {
      fmt::print(stderr, "gpumarket: error (rank {}): {}\n", group.rank(), error.what());
      std::fflush(stderr);
    }
    throw;
  }
}

std::string validate_sweep_command(const std::string& path, const RunLimits& limits) {
  const SweepSpec spec = load_sweep(path);
  const PointChecks checks = check_points(spec);
  const std::vector<InvalidPoint>& invalid = checks.invalid;
  if (!invalid.empty()) {
    throw Error(fmt::format("{} ({}; {} of the {} points do not load)", invalid.front().error,
                            point_line(spec, invalid.front().point), invalid.size(),
                            spec.points.size()));
  }
  log_point_checks(spec, checks);
  check_sweep_cost(spec, limits);
  const std::vector<std::string> indicators = sweep_indicators(spec);
  return fmt::format("{}: valid sweep: {} points x {} replications = {} rows, {} indicator(s)",
                     path, spec.points.size(), spec.replications, spec.row_count(),
                     indicators.size());
}

SweepMergeReport sweep_merge_command(const SweepMergeCommand& command) {
  std::vector<NamedInput> inputs;
  for (const std::string& path : command.shards) inputs.push_back({"the shard result", path});
  check_output_not_input(command.output, "sweep-merge " + command.output, inputs);
  std::vector<SweepResult> shards;
  for (const std::string& path : command.shards) shards.push_back(read_sweep_result(path));
  const SweepResult merged = merge_sweep_results(shards, command.shards);
  create_parent_directories(command.output);
  write_sweep_result(command.output, merged);
  uint64_t done = 0, failed = 0;
  for (const std::string& s : merged.status) {
    done += s == "done" ? 1 : 0;
    failed += s == "failed" ? 1 : 0;
  }
  return {fmt::format("wrote {}: {} rows from {} shard(s), {} done, {} failed\n", command.output,
                      merged.size(), shards.size(), done, failed),
          failed};
}

std::string sweep_compare_command(const SweepCompareCommand& command) {
  const SweepResult result = read_sweep_result(command.result_path);
  const std::vector<std::string> indicators =
      command.indicators.empty() ? result.indicator_names : command.indicators;
  if (!(command.confidence > 0 && command.confidence < 1)) {
    throw Error(fmt::format("--confidence {}: expected a level between 0 and 1, e.g. 0.95.",
                            command.confidence));
  }
  const std::vector<PairedDifference> rows =
      compare_sweep(result, parse_row_selection(command.a), parse_row_selection(command.b),
                    indicators, command.confidence);
  std::string out;
  const int level = static_cast<int>(std::lround(command.confidence * 100));
  if (command.csv) {
    out += "indicator,group,pairs,mean_a,mean_b,difference,ci_low,ci_high,unpaired_half_width\n";
    for (const auto& r : rows) {
      out +=
          fmt::format("{},\"{}\",{},{},{},{},{},{},{}\n", r.indicator, r.group, r.pairs, r.mean_a,
                      r.mean_b, r.mean_difference, r.ci_low, r.ci_high, r.unpaired_half_width);
    }
    return out;
  }
  size_t wi = 9, wg = 5;
  for (const auto& r : rows)
    wi = std::max(wi, r.indicator.size()), wg = std::max(wg, r.group.size());
  out += fmt::format("A = {}   B = {}   (B - A, paired by replication; {}% CI)\n", command.a,
                     command.b, level);
  out += fmt::format("{:<{}}  {:<{}}  {:>5}  {:>12}  {:>12}  {:>12}  {:>27}  {:>12}\n", "indicator",
                     wi, "group", wg, "pairs", "mean A", "mean B", "B - A",
                     fmt::format("{}% CI", level), "unpaired +-");
  for (const auto& r : rows) {
    out += fmt::format(
        "{:<{}}  {:<{}}  {:>5}  {:>12.6g}  {:>12.6g}  {:>12.6g}  [{:>12.6g}, {:>12.6g}]  "
        "{:>12.6g}\n",
        r.indicator, wi, r.group, wg, r.pairs, r.mean_a, r.mean_b, r.mean_difference, r.ci_low,
        r.ci_high, r.unpaired_half_width);
  }
  return out;
}

struct SweepSubcommands::State {
  SweepCommand sweep;
  SweepMergeCommand merge;
  SweepCompareCommand compare;
  SweepAnalyseCommand analyse;
  CLI::App* analyse_app = nullptr;
  CLI::App* sweep_app = nullptr;
  CLI::App* merge_app = nullptr;
  CLI::App* compare_app = nullptr;
};

SweepSubcommands::SweepSubcommands(CLI::App& app) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.sweep_app = app.add_subcommand(
      "sweep", "Run a parameter sweep (threads; MPI ranks under mpirun/srun; --shard for arrays)");
  s.sweep_app->add_option("file", s.sweep.sweep_path, "Sweep file (YAML)")->required();
  s.sweep_app->add_option("-o,--output", s.sweep.output,
                          "Result file (default: the sweep file's `output`, else "
                          "results/<sweep name>.h5)");
  add_unsigned_option(s.sweep_app, "--threads", s.sweep.threads,
                      "Threads per process (default: every core, shared among the MPI "
                      "ranks of a node)");
  s.sweep_app->add_option("--shard", s.sweep.shard,
                          "Run shard i of N (rows with row % N == i) into "
                          "<output stem>.shard-i-of-N.h5 (default: from SLURM_ARRAY_TASK_ID)");
  s.sweep_app->add_flag("--retry-failed", s.sweep.retry_failed,
                        "Run rows again that failed in an earlier run");
  s.sweep_app->add_flag("-q,--quiet", s.sweep.quiet, "Print nothing but errors");
  s.sweep_app->add_flag("--dry-run", s.sweep.dry_run,
                        "Check the sweep, print its points (one line each, as --set "
                        "overrides) and run nothing");
  s.sweep_app->add_flag("--fresh", s.sweep.fresh,
                        "Start over: move the journal and result of an earlier run aside "
                        "(to <stem>.old-<n>.h5 and its journal) instead of resuming");
  add_run_limit_options(s.sweep_app, s.sweep.limits);

  s.merge_app = app.add_subcommand("sweep-merge", "Join the shard results of a sweep into one");
  s.merge_app->add_option("output", s.merge.output, "Merged result file")->required();
  s.merge_app->add_option("shards", s.merge.shards, "Shard result files")->required();

  s.compare_app = app.add_subcommand(
      "sweep-compare", "Paired differences (B - A) of indicators between rows of a sweep");
  s.compare_app->add_option("result", s.compare.result_path, "Sweep result file")->required();
  s.compare_app->add_option("--a", s.compare.a, "Selection A: axis=value[,axis=value] or point=N")
      ->required();
  s.compare_app->add_option("--b", s.compare.b, "Selection B: axis=value[,axis=value] or point=N")
      ->required();
  s.compare_app->add_option("--only", s.compare.indicators, "Indicators: name1,name2,...")
      ->delimiter(',');
  s.compare_app->add_option("--confidence", s.compare.confidence, "Confidence level (0.95)");
  s.compare_app->add_flag("--csv", s.compare.csv, "Print CSV instead of a text table");

  s.analyse_app = app.add_subcommand(
      "sweep-analyse", "Morris screening or Sobol indices of a sweep with a sensitivity design");
  s.analyse_app->add_option("result", s.analyse.result_path, "Sweep result file")->required();
  s.analyse_app->add_option("--only", s.analyse.indicators, "Indicators: name1,name2,...")
      ->delimiter(',');
  s.analyse_app->add_flag("--csv", s.analyse.csv, "Print CSV instead of a text table");
  add_unsigned_option(s.analyse_app, "--bootstrap", s.analyse.bootstrap,
                      "Resamples of Morris's trajectories (1000) or Sobol's base rows (500) for "
                      "the 95% intervals; 0: none");
  s.analyse_app->add_option("-o,--output", s.analyse.output,
                            "Also write the analysis to this netCDF-4 file");
}

SweepSubcommands::~SweepSubcommands() = default;

bool SweepSubcommands::selected() const {
  return *state_->sweep_app || *state_->merge_app || *state_->compare_app || *state_->analyse_app;
}

int SweepSubcommands::run() const {
  const State& s = *state_;
  if (*s.sweep_app) {
    const SweepReport report = sweep_command(s.sweep);
    if (report.failed > 0) return exit_code::kFailedRows;
  } else if (*s.merge_app) {
    const SweepMergeReport report = sweep_merge_command(s.merge);
    fmt::print("{}", report.summary);
    if (report.failed > 0) return exit_code::kFailedRows;
  } else if (*s.compare_app) {
    fmt::print("{}", sweep_compare_command(s.compare));
  } else if (*s.analyse_app) {
    fmt::print("{}", sweep_analyse_command(s.analyse));
  }
  return exit_code::kSuccess;
}

}  // namespace gpumarket
