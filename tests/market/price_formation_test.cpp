// The marketplace's opt-in price formation (docs/model.md, "Scarcity pricing", "Entry on a
// positive expected margin", "Revenue from bills"): the kernels against hand computation
// and the scalar reference, and the effects as comparative statics, one parameter changed
// at a time over common random numbers, asserted as a sign with a confidence bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/market/market_model.hpp"
#include "gpumarket/market/pricing_rule.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "random_population.hpp"
#include "scalar_supply_reference.hpp"
#include "support/statistics.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::mean_and_error;
using testing::MeanAndError;

// The rule and the scalar reference write the scarcity price differently (a product
// clamped, against the highest ask plus a clamped rent): they agree to a few ulps.
constexpr double kRelTol = 1e-12;

using testing::random_population;
using testing::uniform;

ProviderPopulation two_providers() {
  ProviderPopulation pop;
  ProviderAttributes cheap;
  cheap.capacity_pf = 1.0;
  cheap.energy_usd_per_pf_hour = 1.0;
  ProviderAttributes dear = cheap;
  dear.energy_usd_per_pf_hour = 2.0;
  pop.add(cheap, 0.0);
  pop.add(dear, 0.0);
  return pop;  // asks 1 and 2 USD/PF·h, 2 PF in all
}

PriceFormation form(PricingMode mode, const ProviderPopulation& pop, double demand_pf,
                    const MarketplaceParams& params, SupplyWorkspace& ws) {
  ws.resize(pop.size());
  return pricing_rule(mode).form(pop, 1.0, 1.0, demand_pf, params, ws);
}

// ---------------------------------------------------------------------------------------
// Scarcity pricing

TEST(ScarcityPricing, PriceIsTheHighestAskRaisedByTheRelativeExcessUpToTheCeiling) {
  MarketplaceParams params;
  params.scarcity = {0.4, 10.0};
  SupplyWorkspace ws;
  const ProviderPopulation pop = two_providers();
  // D = 3, C = 2: p = 2 · (1 + 0.4 · 0.5) = 2.4.
  EXPECT_NEAR(form(PricingMode::Clearing, pop, 3.0, params, ws).price_usd_per_pf_hour, 2.4, 1e-15);
  params.scarcity.ceiling_usd_per_pf_hour = 2.3;
  const PriceFormation capped = form(PricingMode::Clearing, pop, 3.0, params, ws);
  EXPECT_EQ(capped.price_usd_per_pf_hour, 2.3);
  EXPECT_EQ(capped.served_pf, 2.0);
  EXPECT_EQ(capped.unserved_pf, 1.0);
  // A ceiling below the highest ask cannot take the price under an ask.
  params.scarcity.ceiling_usd_per_pf_hour = 1.5;
  EXPECT_EQ(form(PricingMode::Clearing, pop, 3.0, params, ws).price_usd_per_pf_hour, 2.0);
  // At demand = capacity there is no excess, and below it the merit order alone prices.
  params.scarcity.ceiling_usd_per_pf_hour = 10.0;
  EXPECT_EQ(form(PricingMode::Clearing, pop, 2.0, params, ws).price_usd_per_pf_hour, 2.0);
  EXPECT_EQ(form(PricingMode::Clearing, pop, 0.5, params, ws).price_usd_per_pf_hour, 1.0);
}

