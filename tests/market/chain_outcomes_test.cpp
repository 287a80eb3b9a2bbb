// Block-space markets in whole runs of tests/market/chain_scenario.yaml: comparative statics
// one parameter at a time over replications with common random numbers (the sign of the
// mean paired difference, more than 3 standard errors from 0), and the invariants of a run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/market/indicators.hpp"
#include "gpumarket/market/market_model.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;

constexpr int kReplications = 10;

struct ChainRun {
  RunTotals totals;
  MemoryRecorder recorder;

  double summary(std::string_view name) const {
    const std::optional<double> value = recorder.summary_value(name);
    EXPECT_TRUE(value.has_value()) << "no summary value " << name;
    return value.value_or(std::nan(""));
  }
  /// Column `column` of the tick series `name`, every row.
  std::vector<double> column(const std::string& name, size_t column) const {
    const MemoryRecorder::Series* s = recorder.find_series("tick", name);
    EXPECT_NE(s, nullptr) << "no series " << name;
    std::vector<double> out;
    if (s == nullptr) return out;
    for (size_t row = 0; row < s->rows(); ++row) out.push_back(s->at(row, column));
    return out;
  }
};

ChainRun run(const std::vector<std::string>& overrides) {
  const std::string path =
      (fs::path(GPUMARKET_SOURCE_DIR) / "tests" / "market" / "chain_scenario.yaml").string();
  const LoadedScenario loaded = load_scenario(path, overrides);
  ChainRun r;
  r.recorder.begin(RunInfo{});
  MarketModel model(loaded.scenario);
  r.totals = model.run(r.recorder);
  r.recorder.finish();
  return r;
}

std::string mean_base_fee() { return indicator::for_chain("l2", indicator::kChainMeanBaseFee); }
std::string mean_settlement_fee() {
  return indicator::for_chain("l2", indicator::kChainMeanSettlementFee);
}

struct PairedDifference {
  double mean = 0;
  double standard_error = 0;
};

/// Over kReplications seeds, the paired difference `metric(changed) − metric(base)` of runs
/// that share each seed (common random numbers). `metric` reads one run's outcome.
template <class Metric>
PairedDifference paired(const std::vector<std::string>& base,
                        const std::vector<std::string>& changed, const Metric& metric) {
  std::vector<double> d;
  for (int seed = 1; seed <= kReplications; ++seed) {
    std::vector<std::string> a = base, b = changed;
    a.push_back("seed=" + std::to_string(seed));
    b.push_back("seed=" + std::to_string(seed));
    d.push_back(metric(run(b)) - metric(run(a)));
  }
  PairedDifference p;
  for (double x : d) p.mean += x / kReplications;
  double ss = 0;
  for (double x : d) ss += (x - p.mean) * (x - p.mean);
  p.standard_error = std::sqrt(ss / (kReplications - 1) / kReplications);
  return p;
}

void expect_positive(const PairedDifference& p, const std::string& what) {
  std::cout << what << ": mean paired difference " << p.mean << " (standard error "
            << p.standard_error << ", " << kReplications << " seeds)\n";
  EXPECT_GT(p.mean, 3.0 * p.standard_error)
      << what << ": mean paired difference " << p.mean << ", standard error " << p.standard_error;
}

TEST(ChainStatics, MorePublicChainJobsRaiseTheMeanBaseFee) {
  const PairedDifference p = paired({}, {"segments.defi.arrival_rate_per_hour=400"},
                                    [](const ChainRun& r) { return r.summary(mean_base_fee()); });
  expect_positive(p, "mean base fee, 400 vs 200 jobs/h");
}

TEST(ChainStatics, HigherBackgroundRaisesTheSettlementFeeAndPricesOutMoreSmallJobs) {
  const std::vector<std::string> busier = {"chains.l2.background.level_gas_per_block=200000"};
  expect_positive(
      paired({}, busier, [](const ChainRun& r) { return r.summary(mean_settlement_fee()); }),
      "mean settlement fee, background 200,000 vs 100,000 gas/block");
  expect_positive(
      paired({}, busier,
             [](const ChainRun& r) { return r.summary(indicator::kPricedOutShare.name); }),
      "priced-out share, background 200,000 vs 100,000 gas/block");
}

TEST(ChainStatics, CongestionEpisodesRaiseTheMeanBaseFee) {
  const PairedDifference p = paired({}, {"chains.l2.background.congestion_per_year=200"},
                                    [](const ChainRun& r) { return r.summary(mean_base_fee()); });
  expect_positive(p, "mean base fee, 200 vs 0 congestion episodes a year");
}

TEST(ChainRun, NoBlockExceedsItsGasLimitAndMoneyIsConserved) {
  const ChainRun r = run(
      {"chains.l2.background.congestion_per_year=400", "segments.defi.arrival_rate_per_hour=1000"});
  const std::vector<double> fullest = r.column("chain_max_block_gas", 0);
  const std::vector<double> used = r.column("chain_gas_used", 0);
  const std::vector<double> limit = r.column("chain_gas_limit", 0);
  ASSERT_FALSE(fullest.empty());
  for (size_t row = 0; row < fullest.size(); ++row) {
    EXPECT_LE(fullest[row], 300'000.0) << "tick " << row;
    EXPECT_LE(used[row], limit[row]) << "tick " << row;
  }
  // Some blocks are full: the invariant was tested where it binds.
  EXPECT_EQ(*std::max_element(fullest.begin(), fullest.end()), 300'000.0);
  const double paid = r.summary(indicator::kMoneyPaid.name);
  EXPECT_NEAR(paid,
              r.summary(indicator::kMoneyReceived.name) + r.summary(indicator::kMoneyFees.name),
              1e-9 * paid);
}

TEST(ChainRun, EveryStartedTokenSettledJobPutsOneSettlementOnTheChain) {
  // The bridge never opens within the horizon: every transaction is a direct settlement.
  const ChainRun r = run({"bridges.relay.open=2030-01-01"});
  double transactions = 0;
  for (double x : r.column("chain_model_transactions", 0)) transactions += x;
  const auto started = static_cast<double>(r.totals.jobs_completed + r.totals.jobs_in_service);
  EXPECT_GT(started, 0.0);
  EXPECT_EQ(transactions, started);
}

TEST(ChainRun, BridgedJobsAddMessagesAndProofVerifications) {
  const ChainRun r = run({});
  double transactions = 0;
  for (double x : r.column("chain_model_transactions", 0)) transactions += x;
  const auto started = static_cast<double>(r.totals.jobs_completed + r.totals.jobs_in_service);
  EXPECT_GT(r.summary(indicator::kBridgeVolume.name), 0.0);
  EXPECT_GT(transactions, started);
}

}  // namespace
}  // namespace gpumarket
