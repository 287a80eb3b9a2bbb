#include "gpumarket/sweep/sweep_runner.hpp"

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "gpumarket/core/hash.hpp"
#include "gpumarket/sweep/calibration_spec.hpp"
#include "gpumarket/sweep/sweep_compare.hpp"
#include "sweep_fixtures.hpp"

namespace gpumarket {
namespace {

using testing::expect_same_table;
using ::testing::HasSubstr;
using testing::mmc_sweep_text;
using testing::run;
using testing::TempDir;

const std::string kGrid =
    "  - {name: rate, path: segments.jobs.arrival_rate_per_hour, values: [1.5, 2.4]}\n"
    "  - {name: servers, path: venues.farm.servers, values: [3, 4, 5]}\n";
const std::string kExtra =
    "replications: 3\nindicators: [mean_wait_h, utilisation, jobs_completed]\n";

SweepSpec grid_spec(const TempDir& dir, const std::string& extra = kExtra) {
  const auto path = dir.write("grid.yaml", mmc_sweep_text(kGrid, extra));
  return load_sweep(path.string());
}

TEST(SweepRunner, WritesOneRowPerPointAndReplication) {
  TempDir dir;
  const SweepSpec spec = grid_spec(dir);
  const SweepReport report = run(spec, dir / "out.h5", 2);
  EXPECT_EQ(report.rows, 18u);
  EXPECT_EQ(report.done, 18u);
  EXPECT_EQ(report.ran, 18u);
  const SweepResult r = read_sweep_result(dir / "out.h5");
  ASSERT_EQ(r.size(), 18u);
  EXPECT_EQ(r.axis_names, (std::vector<std::string>{"rate", "servers"}));
  EXPECT_EQ(r.axis_paths[1], "venues.farm.servers");
  EXPECT_EQ(r.point[17], 5u);
  EXPECT_EQ(r.replication[17], 2u);
  EXPECT_EQ(r.axis_number[0][17], 2.4);
  EXPECT_EQ(r.axis_number[1][17], 5.0);
  EXPECT_EQ(r.sweep_text, spec.text);
  EXPECT_THAT(r.base_scenario, HasSubstr("horizon: 300h"));
  // More servers, less waiting: the model ran with the point's values.
  EXPECT_GT(r.indicator[0][9], r.indicator[0][15]);
  for (double u : r.indicator[1]) EXPECT_TRUE(u > 0 && u < 1);
}

TEST(SweepRunner, GivesTheSameTableBitForBitOnOneAndManyThreadsAndAsShards) {
  TempDir dir;
  const SweepSpec spec = grid_spec(dir);
  run(spec, dir / "one.h5", 1);
  run(spec, dir / "four.h5", 4);
  std::vector<SweepResult> shards;
  std::vector<std::string> paths;
  for (uint64_t s = 0; s < 4; ++s) {
    run(spec, dir / "sharded.h5", 1, s, 4);
    paths.push_back(shard_output_path(dir / "sharded.h5", s, 4).string());
    shards.push_back(read_sweep_result(paths.back()));
  }
  EXPECT_EQ(paths[2], (dir / "sharded.shard-2-of-4.h5").string());
  write_sweep_result(dir / "merged.h5", merge_sweep_results(shards, paths));
  const SweepResult one = read_sweep_result(dir / "one.h5");
  expect_same_table(one, read_sweep_result(dir / "four.h5"));
  expect_same_table(one, read_sweep_result(dir / "merged.h5"));
}

TEST(SweepRunner, AScenarioAxisRunsEachFileAsTheSameValuesSetByAScalarAxis) {
  TempDir dir;
  const std::string mmc = GPUMARKET_SOURCE_DIR "/scenarios/mmc.yaml";
  dir.write("three.yaml", "extends: " + mmc + "\nvenues: [{name: farm, servers: 3}]\n");
  dir.write("four.yaml", "extends: " + mmc + "\nvenues: [{name: farm, servers: 4}]\n");
  const std::string common = "seed: 11\nreplications: 2\nindicators: [mean_wait_h, utilisation]\n";
  const SweepSpec files =
      load_sweep(dir.write("files.yaml",
                           common + "base: {horizon: 300h, warmup: 20h}\n"
                                    "axes:\n  - {name: farm, scenario: [three.yaml, four.yaml]}\n")
                     .string());
  const SweepSpec values =
      load_sweep(dir.write("values.yaml", mmc_sweep_text("  - {name: farm, path: "
                                                         "venues.farm.servers, values: [3, 4]}\n",
                                                         common.substr(9)))
                     .string());
  run(files, dir / "files.h5", 2);
  run(values, dir / "values.h5", 1);
  const SweepResult a = read_sweep_result(dir / "files.h5");
  const SweepResult b = read_sweep_result(dir / "values.h5");
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.axis_text[0],
            (std::vector<std::string>{"three.yaml", "three.yaml", "four.yaml", "four.yaml"}));
  EXPECT_EQ(a.axis_paths[0], "");
  ASSERT_EQ(a.indicator.size(), b.indicator.size());
  for (size_t k = 0; k < a.indicator.size(); ++k) {
    EXPECT_TRUE(testing::same_bits(a.indicator[k], b.indicator[k])) << a.indicator_names[k];
  }
  EXPECT_NE(a.indicator[0][0], a.indicator[0][2]);  // the two files are different scenarios
}

TEST(SweepRunner, MergeRefusesMissingShardsAndOtherSweeps) {
  TempDir dir;
  const SweepSpec spec = grid_spec(dir);
  run(spec, dir / "s.h5", 1, 0, 2);
  const std::string p0 = shard_output_path(dir / "s.h5", 0, 2).string();
  try {
    merge_sweep_results({read_sweep_result(p0)}, {p0});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("the shards hold 9 of the sweep's 18 rows; missing "
                                        "shard(s): 1/2"));
  }
  const SweepSpec other = grid_spec(dir, "replications: 3\nindicators: [utilisation]\n");
  run(other, dir / "o.h5", 1, 1, 2);
  const std::string p1 = shard_output_path(dir / "o.h5", 1, 2).string();
  EXPECT_THROW(merge_sweep_results({read_sweep_result(p0), read_sweep_result(p1)}, {p0, p1}),
               Error);
}