TEST(ScarcityPricing, ClearingUnderExcessDemandRisesWithDemandAndMatchesTheScalarReference) {
  RandomEngine rng(31);
  MarketplaceParams params;
  params.scarcity = {0.6, 5.0};  // above every ask of random_population (at most 4)
  SupplyWorkspace ws;
  for (int trial = 0; trial < 30; ++trial) {
    const ProviderPopulation pop = random_population(rng, 1 + 53 * trial);
    const double capacity = pop.total_capacity_pf();
    std::vector<scalar::Provider> ref = scalar::from_population(pop);
    scalar::compute_asks(ref, 1.0);
    double highest = 0.0;
    for (const scalar::Provider& p : ref) highest = std::max(highest, p.ask_usd_per_pf_hour);
    double previous = highest;
    for (double excess : {0.05, 0.2, 0.5, 1.0, 2.0, 5.0, 20.0}) {
      const double demand = capacity * (1.0 + excess);
      const PriceFormation f = form(PricingMode::Clearing, pop, demand, params, ws);
      const PriceFormation g = scalar::clear(ref, demand, params.scarcity);
      const double p = f.price_usd_per_pf_hour;
      EXPECT_NEAR(p, g.price_usd_per_pf_hour, kRelTol * g.price_usd_per_pf_hour);
      EXPECT_GT(p, highest) << "excess " << excess;
      EXPECT_LE(p, params.scarcity.ceiling_usd_per_pf_hour);
      // Strictly increasing in demand until the ceiling binds.
      if (previous < params.scarcity.ceiling_usd_per_pf_hour) {
        EXPECT_GT(p, previous);
      }
      EXPECT_GE(p, previous);
      previous = p;
      // Every provider is full at a price above every ask.
      EXPECT_NEAR(f.served_pf, capacity, kRelTol * capacity);  // the two sum in other orders
      EXPECT_NEAR(f.unserved_pf, demand - capacity, kRelTol * demand);
      ProviderPopulation settled = pop;
      pricing_rule(PricingMode::Clearing)
          .settle(settled, f, 1.0, Receipts{}, 0.5, EntryExitParams{}, ws);
      for (Eigen::Index i = 0; i < pop.size(); ++i) EXPECT_EQ(ws.used_pf[i], pop.capacity_pf[i]);
    }
    EXPECT_EQ(previous, params.scarcity.ceiling_usd_per_pf_hour) << "20× excess reaches the bound";
  }
}

TEST(ScarcityPricing, SlopeZeroIsTodaysRuleBitForBit) {
  RandomEngine rng(32);
  MarketplaceParams none;
  MarketplaceParams flat;
  flat.scarcity = {0.0, 1.0};  // a ceiling below the asks does not matter without a slope
  SupplyWorkspace a;
  SupplyWorkspace b;
  for (int trial = 0; trial < 20; ++trial) {
    const ProviderPopulation pop = random_population(rng, 1 + 97 * trial);
    for (double factor : {0.0, 0.3, 0.99, 1.0, 1.5, 8.0}) {
      const double demand = factor * pop.total_capacity_pf();
      const PriceFormation f = form(PricingMode::Clearing, pop, demand, flat, a);
      const PriceFormation g = form(PricingMode::Clearing, pop, demand, none, b);
      EXPECT_EQ(f.price_usd_per_pf_hour, g.price_usd_per_pf_hour);
      EXPECT_EQ(f.served_pf, g.served_pf);
      EXPECT_EQ(f.payments_usd_per_hour, g.payments_usd_per_hour);
      if (factor >= 1.0) {
        EXPECT_EQ(f.price_usd_per_pf_hour, a.ask_usd_per_pf_hour.maxCoeff());
      }
    }
  }
}

// Pay-as-bid pays asks (every provider full, no rent); dynamic_fee posts its price before
// the tick and lets its controller answer excess demand: neither reads the scarcity adder.
TEST(ScarcityPricing, PayAsBidAndDynamicFeeHaveNoScarcityAdder) {
  const ProviderPopulation pop = two_providers();
  MarketplaceParams scarce;
  scarce.scarcity = {1.0, 10.0};
  for (PricingMode mode : {PricingMode::PayAsBid, PricingMode::DynamicFee}) {
    SupplyWorkspace a;
    SupplyWorkspace b;
    const PriceFormation f = form(mode, pop, 5.0, scarce, a);
    const PriceFormation g = form(mode, pop, 5.0, MarketplaceParams{}, b);
    EXPECT_EQ(f.price_usd_per_pf_hour, g.price_usd_per_pf_hour);
    EXPECT_EQ(f.payments_usd_per_hour, g.payments_usd_per_hour);
  }
  SupplyWorkspace ws;
  EXPECT_EQ(form(PricingMode::PayAsBid, pop, 5.0, scarce, ws).price_usd_per_pf_hour, 1.5);
}

