// The hardware market in levels: without pool purchases an index is its trend, the lagged
// supply is the exact solution of its ODE, the index is the level formula, and purchases
// and supply cuts raise it.
#include "gpumarket/market/hardware_market.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "gpumarket/core/time.hpp"

namespace gpumarket {
namespace {

HardwareSegmentParams segment() {
  HardwareSegmentParams p;
  p.name = "datacentre";
  p.decline_per_year = 0.2;
  p.world_demand_pf_per_year = 2e6;
  p.pool_share = 1.0;
  p.supply_lag = Duration::days(365);
  p.supply_elasticity = 0.5;
  return p;
}

TEST(HardwareMarket, WithoutPurchasesAndSupplyEqualToDemandAnIndexIsItsTrend) {
  const HardwareMarketParams params;
  HardwareMarket market(params);
  double trend = 1.0;  // the stepwise secular decline, computed independently
  const double dt = 1.0 / kHoursPerYear;
  for (int t = 0; t < 24 * 365; ++t) {
    market.step(params, 0.0, dt);
    trend *= std::exp(std::log1p(-0.2) * dt);
  }
  for (double index : market.indices()) EXPECT_EQ(index, trend);  // bit for bit
  EXPECT_NEAR(trend, 0.8, 1e-12);
}

TEST(HardwareMarket, SupplyFollowsDemandAsTheExactSolutionOfItsLag) {
  const HardwareSegmentParams p = segment();
  HardwareSegmentState state{1.0, p.world_demand_pf_per_year, p.world_demand_pf_per_year, 1.0};
  const double purchase = 1e6;  // demand steps from 2e6 to 3e6 PF/year
  const double dt = 1.0 / 365.0;
  for (int day = 0; day < 365; ++day) hardware_segment_step(state, p, purchase, dt);
  // S(t) = D + (S0 − D) e^{−t/τ} at t = τ = 1 year (a 365-day lag is exactly one year).
  const double expected_supply = 3e6 - 1e6 * std::exp(-1.0);
  EXPECT_NEAR(state.supply_pf_per_year, expected_supply, 1e-6 * expected_supply);
  EXPECT_DOUBLE_EQ(state.demand_pf_per_year, 3e6);
  const double expected_index = state.trend * std::pow(3e6 / state.supply_pf_per_year, 1.0 / 0.5);
  EXPECT_NEAR(state.index, expected_index, 1e-12 * expected_index);
  EXPECT_GT(state.index, state.trend);
}

TEST(HardwareMarket, LargerPurchasesRaiseTheIndexAndTheScarcityFades) {
  const HardwareSegmentParams p = segment();
  HardwareSegmentState small{1.0, 2e6, 2e6, 1.0};
  HardwareSegmentState large = small;
  double peak = 0.0;
  for (int day = 0; day < 10 * 365; ++day) {
    hardware_segment_step(small, p, 1e5, 1.0 / 365.0);
    hardware_segment_step(large, p, 4e5, 1.0 / 365.0);
    EXPECT_GT(large.index, small.index);
    peak = std::max(peak, large.index / large.trend);
  }
  // Supply catches up: after ten lags the index is back within 1e-3 of its trend.
  EXPECT_GT(peak, 1.3);
  EXPECT_NEAR(large.index / large.trend, 1.0, 1e-3);
}

TEST(HardwareMarket, ASupplyCutRaisesOnlyItsSegmentsIndexByTheLevelFormula) {
  const HardwareMarketParams params;  // datacentre (ε = 0.5), consumer
  HardwareMarket market(params);
  market.cut_supply(params, 0, 0.1);
  EXPECT_NEAR(market.indices()[0], std::pow(1.0 / 0.9, 2.0), 1e-12);
  EXPECT_EQ(market.indices()[1], 1.0);
}

}  // namespace
}  // namespace gpumarket
