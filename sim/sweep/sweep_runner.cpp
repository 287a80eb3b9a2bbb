#include "gpumarket/sweep/sweep_runner.hpp"

#include <fmt/core.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/core/out_of_memory.hpp"
#include "gpumarket/core/version.hpp"
#include "gpumarket/io/config_reader.hpp"
#include "gpumarket/io/hdf5_recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/io/scenario_prefix.hpp"
#include "gpumarket/market/market_model.hpp"
#include "gpumarket/sweep/earlier_result.hpp"

namespace gpumarket {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Forwards every call to two recorders: the summary in memory, the series to a file.
class TeeRecorder final : public Recorder {
 public:
  TeeRecorder(Recorder& a, Recorder& b) : a_(a), b_(b) {}
  void begin(const RunInfo& info) override {
    a_.begin(info);
    b_.begin(info);
  }
  SeriesId declare_series(const SeriesSpec& spec) override {
    const SeriesId id = a_.declare_series(spec);
    const SeriesId other = b_.declare_series(spec);
    GPUMARKET_CHECK_MSG(id == other, "recorders must number series in declaration order");
    return id;
  }
  void append(SeriesId series, std::span<const double> row) override {
    a_.append(series, row);
    b_.append(series, row);
  }
  void add_summary(const SummaryValue& value) override {
    a_.add_summary(value);
    b_.add_summary(value);
  }
  void finish() override {
    a_.finish();
    b_.finish();
  }

 private:
  Recorder& a_;
  Recorder& b_;
};

unsigned usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    return static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

std::filesystem::path series_path(const std::filesystem::path& journal_dir, uint64_t row) {
  return journal_dir / "series" / fmt::format("row-{}.h5", row);
}

void check_options(const SweepSpec& spec, const SweepOptions& options) {
  if (options.shard_count == 0 || options.shard_index >= options.shard_count) {
    throw Error(fmt::format("--shard {}/{}: expected i/N with 0 <= i < N.", options.shard_index,
                            options.shard_count));
  }
  if (!options.band_quantiles.empty() && (spec.points.size() != 1 || options.shard_count != 1)) {
    throw Error(
        fmt::format("{}: bands are over the replications of one point in one shard; "
                    "this sweep has {} points in {} shards.",
                    spec.path, spec.points.size(), options.shard_count));
  }
}

// Whether each row keeps its run file in the journal directory.
bool keeps_run_files(const SweepSpec& spec, const SweepOptions& options) {
  return spec.keep_series || !options.band_quantiles.empty();
}

// The file this invocation writes: the sweep's result, or with shards this shard's. Throws
// Error when its directory does not exist.
std::filesystem::path result_path(const SweepOptions& options) {
  std::filesystem::path output =
      options.shard_count > 1
          ? shard_output_path(options.output, options.shard_index, options.shard_count)
          : options.output;
  if (!output.parent_path().empty() && !std::filesystem::is_directory(output.parent_path())) {
    throw Error(fmt::format("{}: cannot write the sweep result: the directory {} does not exist.",
                            output.string(), output.parent_path().string()));
  }
  return output;
}

// The rows of this shard that the journal does not hold, with retry_failed those it holds as
// failed, and with bands those it holds as done whose run file is missing (run before bands
// were asked for, or deleted); counts the shard's rows and the skipped ones into `report`.
std::vector<uint64_t> pending_rows(const SweepSpec& spec, const SweepOptions& options,
                                   const std::map<uint64_t, JournalEntry>& journal,
                                   const std::filesystem::path& journal_dir, SweepReport& report) {
  std::vector<uint64_t> pending;
  for (uint64_t i = options.shard_index; i < spec.row_count(); i += options.shard_count) {
    ++report.rows;
    const auto it = journal.find(i);
    const bool lacks_file = it != journal.end() && it->second.done &&
                            !options.band_quantiles.empty() &&
                            !std::filesystem::exists(series_path(journal_dir, i));
    if (it == journal.end() || (options.retry_failed && !it->second.done) || lacks_file) {
      pending.push_back(i);
    } else {
      ++report.skipped;
    }
  }
  return pending;
}

// As many threads as asked, or the usable cores shared among the ranks of this node; at least
// one and no more than there are rows to run.
unsigned threads_per_rank(const SweepOptions& options, const ProcessGroup& group, size_t pending) {
  unsigned threads = options.threads;
  if (threads == 0)
    threads = std::max(1u, usable_cores() / static_cast<unsigned>(group.local_size()));
  return static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(threads, pending)));
}

