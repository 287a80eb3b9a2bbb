// Verified work end to end on small scenarios built here: the verified / delivered ratio of
// each scheme against its formula (docs/model.md, "Verification"), the ordering verified ≤
// delivered ≤ installed, conservation of jobs, and the effect of the failure probability as a
// paired comparison over seeds (common random numbers). No stored numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/market/indicators.hpp"
#include "gpumarket/market/market_model.hpp"
#include "support/statistics.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::mean_and_error;
using testing::MeanAndError;

constexpr int kSeeds = 10;

// One fixed venue of 8 servers of 1 PF; Poisson jobs of 1 PF for an exponential hour. The
// `verification` block is the one thing that varies.
std::string scenario_text(const std::string& verification) {
  return "name: verification\n"
         "start: 2026-01-01\n"
         "horizon: 3000h\n"
         "warmup: 100h\n"
         "venues:\n"
         "  - name: farm\n"
         "    kind: fixed\n"
         "    servers: 8\n"
         "    price_usd_per_pf_hour: 2.0\n"
         "    verification: " +
         verification +
         "\n"
         "routing: {settlement_tx_usd: 0}\n"
         "segments:\n"
         "  - name: jobs\n"
         "    arrival_rate_per_hour: 1.5\n"
         "    width_pf: 1.0\n"
         "    duration: {distribution: exponential, mean: 1h}\n"
         "    patience: inf\n"
         "    value_usd_per_pf_hour: 1.0e6\n"
         "    value_of_time_usd_per_pf_hour_per_hour: 0\n";
}

struct VenueRun {
  RunTotals totals;
  MemoryRecorder recorder;
  double summary(const IndicatorDefinition& suffix) const {
    return recorder.summary_value(indicator::for_venue("farm", suffix)).value_or(std::nan(""));
  }
};

VenueRun run(const std::string& verification, int seed) {
  testing::TempDir dir;
  const LoadedScenario loaded = load_scenario(
      dir.write("s.yaml", scenario_text(verification)).string(), {"seed=" + std::to_string(seed)});
  VenueRun result;
  result.recorder.begin({});
  MarketModel model(loaded.scenario);
  result.totals = model.run(result.recorder);
  result.recorder.finish();
  return result;
}

std::vector<double> verified_shares(const std::string& verification) {
  std::vector<double> shares;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    shares.push_back(run(verification, seed).summary(indicator::kVerifiedShare));
  }
  return shares;
}

struct SchemeCase {
  std::string verification;
  double expected_share;  // docs/model.md, "Verification"
};

TEST(Verification, VerifiedOverDeliveredMatchesEachSchemesFormulaWithinThreeStandardErrors) {
  const double q = 0.2;
  const std::vector<SchemeCase> cases = {
      {"{scheme: none, failure_probability: 0.2}", 1 - q},
      {"{scheme: redundant, replication: 2, failure_probability: 0.2, on_rejection: lose}",
       (1 - q) * (1 - q) / 2},
      {"{scheme: redundant, replication: 3, failure_probability: 0.2}", std::pow(1 - q, 3) / 3},
      {"{scheme: spot_check, spot_check_share: 0.4, failure_probability: 0.2}", (1 - q) / 1.4},
      {"{scheme: spot_check, spot_check_share: 0.4, failure_probability: 0.2, "
       "on_rejection: lose}",
       (1 - q) / 1.4},
      {"{scheme: zk, failure_probability: 0.2, prover: {gpus: 100, seconds_per_tflop: 1.0e-3}}",
       1 - q},
  };
  for (const SchemeCase& c : cases) {
    SCOPED_TRACE(c.verification);
    const MeanAndError share = mean_and_error(verified_shares(c.verification));
    EXPECT_GT(share.standard_error, 0.0);
    EXPECT_NEAR(share.mean, c.expected_share, 3 * share.standard_error)
        << "mean " << share.mean << " ± " << share.standard_error;
  }
}

