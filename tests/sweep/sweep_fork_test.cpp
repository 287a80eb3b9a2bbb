// A sweep with `fork_at` gives the rows of the same sweep without it, bit for bit, with
// several replications (one trunk each) on several threads (rows wait for their trunk).
#include <gtest/gtest.h>

#include <bit>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/sweep/sweep_runner.hpp"
#include "gpumarket/sweep/sweep_spec.hpp"

namespace gpumarket {
namespace {

const std::string kSweep =
    "base:\n"
    "  extends: " +
    (std::filesystem::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "mmc.yaml").string() +
    "\n"
    "  horizon: 2000h\n"
    "  warmup: 1h\n"
    "  timeline:\n"
    "    - {name: late, date: 2026-02-15, set: {segments.jobs.arrival_rate_per_hour: 2.0}}\n"
    "replications: 3\n"
    "axes:\n"
    "  - {name: rate, path: timeline.late.set.segments.jobs.arrival_rate_per_hour,\n"
    "     values: [1.0, 2.0, 2.6]}\n";

TEST(SweepFork, GivesTheRowsOfTheSweepWithoutIt) {
  const SweepSpec unforked = decode_sweep(kSweep, "fork.yaml");
  const SweepSpec forked = decode_sweep(kSweep + "fork_at: 2026-02-01\n", "fork.yaml");
  EXPECT_EQ(forked.fingerprint(), unforked.fingerprint());  // one journal serves both
  const std::vector<std::string> indicators = {"mean_wait_h", "jobs_completed", "utilisation"};
  const std::vector<JournalEntry> expected = run_rows_in_process(unforked, indicators, {}, 2);
  const std::vector<JournalEntry> actual = run_rows_in_process(forked, indicators, {}, 2);
  ASSERT_EQ(expected.size(), 9u);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t r = 0; r < expected.size(); ++r) {
    ASSERT_TRUE(actual[r].done) << actual[r].error;
    for (size_t k = 0; k < indicators.size(); ++k) {
      EXPECT_EQ(std::bit_cast<uint64_t>(actual[r].indicators[k]),
                std::bit_cast<uint64_t>(expected[r].indicators[k]))
          << "row " << r << " " << indicators[k];
    }
  }
  // The branches differ after the fork: the step's value matters.
  EXPECT_NE(expected[0].indicators[0], expected[6].indicators[0]);
}

// Rows that use their series (RowStatistics, or series files) get the history's rows from the
// trunk and then their own: every series has the unforked row's length and values.
TEST(SweepFork, RowsThatUseTheirSeriesGetTheHistorysRowsToo) {
  const SweepSpec unforked = decode_sweep(kSweep, "fork.yaml");
  const SweepSpec forked = decode_sweep(kSweep + "fork_at: 2026-02-01\n", "fork.yaml");
  const RowStatistics lengths_and_sums = [](const MemoryRecorder& memory) {
    std::vector<double> values;
    for (const MemoryRecorder::Series& series : memory.series()) {
      values.push_back(static_cast<double>(series.values.size()));
      values.push_back(std::accumulate(series.values.begin(), series.values.end(), 0.0));
    }
    return values;
  };
  const std::vector<JournalEntry> expected = run_rows_in_process(unforked, {}, lengths_and_sums, 2);
  const std::vector<JournalEntry> actual = run_rows_in_process(forked, {}, lengths_and_sums, 2);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t r = 0; r < expected.size(); ++r) {
    ASSERT_TRUE(actual[r].done) << actual[r].error;
    ASSERT_EQ(actual[r].indicators.size(), expected[r].indicators.size());
    ASSERT_GT(expected[r].indicators.size(), 10u);
    for (size_t k = 0; k < expected[r].indicators.size(); ++k) {
      EXPECT_EQ(std::bit_cast<uint64_t>(actual[r].indicators[k]),
                std::bit_cast<uint64_t>(expected[r].indicators[k]))
          << "row " << r << " value " << k;
    }
  }
}

}  // namespace
}  // namespace gpumarket
