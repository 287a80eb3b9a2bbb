// The pool's procurement on its own: the discount and its inverse, the ledger (never above
// the hardware budget; ordered = delivered + cancelled + in flight), lead times, shocks and the
// utilisation rule against a fixed load.
#include "gpumarket/market/pool_procurement.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace gpumarket {
namespace {

const Date kStart = Date::from_ymd(2026, 5, 7);

TEST(PoolProcurement, UsdToPfInvertsTheDiscountedCost) {
  const VolumeDiscountParams discount{0.2, 1000.0};
  for (double usd : {1e3, 1e6, 5e7, 1e9, 4.8e9}) {
    for (double premium : {0.0, 0.3}) {
      const double pf = pf_bought_for_usd(50'000.0, discount, premium, usd);
      const double cost = pf * order_unit_cost_usd_per_pf(50'000.0, discount, premium, pf);
      EXPECT_NEAR(cost, usd, 1e-12 * usd) << usd;
    }
  }
  EXPECT_DOUBLE_EQ(pf_bought_for_usd(50'000.0, {}, 0.0, 1e6), 20.0);
  // The discount grows with the order: a larger order has a lower unit cost.
  EXPECT_LT(order_unit_cost_usd_per_pf(50'000.0, discount, 0.0, 1e4),
            order_unit_cost_usd_per_pf(50'000.0, discount, 0.0, 10.0));
  EXPECT_NEAR(volume_discount(discount, 1000.0), 0.1, 1e-15);
}

AlliancePoolParams scheduled_pool(double shocks_per_year) {
  AlliancePoolParams p;
  ProcurementParams q;
  q.rule = ProcurementParams::Rule::Schedule;
  q.initial_pf = 5.0;
  for (int k = 0; k < 6; ++k)
    q.schedule.push_back({Date::from_days(kStart.days_since_epoch() + 30 + int64_t{91} * k), 0.0});
  q.equal_tranches = true;
  q.sanctions.rate_per_year = shocks_per_year;
  q.volume_discount = {0.1, 1000.0};
  p.procurement = q;
  return p;
}

// Steps a pool daily from day `from` to day `to` (both included) at a fixed index.
void run_days(PoolProcurement& procurement, const AlliancePoolParams& p, int from, int to) {
  for (int day = from; day <= to; ++day) {
    procurement.step(p, SimTime::start() + Duration::days(day), 1.0);
  }
}

TEST(PoolProcurement, SpendsAtMostTheHardwareBudgetAndConservesCapacity) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const AlliancePoolParams p = scheduled_pool(3.0);
    PoolProcurement procurement(p, kStart, seed, 1.0);
    run_days(procurement, p, 0, 900);
    const ProcurementFlows& t = procurement.totals();
    const double budget = p.budget.usd(kHardwareBudget);
    EXPECT_LE(t.spent_usd, budget);
    EXPECT_DOUBLE_EQ(t.spent_usd, budget);  // equal tranches spend it all
    EXPECT_GT(t.shocks, 0.0);
    const double accounted = t.delivered_pf + t.cancelled_pf + procurement.in_flight_pf();
    EXPECT_NEAR(t.ordered_pf, accounted, 1e-9 * t.ordered_pf) << seed;
    EXPECT_NEAR(t.delivered_pf, procurement.installed_pf(), 1e-9 * t.delivered_pf);
  }
}

TEST(PoolProcurement, WithoutShocksEveryOrderIsDeliveredAfterItsLeadTime) {
  AlliancePoolParams p = scheduled_pool(0.0);
  p.procurement->lead_time = {Duration::days(100), 0.0};  // deterministic
  PoolProcurement procurement(p, kStart, 1, 1.0);
  run_days(procurement, p, 0, 129);  // the first tranche (day 30) is due on day 130
  EXPECT_DOUBLE_EQ(procurement.installed_pf(), 5.0);
  run_days(procurement, p, 130, 130);
  EXPECT_GT(procurement.installed_pf(), 5.0);
  run_days(procurement, p, 131, 2000);
  EXPECT_EQ(procurement.totals().cancelled_pf, 0.0);
  EXPECT_EQ(procurement.in_flight_pf(), 0.0);
  EXPECT_NEAR(procurement.installed_pf(), procurement.totals().ordered_pf,
              1e-12 * procurement.installed_pf());
}

// 10 PF at the start; the rule reviews monthly for a target of 50 % and its orders arrive
// after exactly 10 days.
AlliancePoolParams utilisation_rule_pool() {
  AlliancePoolParams p;
  ProcurementParams q;
  q.initial_pf = 10.0;
  q.target_utilisation = 0.5;
  q.review_interval = Duration::days(30);
  q.lead_time = {Duration::days(10), 0.0};
  p.procurement = q;
  return p;
}

TEST(PoolProcurement, TheUtilisationRuleOrdersTheLoadOverTheTarget) {
  const AlliancePoolParams p = utilisation_rule_pool();
  PoolProcurement procurement(p, kStart, 1, 1.0);
  for (int day = 1; day <= 30; ++day) {
    procurement.observe_share(0, 1.0, 9.0, 0.0, 24.0);  // 9 PF in use all month
    procurement.step(p, SimTime::start() + Duration::days(day), 1.0);
  }
  // Review at day 30: wanted = 9 / 0.5 − 10 = 8 PF.
  EXPECT_NEAR(procurement.in_flight_pf(), 8.0, 1e-9);
  run_days(procurement, p, 31, 45);
  EXPECT_NEAR(procurement.installed_pf(), 18.0, 1e-9);
}

// A saturated share serves at most its capacity; the growth of its line is the demand it did
// not serve. The pool is sized to the share that needs the most installed capacity.
TEST(PoolProcurement, TheUtilisationRuleSeesUnmetDemandAndSizesToTheBusiestShare) {
  const AlliancePoolParams p = utilisation_rule_pool();
  PoolProcurement procurement(p, kStart, 1, 1.0);
  for (int day = 1; day <= 30; ++day) {
    // Public share (70 %): 3.5 PF in use, nothing waiting. Reserved share (30 %): full at
    // 3 PF, its line growing by 24 PF·h a day (1 PF of unmet demand).
    procurement.observe_share(0, 0.7, 3.5, 0.0, 24.0);
    procurement.observe_share(1, 0.3, 3.0, 24.0 * day, 24.0);
    procurement.step(p, SimTime::start() + Duration::days(day), 1.0);
  }
  // Public: 3.5 / 0.7 = 5 PF installed needed; reserved: (3 + 1) / 0.3 = 13.33 PF. Wanted =
  // 13.33 / 0.5 − 10 = 16.67 PF.
  EXPECT_NEAR(procurement.in_flight_pf(), 4.0 / 0.3 / 0.5 - 10.0, 1e-9);
}

}  // namespace
}  // namespace gpumarket
