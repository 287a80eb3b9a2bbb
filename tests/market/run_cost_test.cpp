#include "gpumarket/market/run_cost.hpp"

#include <gtest/gtest.h>

#include "gpumarket/io/scenario_loader.hpp"

namespace gpumarket {
namespace {

Scenario mmc(const std::vector<std::string>& overrides = {}) {
  return load_scenario(GPUMARKET_SOURCE_DIR "/scenarios/mmc.yaml", overrides).scenario;
}

TEST(RunCost, CountsTicksAndExpectedJobsOfAFlatRate) {
  const RunCost cost = estimate_run_cost(mmc({"horizon=1000h"}));
  EXPECT_DOUBLE_EQ(cost.ticks, 1000);
  EXPECT_NEAR(cost.jobs, 2.4 * 1000, 1e-6);  // mmc: 2.4 jobs/h
  EXPECT_NEAR(cost.busiest_tick_jobs, 2.4, 1e-9);
  EXPECT_DOUBLE_EQ(cost.addresses, 10'000);  // the default pool
  EXPECT_GT(cost.output_bytes, 1000 * 8);
}

TEST(RunCost, ATickAsLongAsTheHorizonHoldsEveryJobAtOnce) {
  const RunCost cost = estimate_run_cost(mmc({"horizon=1000h", "tick=1000h"}));
  EXPECT_DOUBLE_EQ(cost.ticks, 1);
  EXPECT_NEAR(cost.busiest_tick_jobs, cost.jobs, 1e-6);
  EXPECT_NEAR(cost.tick_batch_memory_bytes, cost.jobs * kBytesPerTickJob, 1e-3);
}

TEST(RunCost, AbsurdInputsGiveLargeFiniteOrInfiniteCostsWithoutOverflow) {
  const RunCost cost = estimate_run_cost(mmc({"horizon=26280h", "tick=1us"}));
  EXPECT_NEAR(cost.ticks, 26280.0 * 3.6e9, 1e3);
  EXPECT_GT(cost.output_bytes, cost.ticks * 8);
}

}  // namespace
}  // namespace gpumarket