TEST(Verification, AHigherFailureProbabilityLowersTheVerifiedShareByTheDocumentedAmount) {
  // Spot checks of half the jobs, bad results lost: share = (1 − q) / (1 + s). The same seeds
  // draw the same uniforms, so a job bad at q = 0.1 is bad at q = 0.3 too.
  const auto scheme = [](double q) {
    return "{scheme: spot_check, spot_check_share: 0.5, on_rejection: lose, "
           "failure_probability: " +
           std::to_string(q) + "}";
  };
  const std::vector<double> low = verified_shares(scheme(0.1));
  const std::vector<double> high = verified_shares(scheme(0.3));
  std::vector<double> difference;
  for (size_t i = 0; i < low.size(); ++i) difference.push_back(low[i] - high[i]);
  const MeanAndError d = mean_and_error(difference);
  const double expected = (0.9 - 0.7) / 1.5;
  EXPECT_GT(d.mean, 3 * d.standard_error);
  EXPECT_NEAR(d.mean, expected, 3 * d.standard_error)
      << "mean " << d.mean << " ± " << d.standard_error;
}

// Cumulative over the run, at every tick: the series start at time 0.
void expect_verified_below_delivered_below_installed(const VenueRun& r) {
  const MemoryRecorder::Series* installed = r.recorder.find_series("tick", "installed_pfh");
  const MemoryRecorder::Series* delivered = r.recorder.find_series("tick", "delivered_pfh");
  const MemoryRecorder::Series* verified = r.recorder.find_series("tick", "verified_pfh");
  ASSERT_NE(installed, nullptr);
  ASSERT_NE(delivered, nullptr);
  ASSERT_NE(verified, nullptr);
  double i = 0, d = 0, v = 0;
  for (size_t row = 0; row < installed->rows(); ++row) {
    i += installed->at(row, 0);
    d += delivered->at(row, 0);
    v += verified->at(row, 0);
    ASSERT_LE(v, d * (1 + 1e-12)) << "row " << row;
    ASSERT_LE(d, i * (1 + 1e-12)) << "row " << row;
  }
  EXPECT_GT(v, 0.0);
  EXPECT_GT(d, v);  // every case below has failures
}

TEST(Verification, VerifiedNeverExceedsDeliveredNorDeliveredInstalledAndJobsAreConserved) {
  for (const std::string& verification :
       {std::string("{scheme: none, failure_probability: 0.3}"),
        std::string("{scheme: redundant, replication: 2, failure_probability: 0.3}"),
        std::string("{scheme: spot_check, spot_check_share: 1, failure_probability: 0.3}"),
        std::string("{scheme: zk, failure_probability: 0.3, on_rejection: lose, "
                    "prover: {gpus: 2, seconds_per_tflop: 0.5}}")}) {
    SCOPED_TRACE(verification);
    const VenueRun r = run(verification, 3);
    expect_verified_below_delivered_below_installed(r);
    const RunTotals& t = r.totals;
    EXPECT_EQ(t.jobs_generated, t.jobs_priced_out + t.jobs_completed + t.jobs_abandoned +
                                    t.jobs_waiting + t.jobs_in_service + t.jobs_in_transit +
                                    t.jobs_in_proof);
    EXPECT_NEAR(t.money_paid_usd, t.money_received_usd + t.money_fees_usd, 1e-9 * t.money_paid_usd);
  }
}

TEST(Verification, RedundantCopiesMultiplyTheBillAndTheCapacityTime) {
  // Without failures every attempt is accepted: r copies deliver r × the verified work, and
  // the venue is paid for all of them.
  const VenueRun one = run("{scheme: none}", 5);
  const VenueRun three = run("{scheme: redundant, replication: 3}", 5);
  EXPECT_DOUBLE_EQ(one.summary(indicator::kVerified), one.summary(indicator::kDelivered));
  EXPECT_NEAR(three.summary(indicator::kDelivered), 3 * three.summary(indicator::kVerified),
              1e-9 * three.summary(indicator::kDelivered));
  EXPECT_NEAR(three.totals.money_received_usd / one.totals.money_received_usd, 3.0, 0.05);
}

}  // namespace
}  // namespace gpumarket