// The lines of the only journal part of the sweep that wrote `output`.
std::vector<std::string> journal_lines(const std::filesystem::path& output) {
  std::ifstream in(journal_directory(output) / "rank-0-of-1.log");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Makes `text` the only journal part of a sweep writing to `output`.
void write_journal(const std::filesystem::path& output, const std::string& text) {
  std::filesystem::create_directories(journal_directory(output));
  std::ofstream(journal_directory(output) / "rank-0-of-1.log", std::ios::trunc) << text;
}

TEST(SweepRunner, ResumesFromATornJournalWithoutRunningFinishedRowsAgain) {
  TempDir dir;
  const SweepSpec spec = grid_spec(dir);
  run(spec, dir / "full.h5", 2);
  // A journal cut after 7 rows, in the middle of the 8th line, as a kill leaves it.
  const std::vector<std::string> full = journal_lines(dir / "full.h5");
  ASSERT_GE(full.size(), 9u);
  std::string torn;
  for (size_t i = 0; i < 8; ++i) torn += full[i] + '\n';
  write_journal(dir / "part.h5", torn + full[8].substr(0, full[8].size() / 2));
  const auto journal = journal_directory(dir / "part.h5");
  const SweepReport report = run(spec, dir / "part.h5", 2);
  EXPECT_EQ(report.skipped, 7u);
  EXPECT_EQ(report.ran, 11u);
  EXPECT_EQ(count_journal_lines(journal), 7u + 1u + 11u);  // the torn line counts as a line
  uint64_t duplicates = 0;
  EXPECT_EQ(read_journal(journal, spec.fingerprint(), sweep_indicators(spec), &duplicates).size(),
            18u);
  EXPECT_EQ(duplicates, 0u);
  expect_same_table(read_sweep_result(dir / "full.h5"), read_sweep_result(dir / "part.h5"));
  // Once everything is done a rerun runs nothing and rewrites the same table.
  EXPECT_EQ(run(spec, dir / "part.h5", 2).ran, 0u);
  expect_same_table(read_sweep_result(dir / "full.h5"), read_sweep_result(dir / "part.h5"));
}

// A kill while a new journal's header is written leaves a prefix of it and no newline: the
// next run starts the journal over instead of calling it another sweep's.
TEST(SweepRunner, StartsOverAJournalWhoseHeaderWasTorn) {
  TempDir dir;
  const SweepSpec spec = grid_spec(dir);
  run(spec, dir / "full.h5", 2);
  const std::string header = journal_lines(dir / "full.h5").at(0);
  write_journal(dir / "part.h5", header.substr(0, header.size() / 2));
  const SweepReport report = run(spec, dir / "part.h5", 2);
  EXPECT_EQ(report.skipped, 0u);
  EXPECT_EQ(report.ran, 18u);
  expect_same_table(read_sweep_result(dir / "full.h5"), read_sweep_result(dir / "part.h5"));
}

// A journal part is locked while its writer lives: a second sweep on the same journal (the
// same output) is refused before it runs a row, and the first keeps appending.
TEST(SweepRunner, RefusesASecondWriterOfAJournalPart) {
  TempDir dir;
  const std::filesystem::path journal = dir / "out.h5.journal";
  JournalWriter first(journal, "rank-0-of-1", "fingerprint", {"x"});
  try {
    JournalWriter second(journal, "rank-0-of-1", "fingerprint", {"x"});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    const std::string part = (journal / "rank-0-of-1.log").string();
    EXPECT_EQ(std::string(error.what()),
              part + ": cannot write the sweep journal: another gpumarket process is writing '" +
                  part + "' (it holds its lock); one sweep at a time can run on a journal.");
  }
  first.append(JournalEntry{3, true, 0.5, {1.0}, ""});
  EXPECT_EQ(read_journal(journal, "fingerprint", {"x"}).size(), 1u);
}

// A part that is a FIFO is refused before it is opened (opening it would block this test), by
// the reader and by a writer that would resume it.
TEST(SweepRunner, RefusesAJournalPartThatIsAFifo) {
  TempDir dir;
  const std::filesystem::path journal = dir / "out.h5.journal";
  std::filesystem::create_directories(journal);
  const std::filesystem::path part = journal / "rank-0-of-1.log";
  ASSERT_EQ(::mkfifo(part.c_str(), 0600), 0);
  const std::string expected =
      part.string() +
      ": cannot read the journal: it is not a regular file (a FIFO, socket or device)";
  try {
    read_journal(journal, "fingerprint", {"x"});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()), expected);
  }
  try {
    JournalWriter writer(journal, "rank-0-of-1", "fingerprint", {"x"});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()), expected);
  }
  EXPECT_THROW(count_journal_lines(journal), Error);
}

