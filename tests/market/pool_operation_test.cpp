// The pool's operation kernels (include/gpumarket/market/pool_operation.hpp,
// research_grants.hpp) against their formulas, at their edges.
#include "gpumarket/market/pool_operation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gpumarket/market/research_grants.hpp"
#include "gpumarket/market/supply_kernels.hpp"

namespace gpumarket {
namespace {

TEST(PoolPrice, CostBasedRuleKeepsTheFactor) {
  AlliancePoolParams p;
  EXPECT_EQ(next_pool_price_factor(p, 1.0, 0.1), 1.0);
  EXPECT_EQ(next_pool_price_factor(p, 1.0, 1.0), 1.0);
}

TEST(PoolPrice, TargetingIsTheDynamicFeeUpdateOnTheFactor) {
  AlliancePoolParams p;
  p.price_rule = PoolPriceRule::UtilisationTarget;
  const PoolUtilisationTargetParams& t = p.utilisation_target;
  for (const double u : {0.0, 0.2, 0.7, 0.9, 1.0}) {
    const double change = std::clamp(t.adjustment * (u - 0.7) / 0.7, -0.125, 0.125);
    EXPECT_DOUBLE_EQ(next_pool_price_factor(p, 1.0, u), 1.0 * (1.0 + change)) << u;
  }
  EXPECT_EQ(next_pool_price_factor(p, t.min_factor, 0.0), t.min_factor);
  EXPECT_EQ(next_pool_price_factor(p, t.max_factor, 1.0), t.max_factor);
  // The marketplace's dynamic fee is the same controller on a price.
  DynamicFeeParams fee;
  EXPECT_EQ(dynamic_fee_update(2.0, 0.3, fee),
            utilisation_target_step(2.0, 0.3, fee.target_utilisation, fee.adjustment,
                                    fee.floor_usd_per_pf_hour, fee.ceiling_usd_per_pf_hour));
}

TEST(PoolPrice, UtilisationIsWorkOverCapacityTime) {
  VenueBilling billing{0.0, 6.0};
  EXPECT_DOUBLE_EQ(pool_utilisation(billing, 10.0, 2.0), 0.3);
  EXPECT_EQ(pool_utilisation(billing, 0.0, 2.0), 0.0);
  EXPECT_EQ(pool_utilisation(billing, 2.0, 1.0), 1.0);  // draining capacity: at most 1
}

TEST(PoolLatency, GrowsAsUOverOneMinusUUpToTheCap) {
  PoolCongestionParams c;
  EXPECT_EQ(pool_congestion_latency(c, 0.9), Duration());  // disabled by default
  c.scale = Duration::hours(2);
  c.max = Duration::hours(10);
  EXPECT_EQ(pool_congestion_latency(c, 0.0), Duration());
  EXPECT_NEAR(pool_congestion_latency(c, 0.5).in_hours(), 2.0, 1e-9);
  EXPECT_NEAR(pool_congestion_latency(c, 0.75).in_hours(), 6.0, 1e-9);
  EXPECT_EQ(pool_congestion_latency(c, 0.9), c.max);
  EXPECT_EQ(pool_congestion_latency(c, 1.0), c.max);
  // Just below 1 the uncapped delay does not fit in a Duration: still the cap.
  EXPECT_EQ(pool_congestion_latency(c, std::nextafter(1.0, 0.0)), c.max);
}

TEST(PoolSubsidy, StatePaysTheRestOfTheUnsubsidisedBill) {
  EXPECT_NEAR(subsidy_usd(0.35, 65.0), 35.0, 1e-12);
  EXPECT_EQ(subsidy_usd(0.0, 65.0), 0.0);
}

TEST(PoolSubsidy, ABudgetShareBoundsTheCumulativeSubsidy) {
  AlliancePoolParams p;
  EXPECT_TRUE(std::isinf(subsidy_bound_usd(p)));
  p.budget.total_usd = 100.0;
  p.subsidy_budget = "services";
  EXPECT_DOUBLE_EQ(subsidy_bound_usd(p), 30.0);
  SubsidyAccount account;
  account.pay(p, 0.5, 20.0);  // 20 due
  EXPECT_DOUBLE_EQ(account.last_tick_usd, 20.0);
  EXPECT_EQ(subsidy_rate_in_force(p, account.paid_usd), p.subsidy_rate);
  account.pay(p, 0.5, 20.0);  // 20 due, 10 left
  EXPECT_DOUBLE_EQ(account.last_tick_usd, 10.0);
  EXPECT_DOUBLE_EQ(account.paid_usd, 30.0);
  EXPECT_EQ(subsidy_rate_in_force(p, account.paid_usd), 0.0);
  account.pay(p, 0.5, 20.0);
  EXPECT_EQ(account.last_tick_usd, 0.0);
  EXPECT_DOUBLE_EQ(account.paid_usd, 30.0);
}

TEST(ResearchGrants, DisbursedUniformlyAndNeverAboveTheResearchShare) {
  AlliancePoolParams p;
  const Date start = Date::from_ymd(2026, 1, 1);
  EXPECT_EQ(research_grants_disbursed_usd(p, start, 1e6), 0.0);  // no grants
  p.research_grants.emplace();
  p.research_grants->from = Date::from_ymd(2026, 1, 11);
  p.research_grants->to = Date::from_ymd(2026, 1, 21);
  const double research = p.budget.usd(kResearchBudget);
  EXPECT_EQ(research_grants_disbursed_usd(p, start, 0.0), 0.0);
  EXPECT_EQ(research_grants_disbursed_usd(p, start, 240.0), 0.0);
  EXPECT_DOUBLE_EQ(research_grants_disbursed_usd(p, start, 360.0), 0.5 * research);
  EXPECT_DOUBLE_EQ(research_grants_disbursed_usd(p, start, 480.0), research);
  EXPECT_DOUBLE_EQ(research_grants_disbursed_usd(p, start, 1e6), research);
  EXPECT_DOUBLE_EQ(open_source_grants_usd(p, start, 1e6), 0.5 * research);
  // Without `from`, disbursement starts with the pool's ramp.
  p.research_grants->from.reset();
  EXPECT_EQ(research_grants_from(p, start), p.capacity_ramp.front().date);
}

TEST(ResearchGrants, ValueFactorSaturatesInTheGrants) {
  ResearchGrantParams g;
  EXPECT_EQ(open_source_value_factor(g, 0.0), 1.0);
  EXPECT_NEAR(open_source_value_factor(g, g.reference_usd), 1.0 + g.effect * (1.0 - std::exp(-1.0)),
              1e-15);
  EXPECT_LT(open_source_value_factor(g, 1e15), 1.0 + g.effect + 1e-15);
  EXPECT_GT(open_source_value_factor(g, 2e9), open_source_value_factor(g, 1e9));
}

TEST(ResearchGrants, OnlyMarkedSegmentsGainAndOnlyAfterTheLag) {
  Scenario s;
  s.start = Date::from_ymd(2026, 1, 1);
  AlliancePoolParams pool;
  pool.capacity_ramp = {{s.start, 10.0}};
  pool.research_grants.emplace();
  pool.research_grants->to = Date::from_ymd(2026, 1, 11);
  pool.research_grants->lag = Duration::days(2);
  VenueParams venue;
  venue.name = "alliance";
  venue.kind = pool;
  s.venues.push_back(venue);
  s.segments.resize(2);
  s.segments[1].demand.uses_open_source_models = true;
  std::vector<double> factors;
  open_source_value_factors(s, 48.0, factors);  // exactly at the lag: nothing granted yet
  EXPECT_EQ(factors, (std::vector<double>{1.0, 1.0}));
  open_source_value_factors(s, 120.0, factors);
  EXPECT_EQ(factors[0], 1.0);
  const double g = open_source_grants_usd(pool, s.start, 72.0);
  EXPECT_GT(g, 0.0);
  EXPECT_DOUBLE_EQ(factors[1], open_source_value_factor(*pool.research_grants, g));
}

}  // namespace
}  // namespace gpumarket
