// The dominance shares (<indicator>_largest_{job,tick}_share) against the run's own series, and
// the warning under the headline table: printed when a few jobs make up a window, not when
// thousands do.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "gpumarket/cli/dominance_warning.hpp"
#include "gpumarket/cli/ensemble_command.hpp"
#include "gpumarket/io/hdf5_reader.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::TempDir;

const std::string kMmc = std::string(GPUMARKET_SOURCE_DIR) + "/scenarios/mmc.yaml";
// About six jobs in 600 hours, no warm-up: each job is a large part of every window sum.
const std::vector<std::string> kFewJobs = {"horizon=600h", "warmup=0h",
                                           "segments.jobs.arrival_rate_per_hour=0.01"};
// About 3,600 jobs after the warm-up.
const std::vector<std::string> kManyJobs = {"horizon=2000h"};

RunReport run(const TempDir& dir, const std::vector<std::string>& overrides) {
  RunCommand command;
  command.scenario_path = kMmc;
  command.overrides = overrides;
  command.output_path = (dir / "run.h5").string();
  return run_scenario_command(command);
}

double summary_value(const RunReport& report, const std::string& name) {
  for (const SummaryValue& v : report.summary) {
    if (v.name == name) return v.value;
  }
  ADD_FAILURE() << "no summary value " << name;
  return std::nan("");
}

std::string headline_text(const RunReport& report) {
  std::FILE* out = std::tmpfile();
  print_headline(report, out);
  std::rewind(out);
  std::string text;
  for (int c = std::fgetc(out); c != EOF; c = std::fgetc(out)) text += static_cast<char>(c);
  std::fclose(out);
  return text;
}

// The largest value of a per-tick series over its sum (all ticks: no warm-up).
double largest_share(const Hdf5Reader::Series& series) {
  const double sum = std::accumulate(series.values.begin(), series.values.end(), 0.0);
  return *std::max_element(series.values.begin(), series.values.end()) / sum;
}

TEST(Dominance, AFewJobsDominateTheirWindowAndTheHeadlineWarns) {
  const TempDir dir;
  const RunReport report = run(dir, kFewJobs);
  const Hdf5Reader file(report.output_path);
  const Hdf5Reader::Series arrivals = file.series("tick", "arrivals");
  const Hdf5Reader::Series completed = file.series("tick", "completed");
  // At most one job arrives (and starts: servers are idle) and completes per tick, so the
  // largest tick is the largest job.
  ASSERT_LE(*std::max_element(arrivals.values.begin(), arrivals.values.end()), 1.0);
  ASSERT_LE(*std::max_element(completed.values.begin(), completed.values.end()), 1.0);
  // A fixed venue, no fees: what a job pays is its bill, the tick's revenue.
  const double fee_share = largest_share(file.series("tick", "revenue_usd"));
  const double served_share = largest_share(file.series("tick", "public_chain_served_pfh"));
  ASSERT_GT(served_share, kDominanceThreshold);
  constexpr double kTolerance = 1e-12;
  EXPECT_NEAR(summary_value(report, "fee_index_usd_per_pfh_largest_tick_share"), fee_share,
              kTolerance);
  EXPECT_NEAR(summary_value(report, "fee_index_usd_per_pfh_largest_job_share"), fee_share,
              kTolerance);
  EXPECT_NEAR(summary_value(report, "public_chain_served_pfh_largest_tick_share"), served_share,
              kTolerance);
  EXPECT_NEAR(summary_value(report, "public_chain_served_pfh_largest_job_share"), served_share,
              kTolerance);

  const std::string text = headline_text(report);
  char expected[128];
  std::snprintf(expected, sizeof expected,
                "warning: one job contributed %.1f %% of public_chain_served_pfh over its window",
                100 * served_share);
  EXPECT_NE(text.find(expected), std::string::npos) << text;
  // The job explains its tick: no second line for the tick.
  EXPECT_EQ(text.find("one tick contributed"), std::string::npos) << text;
}

TEST(Dominance, ThousandsOfSmallJobsDoNotWarn) {
  const TempDir dir;
  const RunReport report = run(dir, kManyJobs);
  const double share = summary_value(report, "public_chain_served_pfh_largest_job_share");
  EXPECT_GT(share, 0.0);
  EXPECT_LT(share, 0.01);
  EXPECT_EQ(headline_text(report).find("warning:"), std::string::npos);
}

TEST(Dominance, AnEnsembleCountsTheReplicationsAboveTheThreshold) {
  const TempDir dir;
  EnsembleCommand command;
  command.run.scenario_path = kMmc;
  command.run.overrides = kFewJobs;
  command.run.output_path = (dir / "few.h5").string();
  command.replications = 4;
  command.threads = 2;
  command.quiet = true;
  const EnsembleReport report = run_ensemble_command(command);
  const SweepResult result = read_sweep_result(report.sweep.output);
  const std::string name = "public_chain_served_pfh_largest_job_share";
  const size_t k = static_cast<size_t>(
      std::find(result.indicator_names.begin(), result.indicator_names.end(), name) -
      result.indicator_names.begin());
  ASSERT_LT(k, result.indicator_names.size());
  uint64_t above = 0;
  double largest = 0;
  for (const double share : result.indicator[k]) {
    above += share > kDominanceThreshold ? 1 : 0;
    largest = std::max(largest, share);
  }
  ASSERT_GT(above, 0u);
  const auto found = std::find_if(report.dominance.begin(), report.dominance.end(),
                                  [&](const Dominance& d) { return d.share_name == name; });
  ASSERT_NE(found, report.dominance.end());
  EXPECT_EQ(found->indicator, "public_chain_served_pfh");
  EXPECT_EQ(found->contributor, "job");
  EXPECT_EQ(found->replications, above);
  EXPECT_EQ(found->of, 4u);
  EXPECT_EQ(found->largest, largest);
  const std::string text = format_dominance(report.dominance, 4);
  EXPECT_NE(text.find("in " + std::to_string(above) +
                      " of 4 replications one job contributed more than 25 % of "
                      "public_chain_served_pfh"),
            std::string::npos)
      << text;
}

TEST(Dominance, SharesAboveTheThresholdOnlyNaNLeftOutAndTheJobBeforeItsTick) {
  const std::vector<std::string> names = {
      "x_largest_tick_share", "x_largest_job_share",
      "y_largest_tick_share", "golem_daa_before_largest_day_share",
      "z_largest_job_share",  "x"};
  const std::vector<std::vector<double>> values = {{0.9, 0.1}, {0.3, std::nan("")}, {0.26, 0.25},
                                                   {0.5, 0.1}, {0.25, 0.2},         {0.9, 0.9}};
  const std::vector<Dominance> found = find_dominance(names, values);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].share_name, "x_largest_job_share");
  EXPECT_EQ(found[0].replications, 1u);
  EXPECT_EQ(found[0].of, 1u);
  EXPECT_EQ(found[0].largest, 0.3);
  EXPECT_EQ(found[1].indicator, "y");
  EXPECT_EQ(found[1].contributor, "tick");
  EXPECT_EQ(found[1].replications, 1u);  // 0.25 is not above a quarter
  EXPECT_EQ(found[2].indicator, "golem_daa_before");
  EXPECT_EQ(found[2].contributor, "day");
}

}  // namespace
}  // namespace gpumarket