// Sweep and calibration files are refused like scenarios when they are not regular files,
// before they are opened (a FIFO would block), with the kind of file in the message.
TEST(SweepRunner, RefusesASweepOrCalibrationFileThatIsAFifo) {
  TempDir dir;
  const std::filesystem::path fifo = dir / "fifo.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string not_regular = ": it is not a regular file (a FIFO, socket or device)";
  try {
    load_sweep(fifo.string());
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              fifo.string() + ": cannot read the sweep file" + not_regular);
  }
  try {
    load_calibration(fifo.string());
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              fifo.string() + ": cannot read the calibration file" + not_regular);
  }
}

// An entry whose checksum matches but whose error text has an escape `escape` never writes
// ('%' without two hex digits) is skipped like a torn line, not a crash.
TEST(SweepRunner, SkipsAJournalEntryWithAMalformedEscape) {
  TempDir dir;
  const SweepSpec spec = grid_spec(dir);
  run(spec, dir / "full.h5", 2);
  std::vector<std::string> lines = journal_lines(dir / "full.h5");
  ASSERT_GE(lines.size(), 3u);
  // "... <error> <checksum>": the error of a row that succeeded is "-".
  std::string& entry = lines[1];
  const size_t checksum = entry.rfind(' ');
  const size_t error = entry.rfind(' ', checksum - 1);
  ASSERT_EQ(entry.substr(error + 1, checksum - error - 1), "-");
  entry = entry.substr(0, error + 1) + "%Zq";
  entry += fmt::format(" {:016x}", fnv1a(entry));
  std::string text;
  for (const std::string& line : lines) text += line + '\n';
  write_journal(dir / "full.h5", text);
  EXPECT_EQ(
      read_journal(journal_directory(dir / "full.h5"), spec.fingerprint(), sweep_indicators(spec))
          .size(),
      lines.size() - 2);
}

