#include "gpumarket/market/market_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "mmc_scenario.hpp"
#include "support/statistics.hpp"

namespace gpumarket {
namespace {

using testing::mean_and_error;
using testing::MeanAndError;

using testing::mmc_scenario;

struct ErlangC {
  double mean_wait_h;
  double mean_queue_length;
};

// Closed form for M/M/c with arrival rate lambda and service rate mu (per hour).
ErlangC erlang_c(int servers, double lambda, double mu) {
  const double a = lambda / mu;
  const double rho = a / servers;
  double term = 1.0;  // a^k / k!
  double sum = 0.0;
  for (int k = 0; k < servers; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double tail = term / (1.0 - rho);  // a^c / c! / (1 - rho)
  const double p_wait = tail / (sum + tail);
  const double wq = p_wait / (servers * mu - lambda);
  return {wq, lambda * wq};
}

struct MmcCase {
  int servers;
  double rho;
  double horizon_h;
};

class MmcAgainstErlangC : public ::testing::TestWithParam<MmcCase> {};

// Independent replications (distinct seeds) give an honest standard error even
// though waits within one run are strongly autocorrelated at high load.
TEST_P(MmcAgainstErlangC, MeanWaitAndQueueLengthAgreeWithinThreeStandardErrors) {
  const MmcCase c = GetParam();
  constexpr int kReplications = 20;
  std::vector<double> waits, queues;
  for (int r = 0; r < kReplications; ++r) {
    MarketModel model(mmc_scenario(c.servers, c.rho, c.horizon_h, c.horizon_h / 20, 1000 + r));
    MemoryRecorder recorder(false);
    model.run(recorder);
    waits.push_back(*recorder.summary_value("mean_wait_h"));
    queues.push_back(*recorder.summary_value("mean_queue_length"));
  }
  const ErlangC theory = erlang_c(c.servers, c.rho * c.servers, 1.0);
  const MeanAndError wait = mean_and_error(waits);
  const MeanAndError queue = mean_and_error(queues);
  EXPECT_NEAR(wait.mean, theory.mean_wait_h, 3 * wait.standard_error)
      << "c=" << c.servers << " rho=" << c.rho;
  EXPECT_NEAR(queue.mean, theory.mean_queue_length, 3 * queue.standard_error)
      << "c=" << c.servers << " rho=" << c.rho;
  // A standard error this small means the comparison has teeth.
  EXPECT_LT(wait.standard_error, 0.05 * theory.mean_wait_h);
}

INSTANTIATE_TEST_SUITE_P(Settings, MmcAgainstErlangC,
                         ::testing::Values(MmcCase{1, 0.5, 20000}, MmcCase{4, 0.8, 20000},
                                           MmcCase{2, 0.9, 40000}, MmcCase{8, 0.85, 20000}));

TEST(MarketModel, LittlesLawHoldsOnTheRunsOwnNumbers) {
  MarketModel model(mmc_scenario(3, 0.85, 50000, 1000, 7));
  MemoryRecorder recorder;
  model.run(recorder);
  const double lambda = *recorder.summary_value("arrival_rate_per_hour");
  const double lq = *recorder.summary_value("mean_queue_length");
  const double wq = *recorder.summary_value("mean_wait_h");
  const double l = *recorder.summary_value("mean_in_system");
  const double w = *recorder.summary_value("mean_sojourn_h");
  // L = lambda W up to the jobs straddling the window's ends: well under 1% here.
  EXPECT_NEAR(lq, lambda * wq, 0.01 * lq);
  EXPECT_NEAR(l, lambda * w, 0.01 * l);
}

TEST(MarketModel, EveryArrivedJobIsCompletedWaitingOrInServiceAtTheHorizon) {
  for (uint64_t seed : {1, 2, 3}) {
    MarketModel model(mmc_scenario(2, 1.3, 500, 0, seed));  // overloaded: a queue remains
    MemoryRecorder recorder;
    const RunTotals totals = model.run(recorder);
    EXPECT_GT(totals.jobs_waiting, 0u);
    EXPECT_EQ(totals.jobs_arrived, totals.jobs_completed + totals.jobs_abandoned +
                                       totals.jobs_waiting + totals.jobs_in_service);
  }
}

TEST(MarketModel, ImpatientJobsAbandonAndAreStillConserved) {
  Scenario scenario = mmc_scenario(1, 1.5, 2000, 0, 5);
  scenario.segments[0].demand.patience = Duration::hours(0.5);
  MarketModel model(scenario);
  MemoryRecorder recorder;
  const RunTotals totals = model.run(recorder);
  EXPECT_GT(totals.jobs_abandoned, 100u);
  EXPECT_EQ(totals.jobs_arrived, totals.jobs_completed + totals.jobs_abandoned +
                                     totals.jobs_waiting + totals.jobs_in_service);
  // Nobody waits longer than their patience before starting.
  const auto* waits = recorder.find_series("tick", "mean_wait_h");
  ASSERT_NE(waits, nullptr);
  for (size_t row = 0; row < waits->rows(); ++row) {
    if (!std::isnan(waits->at(row))) {
      EXPECT_LE(waits->at(row), 0.5 + 1e-9);
    }
  }
}

TEST(MarketModel, SameSeedGivesIdenticalSeriesAndOtherSeedsDiffer) {
  auto run = [](uint64_t seed) {
    MarketModel model(mmc_scenario(4, 0.9, 3000, 0, seed));
    MemoryRecorder recorder;
    model.run(recorder);
    return recorder;
  };
  const MemoryRecorder a = run(11), b = run(11), c = run(12);
  ASSERT_EQ(a.series().size(), b.series().size());
  for (size_t i = 0; i < a.series().size(); ++i) {
    const auto& x = a.series()[i].values;
    const auto& y = b.series()[i].values;
    ASSERT_EQ(x.size(), y.size());
    // Bitwise, NaN included.
    EXPECT_EQ(0, std::memcmp(x.data(), y.data(), x.size() * sizeof(double)))
        << a.series()[i].spec.name;
  }
  EXPECT_NE(a.summary_value("mean_wait_h"), c.summary_value("mean_wait_h"));
}

TEST(MarketModel, UtilisationMatchesOfferedLoadAndCapacityInUseNeverExceedsCapacity) {
  MarketModel model(mmc_scenario(4, 0.7, 20000, 500, 3));
  MemoryRecorder recorder;
  model.run(recorder);
  EXPECT_NEAR(*recorder.summary_value("utilisation"), 0.7, 0.02);
  const auto* utilisation = recorder.find_series("tick", "utilisation");
  for (size_t row = 0; row < utilisation->rows(); ++row) EXPECT_LE(utilisation->at(row), 1.0);
}

}  // namespace
}  // namespace gpumarket