TEST(ScarcityPricing, WholeClearingTicksMatchTheScalarReference) {
  MarketplaceParams params;
  params.providers.initial_count = 300;
  params.scarcity = {0.5, 3.0};
  params.entry_exit.exit_after_ticks = 5;
  params.entry_exit.base_entry_rate_per_day = 24.0;
  RandomEngine init(8);
  MarketplaceState state = make_marketplace(params, init);
  scalar::Marketplace ref = scalar::from_state(state);
  RandomEngine rng_vector(9);
  RandomEngine rng_scalar(9);
  RandomEngine drivers(10);
  int scarce_ticks = 0;
  for (int tick = 0; tick < 200; ++tick) {
    const double demand = uniform(drivers, 0.5, 2.0) * state.providers.total_capacity_pf();
    const MarketplaceTickResult a =
        marketplace_tick(state, params, demand, 1.0, 1.0, 1.0, rng_vector);
    const MarketplaceTickResult b =
        scalar::marketplace_tick(ref, params, demand, 1.0, 1.0, 1.0, rng_scalar);
    EXPECT_NEAR(a.price_usd_per_pf_hour, b.price_usd_per_pf_hour,
                kRelTol * b.price_usd_per_pf_hour);
    EXPECT_NEAR(a.provider_revenue_usd, b.provider_revenue_usd, kRelTol * b.provider_revenue_usd);
    EXPECT_NEAR(a.mean_margin_usd_per_pf_hour, b.mean_margin_usd_per_pf_hour, kRelTol);
    ASSERT_EQ(a.provider_count, b.provider_count) << "tick " << tick;
    scarce_ticks += a.unserved_pf > 0.0 ? 1 : 0;
  }
  EXPECT_GT(scarce_ticks, 50);
}

// ---------------------------------------------------------------------------------------
// Entry on a positive expected margin

TEST(PositiveMarginEntry, ExpectedMarginIsTheMarginEquationAtTheOutlook) {
  ProviderAttributes c;
  c.energy_usd_per_pf_hour = 0.6;
  c.capex_usd_per_pf_hour = 0.45;
  // 0.5 · (1.8 − 0.6) − 0.45 · 1.2 = 0.06
  EXPECT_NEAR(expected_margin_usd_per_pf_hour(c, {0.5, 1.8, 1.2}), 0.06, 1e-15);
  EXPECT_NEAR(expected_margin_usd_per_pf_hour(c, {0.0, 1.8, 1.0}), -0.45, 1e-15);
}

TEST(PositiveMarginEntry, EveryCandidateIsDrawnAndOnlyThoseWithAPositiveMarginEnter) {
  MarketplaceParams rate;
  rate.entry_exit.base_entry_rate_per_day = 40.0;
  MarketplaceParams margin = rate;
  margin.entry_exit.entry_rule = EntryExitParams::EntryRule::PositiveMargin;
  const EntryOutlook outlook{0.6, 1.5, 1.0};
  RandomEngine a(5);
  RandomEngine b(5);
  std::vector<ProviderAttributes> all;
  std::vector<ProviderAttributes> kept;
  int64_t rejected = 0;
  for (int tick = 0; tick < 50; ++tick) {
    const EntryDraw x = draw_entrants(rate, 0, 0.0, outlook, 24.0, a, all);
    const EntryDraw y = draw_entrants(margin, 0, 0.0, outlook, 24.0, b, kept);
    ASSERT_EQ(x.candidates, y.candidates);
    EXPECT_EQ(x.entrants, x.candidates);
    // The entrants are the candidates with a positive margin, in the order drawn.
    size_t k = 0;
    for (const ProviderAttributes& candidate : all) {
      if (expected_margin_usd_per_pf_hour(candidate, outlook) > 0.0) {
        ASSERT_LT(k, kept.size());
        EXPECT_EQ(kept[k].capacity_pf, candidate.capacity_pf);
        ++k;
      } else {
        ++rejected;
      }
    }
    EXPECT_EQ(k, kept.size());
    EXPECT_EQ(a(), b()) << "the streams stay aligned";
  }
  EXPECT_GT(rejected, 0);
}

/// Σ entrants over `ticks` hourly ticks of a marketplace whose demand is `fill` × capacity.
double entrants_over_run(EntryExitParams::EntryRule rule, double fill, uint64_t seed, int ticks) {
  MarketplaceParams params;
  params.entry_exit.base_entry_rate_per_day = 6.0;
  params.entry_exit.entry_sensitivity_per_usd_per_pf_hour = 0.0;  // candidates at the base rate
  params.entry_exit.entry_rule = rule;
  RandomEngine rng(seed);
  MarketplaceState state = make_marketplace(params, rng);
  double entrants = 0.0;
  for (int tick = 0; tick < ticks; ++tick) {
    const double demand = fill * state.providers.total_capacity_pf();
    entrants +=
        static_cast<double>(marketplace_tick(state, params, demand, 1.0, 1.0, 1.0, rng).entrants);
  }
  return entrants;
}