TEST(SweepRunner, RecordsAFailingRowsErrorAndGoesOn) {
  TempDir dir;
  const auto path = dir.write(
      "bad.yaml",
      mmc_sweep_text("  - {name: servers, path: venues.farm.servers, values: [3, -1, 4]}\n",
                     "indicators: [mean_wait_h]\n"));
  const SweepSpec spec = load_sweep(path.string());
  const SweepReport report = run(spec, dir / "out.h5", 2);
  EXPECT_EQ(report.done, 2u);
  EXPECT_EQ(report.failed, 1u);
  const SweepResult r = read_sweep_result(dir / "out.h5");
  EXPECT_EQ(r.status, (std::vector<std::string>{"done", "failed", "done"}));
  EXPECT_THAT(r.error[1], HasSubstr("bad.yaml:8:"));
  EXPECT_THAT(r.error[1], HasSubstr("servers"));
  EXPECT_TRUE(std::isnan(r.indicator[0][1]));
  // A rerun keeps the failure unless asked to retry it.
  EXPECT_EQ(run(spec, dir / "out.h5", 1).ran, 0u);
}

TEST(SweepRunner, FindsThePointsThatDoNotLoadWithoutRunningAny) {
  TempDir dir;
  const auto path = dir.write(
      "bad.yaml", mmc_sweep_text("  - {name: servers, path: venues.farm.servers, values: [3, -1, "
                                 "4, 0]}\n",
                                 "replications: 2\n"));
  const SweepSpec spec = load_sweep(path.string());
  const std::vector<InvalidPoint> invalid = check_points(spec).invalid;
  ASSERT_EQ(invalid.size(), 2u);
  EXPECT_EQ(invalid[0].point, 1u);
  EXPECT_EQ(invalid[1].point, 3u);
  EXPECT_THAT(invalid[0].error, HasSubstr("bad.yaml:8:"));
  EXPECT_THAT(invalid[0].error, HasSubstr("servers: expected a positive integer, got -1"));
  EXPECT_FALSE(std::filesystem::exists(journal_directory(dir / "bad.h5")));
}

// A warning of the points' scenarios is reported once, with the points that give it: a
// timeline step that sets the servers to 3 changes nothing at the point where they are 3.
TEST(SweepRunner, ReportsEachWarningOnceWithThePointsThatGiveIt) {
  TempDir dir;
  const auto path = dir.write(
      "warns.yaml", "base:\n  extends: " GPUMARKET_SOURCE_DIR
                    "/scenarios/mmc.yaml\n  horizon: 300h\n  warmup: 20h\n"
                    "  timeline: [{date: 2026-01-05, set: {venues.farm.servers: 3}}]\n"
                    "axes:\n  - {name: servers, path: venues.farm.servers, values: [3, 4, 3]}\n");
  const PointChecks checks = check_points(load_sweep(path.string()));
  EXPECT_TRUE(checks.invalid.empty());
  ASSERT_EQ(checks.warnings.size(), 1u);
  EXPECT_THAT(checks.warnings[0].warning,
              HasSubstr("warning: timeline[0].set: 'venues.farm.servers' is already 3"));
  EXPECT_EQ(checks.warnings[0].points, (std::vector<uint64_t>{0, 2}));
}