void log_plan(const SweepSpec& spec, const SweepOptions& options, const ProcessGroup& group,
              const SweepReport& report, size_t pending) {
  if (!options.log || group.rank() != 0) return;
  options.log(
      fmt::format("sweep {}: {} rows ({} points x {} replications){}; {} already "
                  "finished, {} to run on {} rank(s) x {} thread(s)",
                  spec.path, spec.row_count(), spec.points.size(), spec.replications,
                  options.shard_count > 1 ? fmt::format(", shard {}/{} has {}", options.shard_index,
                                                        options.shard_count, report.rows)
                                          : "",
                  report.skipped, pending, group.size(), report.threads));
}

// The name of this process's journal part.
std::string journal_part(const SweepOptions& options, const ProcessGroup& group) {
  return options.shard_count > 1 || group.size() > 1
             ? fmt::format("rank-{}-of-{}", group.rank(), group.size())
             : std::string("rank-0-of-1");
}

// Runs body(k) for k = take(), take(), ... until take() reaches `count` or body returns false,
// on `threads` threads (this one among them): the pool of run_sweep and run_rows_in_process.
void run_on_threads(unsigned threads, size_t count, const std::function<uint64_t()>& take,
                    const std::function<bool(uint64_t)>& body) {
  auto work = [&] {
    for (;;) {
      const uint64_t k = take();
      if (k >= count || !body(k)) return;
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

// Every thread of every rank takes the next pending row from one shared counter: a rank
// on a busier core simply takes fewer rows. Which rank runs a row never changes its result.
// The first failure to journal a row stops this rank's threads and is rethrown.
void run_pending_rows(const SweepSpec& spec, const SweepOptions& options, ProcessGroup& group,
                      const std::vector<std::string>& indicators,
                      const std::filesystem::path& journal_dir,
                      const std::vector<uint64_t>& pending, unsigned threads,
                      JournalWriter& journal) {
  std::mutex mutex;
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  size_t finished = 0;
  std::optional<TrunkStates> trunks;
  if (!spec.fork_at.empty()) trunks.emplace();
  auto last_log = Clock::now();
  const auto run_one = [&](uint64_t k) {
    if (stop.load()) return false;
    const SweepRow row = spec.row(pending[k]);
    const JournalEntry entry =
        run_sweep_row(spec, row, indicators,
                      keeps_run_files(spec, options) ? series_path(journal_dir, row.row)
                                                     : std::filesystem::path(),
                      {}, trunks ? &*trunks : nullptr);
    std::lock_guard lock(mutex);
    try {
      journal.append(entry);
    } catch (...) {
      if (!failure) failure = std::current_exception();
      stop = true;
      return false;
    }
    ++finished;
    if (options.log && group.rank() == 0 && seconds_since(last_log) >= 2.0) {
      last_log = Clock::now();
      options.log(fmt::format("  rank 0 has run {} rows", finished));
    }
    return true;
  };
  run_on_threads(
      threads, pending.size(), [&] { return group.take(); }, run_one);
  if (failure) std::rethrow_exception(failure);
}

// The pending rows that the journal now holds, run by any rank, and their run time.
void count_rows_run(const std::map<uint64_t, JournalEntry>& journal,
                    const std::vector<uint64_t>& pending, SweepReport& report) {
  for (uint64_t i : pending) {
    const auto it = journal.find(i);
    if (it == journal.end()) continue;
    ++report.ran;
    report.run_seconds += it->second.run_seconds;
  }
}

// The run files of the rows that are done, in row order: the order the bands accumulate in,
// whichever thread or rank finished a row first.
std::vector<std::string> band_files(const SweepResult& result,
                                    const std::filesystem::path& journal_dir) {
  std::vector<std::string> files;
  for (size_t i = 0; i < result.size(); ++i) {
    if (result.status[i] == "done")
      files.push_back(series_path(journal_dir, result.row[i]).string());
  }
  return files;
}

void count_statuses(const SweepResult& result, SweepReport& report) {
  for (const std::string& status : result.status) {
    report.done += status == "done" ? 1 : 0;
    report.failed += status == "failed" ? 1 : 0;
  }
}

}  // namespace

std::filesystem::path shard_output_path(const std::filesystem::path& output, uint64_t index,
                                        uint64_t count) {
  std::filesystem::path p = output;
  p.replace_filename(fmt::format("{}.shard-{}-of-{}{}", output.stem().string(), index, count,
                                 output.extension().string()));
  return p;
}

std::filesystem::path journal_directory(const std::filesystem::path& output) {
  return output.string() + ".journal";
}

PointChecks check_points(const SweepSpec& spec) {
  PointChecks checks;
  std::vector<Warning> warnings;
  for (uint64_t point = 0; point < spec.points.size(); ++point) {
    warnings.clear();
    try {
      decode_scenario(spec.scenario_tree(spec.row(point * spec.replications)), &warnings);
    } catch (const Error& error) {
      checks.invalid.push_back({point, error.what()});
      continue;
    }
    for (const Warning& w : warnings) {
      const std::string text = w.to_string();
      const auto same = [&](const PointWarning& p) { return p.warning == text; };
      auto it = std::find_if(checks.warnings.begin(), checks.warnings.end(), same);
      if (it == checks.warnings.end()) {
        checks.warnings.push_back({text, {}});
        it = checks.warnings.end() - 1;
      }
      it->points.push_back(point);
    }
  }
  return checks;
}

namespace {

// The summary of a probe run; nullopt when no row decodes (every row fails anyway).
std::optional<std::vector<SummaryValue>> probe_summary(const SweepSpec& spec) {
  std::optional<MemoryRecorder> probe = probe_run(spec);
  if (!probe) return std::nullopt;
  return probe->summary();
}

}  // namespace

std::optional<MemoryRecorder> probe_run(const SweepSpec& spec) {
  std::optional<Scenario> scenario;
  for (uint64_t row = 0; row < spec.row_count() && !scenario; row += spec.replications) {
    try {
      scenario = decode_scenario(spec.scenario_tree(spec.row(row)));
    } catch (const Error&) {
    }
  }
  if (!scenario) return std::nullopt;
  scenario->horizon = scenario->tick;
  scenario->warmup = Duration();
  MemoryRecorder memory(false);
  memory.begin(RunInfo{});
  MarketModel(*scenario).run(memory);
  memory.finish();
  return memory;
}

std::vector<SummaryValue> describe_indicators(const SweepSpec& spec,
                                              const std::vector<std::string>& indicators) {
  const std::optional<std::vector<SummaryValue>> summary = probe_summary(spec);
  std::vector<SummaryValue> described;
  for (const std::string& name : indicators) {
    SummaryValue& d = described.emplace_back();
    d.name = name;
    if (!summary) continue;
    for (const SummaryValue& v : *summary) {
      if (v.name == name) d.unit = v.unit, d.description = v.description;
    }
  }
  return described;
}

std::vector<std::string> sweep_indicators(const SweepSpec& spec) {
  const std::optional<std::vector<SummaryValue>> summary = probe_summary(spec);
  if (!summary) return spec.indicators;
  std::vector<std::string> available;
  for (const SummaryValue& v : *summary) available.push_back(v.name);
  if (spec.indicators.empty()) return available;
  for (size_t i = 0; i < spec.indicators.size(); ++i) {
    const std::string& name = spec.indicators[i];
    if (std::find(available.begin(), available.end(), name) != available.end()) continue;
    std::string best;
    size_t best_distance = SIZE_MAX;
    for (const std::string& a : available) {
      const size_t d = edit_distance(name, a);
      if (d < best_distance) best = a, best_distance = d;
    }
    std::string list;
    for (const std::string& a : available) list += fmt::format("{}{}", list.empty() ? "" : ", ", a);
    throw Error(
        spec.indicator_locations[i],
        fmt::format("indicators[{}]: '{}' is not in the run summary{} (available: {})", i, name,
                    best_distance <= 3 ? fmt::format("; did you mean '{}'?", best) : "", list));
  }
  return spec.indicators;
}

JournalEntry run_sweep_row(const SweepSpec& spec, const SweepRow& row,
                           const std::vector<std::string>& indicators,
                           const std::filesystem::path& series_file,
                           const RowStatistics& statistics, TrunkStates* trunks) {
  const auto started = Clock::now();
  JournalEntry entry;
  entry.row = row.row;
  entry.indicators.assign(indicators.size(), std::nan(""));
  try {
    // An allocation that fails is reported in the row's error with the phase it failed in.
    const std::string which = fmt::format("row {} of {}", row.row, spec.path);
    const ConfigNode tree =
        naming_out_of_memory("loading " + which, [&] { return spec.scenario_tree(row); });
    const Scenario scenario =
        naming_out_of_memory("loading " + which, [&] { return decode_scenario(tree); });
    MemoryRecorder memory(static_cast<bool>(statistics));
    MarketModel model =
        naming_out_of_memory("setting up " + which, [&] { return MarketModel(scenario); });
    const auto run_into = [&](Recorder& recorder) {
      if (trunks == nullptr) {
        model.run(recorder);
        return;
      }
      const SimTime at = fork_time(spec, scenario.start);
      // The history's rows are kept only for rows that write or use their series (the same
      // for every row of a sweep); the others need its state alone.
      const bool needs_rows = static_cast<bool>(statistics) || !series_file.empty();
      const TrunkStates::State trunk =
          trunks->get(scenario_prefix_hash(tree, row.seed, scenario.start, at), [&] {
            MarketModel history(scenario);
            MemoryRecorder discarded(false);
            discarded.begin(RunInfo{});
            history.begin(discarded, {}, needs_rows);
            history.advance_to(at);
            return history.save_state();
          });
      model.resume(recorder, *trunk);
      model.end();
    };
    if (series_file.empty()) {
      memory.begin(RunInfo{});
      naming_out_of_memory("running " + which, [&] { run_into(memory); });
      memory.finish();
    } else {
      std::filesystem::create_directories(series_file.parent_path());
      Hdf5Recorder file(series_file);
      TeeRecorder tee(memory, file);
      tee.begin(RunInfo{spec.path,
                        spec.text,
                        to_yaml(tree),
                        row.seed,
                        program_version(),
                        scenario.start.to_string(),
                        {},
                        {},
                        {},
                        {}});
      naming_out_of_memory("running " + which, [&] { run_into(tee); });
      naming_out_of_memory("writing the series of " + which, [&] { tee.finish(); });
    }
    for (size_t k = 0; k < indicators.size(); ++k) {
      if (const auto value = memory.summary_value(indicators[k])) entry.indicators[k] = *value;
    }
    if (statistics) {
      const std::vector<double> extra = statistics(memory);
      entry.indicators.insert(entry.indicators.end(), extra.begin(), extra.end());
    }
    entry.done = true;
  } catch (const std::exception& error) {
    entry.done = false;
    entry.error = error.what();
    entry.indicators.assign(indicators.size(), std::nan(""));
  }
  entry.run_seconds = seconds_since(started);
  return entry;
}

SweepResult build_sweep_result(const SweepSpec& spec, const std::vector<std::string>& indicators,
                               const std::map<uint64_t, JournalEntry>& entries,
                               uint64_t shard_index, uint64_t shard_count,
                               const std::filesystem::path& journal_dir) {
  SweepResult r;
  r.program_version = program_version();
  r.fingerprint = spec.fingerprint();
  r.sweep_seed = spec.seed;
  r.replications = spec.replications;
  r.points_total = spec.points.size();
  r.rows_total = spec.row_count();
  r.shard_index = shard_index;
  r.shard_count = shard_count;
  r.common_random_numbers = spec.common_random_numbers;
  r.sweep_path = spec.path;
  r.sweep_text = spec.text;
  r.base_scenario = to_yaml(spec.base);
  r.design = spec.design;
  for (const SweepAxis& axis : spec.axes) {
    r.axis_names.push_back(axis.name);
    r.axis_paths.push_back(axis.path);
    r.axis_numeric.push_back(axis.numeric);
    r.axis_integer.push_back(axis.integer);
    r.axis_units.push_back(axis.unit);
  }
  r.axis_number.resize(spec.axes.size());
  r.axis_text.resize(spec.axes.size());
  r.indicator_names = indicators;
  for (const SummaryValue& v : describe_indicators(spec, indicators)) {
    r.indicator_units.push_back(v.unit);
    r.indicator_descriptions.push_back(v.description);
  }
  r.indicator.resize(indicators.size());
  for (uint64_t i = shard_index; i < spec.row_count(); i += shard_count) {
    const SweepRow row = spec.row(i);
    r.row.push_back(row.row);
    r.point.push_back(row.point);
    r.replication.push_back(row.replication);
    r.seed.push_back(row.seed);
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      const AxisValue& v = spec.points[row.point].values[a];
      r.axis_number[a].push_back(spec.axes[a].numeric ? v.number : std::nan(""));
      if (!spec.axes[a].numeric) r.axis_text[a].push_back(v.text);
    }
    if (!spec.design.kind.empty()) r.design_role.push_back(spec.design_roles[row.point]);
    const auto it = entries.find(i);
    if (it == entries.end()) {
      r.status.emplace_back("pending");
      r.error.emplace_back();
      r.run_seconds.push_back(std::nan(""));
      for (auto& column : r.indicator) column.push_back(std::nan(""));
      r.series_file.emplace_back();
      r.series_object.emplace_back();
      continue;
    }
    const JournalEntry& e = it->second;
    r.status.emplace_back(e.done ? "done" : "failed");
    r.error.push_back(e.error);
    r.run_seconds.push_back(e.run_seconds);
    for (size_t k = 0; k < indicators.size(); ++k) r.indicator[k].push_back(e.indicators[k]);
    const std::filesystem::path series = series_path(journal_dir, i);
    const bool has_series = spec.keep_series && e.done && std::filesystem::exists(series);
    r.series_file.push_back(has_series ? series.string() : "");
    r.series_object.emplace_back(has_series ? "/" : "");
  }
  return r;
}

std::vector<JournalEntry> run_rows_in_process(const SweepSpec& spec,
                                              const std::vector<std::string>& indicators,
                                              const RowStatistics& statistics, unsigned threads) {
  std::vector<JournalEntry> entries(spec.row_count());
  std::atomic<uint64_t> next{0};
  std::optional<TrunkStates> trunks;
  if (!spec.fork_at.empty()) trunks.emplace();
  const unsigned usable = threads == 0 ? usable_cores() : threads;
  run_on_threads(
      static_cast<unsigned>(std::min<uint64_t>(usable, std::max<uint64_t>(1, entries.size()))),
      entries.size(), [&] { return next.fetch_add(1); },
      [&](uint64_t k) {
        entries[k] = run_sweep_row(spec, spec.row(k), indicators, {}, statistics,
                                   trunks ? &*trunks : nullptr);
        return true;
      });
  return entries;
}

SweepReport run_sweep(const SweepSpec& spec, const SweepOptions& options, ProcessGroup& group) {
  const auto started = Clock::now();
  check_options(spec, options);
  SweepReport report;
  report.ranks = group.size();
  const std::filesystem::path output = result_path(options);
  const std::filesystem::path journal_dir = journal_directory(output);
  const std::vector<std::string> indicators = sweep_indicators(spec);
  const std::string fingerprint = spec.fingerprint();

  if (options.move_other_results_aside &&
      journal_of_another_sweep(journal_dir, fingerprint, indicators)) {
    group.barrier();  // every rank has looked before rank 0 moves it
    if (group.rank() == 0) {
      const std::filesystem::path moved = move_result_aside(output);
      if (options.log) {
        options.log(fmt::format("  {} held a run of other inputs: kept as {}", output.string(),
                                moved.string()));
      }
    }
    group.barrier();  // no rank reads the journal before it is gone
  }
  // Every rank reads the journal before any rank appends to it, so all agree on what is left.
  uint64_t duplicates = 0;
  const std::map<uint64_t, JournalEntry> before =
      read_journal(journal_dir, fingerprint, indicators, &duplicates);
  group.barrier();
  const std::vector<uint64_t> pending = pending_rows(spec, options, before, journal_dir, report);
  report.threads = threads_per_rank(options, group, pending.size());
  log_plan(spec, options, group, report, pending.size());

  group.start_counter();
  if (options.log && group.size() > 1 && !group.counter_is_shared()) {
    options.log("  (MPI offers no one-sided operations here: rank k runs rows k, k + ranks, ...)");
  }
  if (!pending.empty()) {
    JournalWriter journal(journal_dir, journal_part(options, group), fingerprint, indicators);
    run_pending_rows(spec, options, group, indicators, journal_dir, pending, report.threads,
                     journal);
  }
  group.stop_counter();
  group.barrier();
  if (group.rank() != 0) return report;
  const std::map<uint64_t, JournalEntry> after = read_journal(journal_dir, fingerprint, indicators);
  count_rows_run(after, pending, report);
  SweepResult result = build_sweep_result(spec, indicators, after, options.shard_index,
                                          options.shard_count, journal_dir);
  count_statuses(result, report);
  if (!options.band_quantiles.empty()) {
    result.band_quantiles = options.band_quantiles;
    result.band_files = band_files(result, journal_dir);
  }
  write_sweep_result(output, result);
  report.output = output;
  report.wall_seconds = seconds_since(started);
  return report;
}

}  // namespace gpumarket