TEST(PositiveMarginEntry, NoEntryAtANegativeExpectedMarginAndEntryAtAPositiveOne) {
  using Rule = EntryExitParams::EntryRule;
  std::vector<double> idle_difference;
  std::vector<double> busy_entrants;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    // No demand: utilisation 0, so every candidate expects −capex × index < 0.
    const double idle_rate = entrants_over_run(Rule::Rate, 0.0, seed, 240);
    const double idle_margin = entrants_over_run(Rule::PositiveMargin, 0.0, seed, 240);
    EXPECT_EQ(idle_margin, 0.0) << "seed " << seed;
    idle_difference.push_back(idle_rate - idle_margin);
    // 90 % of capacity demanded at the marginal ask: most candidates expect a profit.
    busy_entrants.push_back(entrants_over_run(Rule::PositiveMargin, 0.9, seed, 240));
  }
  const MeanAndError idle = mean_and_error(idle_difference);
  const MeanAndError busy = mean_and_error(busy_entrants);
  EXPECT_GT(idle.mean, 3.0 * idle.standard_error) << idle.mean << " ± " << idle.standard_error;
  EXPECT_GT(busy.mean, 3.0 * busy.standard_error) << busy.mean << " ± " << busy.standard_error;
}

// ---------------------------------------------------------------------------------------
// Revenue from bills

TEST(RevenueFromBills, ProvidersShareWhatTheBillsPaidNetOfTheFeeOverTheWorkInService) {
  MarketplaceParams params;
  params.providers.initial_count = 200;
  params.platform_fee = 0.1;
  params.revenue_source = RevenueSource::Bills;
  params.entry_exit.base_entry_rate_per_day = 0.0;
  params.entry_exit.margin_window_h = 1e-6;  // weight 1: a rolling margin is the tick's margin
  MarketplaceParams by_demand = params;
  by_demand.revenue_source = RevenueSource::Demand;
  RandomEngine init(3);
  const MarketplaceState start = make_marketplace(params, init);
  const double capacity = start.providers.total_capacity_pf();
  RandomEngine drivers(4);
  for (int trial = 0; trial < 20; ++trial) {
    MarketplaceState state = start;
    MarketplaceState other = start;
    const double tick_h = uniform(drivers, 0.5, 2.0);
    const double demand = uniform(drivers, 0.2, 1.5) * capacity;
    const double in_use = std::min(demand, capacity) * uniform(drivers, 0.3, 1.0);
    const VenueBilling billing{in_use * tick_h * uniform(drivers, 0.5, 3.0), in_use * tick_h};
    RandomEngine rng(1);
    RandomEngine rng_other(1);
    const MarketplaceTickResult r =
        marketplace_tick(state, params, demand, 1.0, 1.0, tick_h, rng, billing);
    const MarketplaceTickResult d =
        marketplace_tick(other, by_demand, demand, 1.0, 1.0, tick_h, rng_other, billing);
    // The price is formed on demand either way.
    EXPECT_EQ(r.price_usd_per_pf_hour, d.price_usd_per_pf_hour);
    EXPECT_EQ(state.posted_price_usd_per_pf_hour, other.posted_price_usd_per_pf_hour);
    // The work allocated is the work in service; the revenue is the bills net of the fee.
    EXPECT_NEAR(r.used_pf, in_use, kRelTol * in_use);
    EXPECT_NEAR(r.payments_usd, billing.billed_usd, kRelTol * billing.billed_usd);
    EXPECT_NEAR(r.provider_revenue_usd, 0.9 * billing.billed_usd, kRelTol * billing.billed_usd);
    // Σ over providers of what each received for what it served is that revenue:
    // margin_i + capex_i = used_i / c_i × (ρ − e_i) per PF of capacity.
    const ProviderPopulation& pop = state.providers;
    double received_usd = 0.0;
    for (Eigen::Index i = 0; i < pop.size(); ++i) {
      const double used = state.workspace.used_pf[i];
      received_usd += (pop.capacity_pf[i] *
                           (pop.rolling_margin_usd_per_pf_hour[i] + pop.capex_usd_per_pf_hour[i]) +
                       used * pop.energy_usd_per_pf_hour[i]) *
                      tick_h;
    }
    EXPECT_NEAR(received_usd, r.provider_revenue_usd, 1e-9 * r.provider_revenue_usd);
  }
}