TEST(SweepRunner, KeepsEachRowsSeriesWhenAsked) {
  TempDir dir;
  const auto path =
      dir.write("series.yaml",
                mmc_sweep_text("  - {name: servers, path: venues.farm.servers, values: [3, 4]}\n",
                               "keep_series: true\nindicators: [utilisation]\n"));
  const SweepSpec spec = load_sweep(path.string());
  run(spec, dir / "out.h5", 2);
  const SweepResult r = read_sweep_result(dir / "out.h5");
  EXPECT_EQ(r.series_object, (std::vector<std::string>{"/series", "/series"}));
  // Shards keep their rows' series, and the merge takes them from the shard files.
  std::vector<SweepResult> shards;
  std::vector<std::string> paths;
  for (uint64_t s = 0; s < 2; ++s) {
    run(spec, dir / "sharded.h5", 1, s, 2);
    paths.push_back(shard_output_path(dir / "sharded.h5", s, 2).string());
    shards.push_back(read_sweep_result(paths.back()));
    EXPECT_EQ(shards.back().series_object, (std::vector<std::string>{"/series"}));
  }
  write_sweep_result(dir / "merged.h5", merge_sweep_results(shards, paths));
  const SweepResult merged = read_sweep_result(dir / "merged.h5");
  EXPECT_EQ(merged.series_object, (std::vector<std::string>{"/series", "/series"}));
  expect_same_table(r, merged);
}

TEST(SweepRunner, TypesEachAxisAndGivesUnitsFromKeyNamesAndTheSummary) {
  TempDir dir;
  const auto path = dir.write(
      "typed.yaml",
      mmc_sweep_text(
          "  - {name: rate, path: segments.jobs.arrival_rate_per_hour, values: [1.5, 2.0]}\n"
          "  - {name: servers, path: venues.farm.servers, range: {from: 3, to: 4, step: 1}}\n",
          "indicators: [mean_wait_h, utilisation]\n"));
  run(load_sweep(path.string()), dir / "out.h5", 2);
  const SweepResult r = read_sweep_result(dir / "out.h5");
  EXPECT_EQ(r.axis_numeric, (std::vector<bool>{true, true}));
  EXPECT_EQ(r.axis_integer, (std::vector<bool>{false, true}));  // "2.0" is written as a float
  EXPECT_EQ(r.axis_units, (std::vector<std::string>{"1/h", ""}));
  EXPECT_EQ(r.indicator_units, (std::vector<std::string>{"h", "1"}));
  EXPECT_EQ(r.axis_number[1], (std::vector<double>{3, 4, 3, 4}));
}

TEST(SweepRunner, RefusesAJournalOfAnotherSweep) {
  TempDir dir;
  run(grid_spec(dir), dir / "out.h5", 2);
  try {
    run(grid_spec(dir, "replications: 2\n"), dir / "out.h5", 2);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("this journal belongs to another sweep"));
  }
}

TEST(SweepCompare, PairedDifferencesUnderCommonRandomNumbersAreTight) {
  TempDir dir;
  const auto path = dir.write(
      "crn.yaml",
      mmc_sweep_text("  - {name: servers, path: venues.farm.servers, values: [3, 4]}\n",
                     "replications: 8\nindicators: [mean_wait_h, jobs_completed]\n", "1000h"));
  run(load_sweep(path.string()), dir / "out.h5", 2);
  const SweepResult r = read_sweep_result(dir / "out.h5");
  const auto rows =
      compare_sweep(r, parse_row_selection("servers=3"), parse_row_selection("servers=4"),
                    {"mean_wait_h", "jobs_completed"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].group, "all");
  EXPECT_EQ(rows[0].pairs, 8u);
  EXPECT_LT(rows[0].mean_difference, 0);  // a fourth server cuts the wait
  EXPECT_LT(rows[0].ci_high, 0);
  EXPECT_LE(rows[0].ci_low, rows[0].mean_difference);
  // Same arrivals in both: the paired interval is narrower than an unpaired one.
  EXPECT_LT(rows[0].ci_high - rows[0].mean_difference, rows[0].unpaired_half_width);
  // Completed jobs are set by the shared arrivals, nearly the same at both points.
  EXPECT_LT(std::abs(rows[1].mean_difference), 0.01 * rows[1].mean_a);
  EXPECT_THROW(compare_sweep(r, parse_row_selection("server=3"), parse_row_selection("servers=4"),
                             {"mean_wait_h"}),
               Error);
  EXPECT_THROW(parse_row_selection("servers"), Error);
}

}  // namespace
}  // namespace gpumarket