// A scenario of one clearing marketplace that pays its providers from `revenue_source`,
// with a constant token, no emissions and a 10 % platform fee. Entry is off (base rate 0),
// so the positive-margin entry rule it names does nothing but declare the price-formation
// series under either revenue source; exit is off too.
std::string marketplace_scenario(const std::string& revenue_source, double arrivals_per_hour,
                                 const std::string& horizon, const std::string& timeline,
                                 const std::string& marketplace_keys = "") {
  return "name: bills\n"
         "start: 2026-01-01\n"
         "horizon: " +
         horizon +
         "\n"
         "tick: 1h\n"
         "routing: {settlement_tx_usd: 0}\n"
         "venues:\n"
         "  - name: market\n"
         "    kind: marketplace\n"
         "    providers: {initial_count: 40}\n"
         "    token: {annual_drift: 0, annual_volatility: 0, jumps_per_year: 0}\n"
         "    entry_exit: {base_entry_rate_per_day: 0, exit_after_ticks: 1000000, entry_rule: "
         "positive_margin}\n"
         "    platform_fee: 0.1\n"
         "    revenue_source: " +
         revenue_source + "\n" + marketplace_keys +
         "segments:\n"
         "  - name: jobs\n"
         "    arrival_rate_per_hour: " +
         std::to_string(arrivals_per_hour) +
         "\n"
         "    width_pf: {distribution: lognormal, median: 0.1, sigma: 0.8}\n"
         "    duration: {distribution: exponential, mean: 2h}\n"
         "    patience: inf\n"
         "    value_usd_per_pf_hour: 1.0e6\n"
         "    value_of_time_usd_per_pf_hour_per_hour: 0\n" +
         timeline;
}

/// Σ over the run of one per-venue series' `market` column.
double run_total(const std::string& yaml, uint64_t seed, const std::string& name) {
  testing::TempDir dir;
  const LoadedScenario loaded =
      load_scenario(dir.write("main.yaml", yaml), {"seed=" + std::to_string(seed)});
  MemoryRecorder recorder;
  recorder.begin(RunInfo{});
  MarketModel model(loaded.scenario);
  model.run(recorder);
  recorder.finish();
  const MemoryRecorder::Series* s = recorder.find_series("tick", name);
  EXPECT_NE(s, nullptr) << name;
  if (s == nullptr) return std::nan("");
  double total = 0.0;
  for (size_t row = 0; row < s->rows(); ++row) total += s->at(row, 0);
  return total;
}

// Arrivals stop after 120 h and every job has finished long before 300 h, so the bills of
// the jobs that started are the bills of the work done.
TEST(RevenueFromBills, ProviderRevenueOverARunIsTheBillsNetOfTheFee) {
  const std::string yaml = marketplace_scenario(
      "bills", 8.0, "300h",
      "timeline:\n  - date: 2026-01-06\n    set: {segments.jobs.arrival_rate_per_hour: 0}\n");
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const double revenue = run_total(yaml, seed, "provider_revenue_usd");
    const double bills = run_total(yaml, seed, "revenue_usd");
    ASSERT_GT(bills, 0.0);
    EXPECT_NEAR(revenue, 0.9 * bills, 1e-9 * bills) << "seed " << seed;
  }
}

// Offered load ≈ 20/h × 0.137 PF × 2 h ≈ 5.5 PF against ≈ 3.6 PF: the line grows. Demand
// counts the waiting jobs' width; the bills only the work in service.
TEST(RevenueFromBills, AVenueWithLongLinesEarnsLessThanUnderDemandBasedRevenue) {
  std::vector<double> difference;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const double by_demand =
        run_total(marketplace_scenario("demand", 20.0, "150h", ""), seed, "provider_revenue_usd");
    const double by_bills =
        run_total(marketplace_scenario("bills", 20.0, "150h", ""), seed, "provider_revenue_usd");
    difference.push_back(by_demand - by_bills);
  }
  const MeanAndError d = mean_and_error(difference);
  EXPECT_GT(d.mean, 3.0 * d.standard_error) << d.mean << " ± " << d.standard_error << " USD";
}

// Scarcity pricing end to end, over the same job flow (one venue, nobody priced out): with
// the line long, clearing prices at the highest ask without a slope and above it with one,
// so providers earn more.
TEST(ScarcityPricing, ExcessDemandEarnsProvidersARentInAWholeRun) {
  std::vector<double> difference;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    const double flat =
        run_total(marketplace_scenario("bills", 20.0, "150h", ""), seed, "provider_revenue_usd");
    const double scarce =
        run_total(marketplace_scenario("bills", 20.0, "150h", "",
                                       "    scarcity: {slope: 0.5, ceiling_usd_per_pf_hour: 6}\n"),
                  seed, "provider_revenue_usd");
    difference.push_back(scarce - flat);
  }
  const MeanAndError d = mean_and_error(difference);
  EXPECT_GT(d.mean, 3.0 * d.standard_error) << d.mean << " ± " << d.standard_error << " USD";
}

}  // namespace
}  // namespace gpumarket
