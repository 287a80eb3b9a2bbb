// The pay_as_bid pricing rule: merit-order allocation as under clearing, each provider
// paid its own ask. Checked against the sort-based scalar clearing of
// scalar_supply_reference.hpp and against closed forms, and, as a comparative static over
// a whole marketplace run with common random numbers, against clearing.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <vector>

#include "gpumarket/market/pricing_rule.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "random_population.hpp"
#include "scalar_supply_reference.hpp"

namespace gpumarket {
namespace {

// Sums over up to a few thousand providers in different orders agree to this.
constexpr double kRelTol = 1e-12;

using testing::random_population;
using testing::uniform;

PriceFormation form(PricingMode mode, const ProviderPopulation& pop, double index, double demand_pf,
                    SupplyWorkspace& ws) {
  ws.resize(pop.size());
  return pricing_rule(mode).form(pop, 1.0, index, demand_pf, MarketplaceParams{}, ws);
}

TEST(PayAsBid, AllocatesLikeClearingAndChargesEachProviderItsOwnAsk) {
  RandomEngine rng(11);
  for (int trial = 0; trial < 100; ++trial) {
    const ProviderPopulation pop = random_population(rng, 1 + trial * 23);
    const double index = uniform(rng, 0.5, 2.0);
    const double demand = uniform(rng, 0.05, 1.3) * pop.total_capacity_pf();
    SupplyWorkspace bid_ws, clear_ws;
    const PriceFormation bid = form(PricingMode::PayAsBid, pop, index, demand, bid_ws);
    const PriceFormation clear = form(PricingMode::Clearing, pop, index, demand, clear_ws);
    EXPECT_EQ(bid.served_pf, clear.served_pf);
    EXPECT_EQ(bid.unserved_pf, clear.unserved_pf);

    // Independent: sort, fill in ask order, pay each its ask.
    std::vector<scalar::Provider> ref = scalar::from_population(pop);
    scalar::compute_asks(ref, index);
    const PriceFormation marginal = scalar::clear(ref, demand);
    double payments = 0.0;
    for (const scalar::Provider& p : ref) payments += p.ask_usd_per_pf_hour * p.used_pf;
    EXPECT_NEAR(bid.payments_usd_per_hour, payments, kRelTol * payments) << trial;
    EXPECT_NEAR(bid.price_usd_per_pf_hour, payments / marginal.served_pf,
                kRelTol * bid.price_usd_per_pf_hour);
    // Nobody served is paid above the marginal ask, so the mean paid is at most it.
    EXPECT_LE(bid.price_usd_per_pf_hour, clear.price_usd_per_pf_hour * (1 + kRelTol));
  }
}

TEST(PayAsBid, WithoutDemandOrProvidersItPricesLikeClearing) {
  RandomEngine rng(12);
  const ProviderPopulation pop = random_population(rng, 50);
  SupplyWorkspace ws;
  const PriceFormation idle = form(PricingMode::PayAsBid, pop, 1.0, 0.0, ws);
  SupplyWorkspace clear_ws;
  EXPECT_EQ(idle.price_usd_per_pf_hour,
            form(PricingMode::Clearing, pop, 1.0, 0.0, clear_ws).price_usd_per_pf_hour);
  EXPECT_EQ(idle.served_pf, 0.0);
  EXPECT_EQ(idle.payments_usd_per_hour, 0.0);

  const ProviderPopulation none;
  SupplyWorkspace empty_ws;
  const PriceFormation nothing = form(PricingMode::PayAsBid, none, 1.0, 3.0, empty_ws);
  EXPECT_TRUE(std::isnan(nothing.price_usd_per_pf_hour));
  EXPECT_EQ(nothing.unserved_pf, 3.0);
  MarketplaceParams params;
  EXPECT_EQ(pricing_rule(PricingMode::PayAsBid).next_posted_price(1.7, nothing, 3.0, params), 1.7);
}

TEST(PayAsBid, EachProviderEarnsItsOwnAskOnWhatItServes) {
  // Three providers with asks 1.0, 2.0 and 4.0 (no capex, no markup), 1 PF each, demand
  // 1.5 PF: the first full, the second half, the third idle.
  ProviderPopulation pop;
  for (double energy : {1.0, 2.0, 4.0}) pop.add(ProviderAttributes{1.0, energy, 0.0, 0.0}, 0.0);
  SupplyWorkspace ws;
  const PricingRule& rule = pricing_rule(PricingMode::PayAsBid);
  const PriceFormation f = form(PricingMode::PayAsBid, pop, 1.0, 1.5, ws);
  EXPECT_DOUBLE_EQ(f.payments_usd_per_hour, 1.0 * 1.0 + 2.0 * 0.5);
  EXPECT_DOUBLE_EQ(f.price_usd_per_pf_hour, 2.0 / 1.5);
  EXPECT_DOUBLE_EQ(rule.next_posted_price(9.0, f, 1.5, MarketplaceParams{}), 2.0 / 1.5);

  Receipts receipts;
  receipts.kept_share = 0.9;
  receipts.token_ratio = 1.1;
  receipts.emission_usd_per_pf_hour = 0.25;
  EntryExitParams exit;
  exit.exit_after_ticks = 1;
  // Weight 1: the rolling margin is this tick's margin.
  const SettleResult settled = rule.settle(pop, f, 1.0, receipts, 1.0, exit, ws);
  const auto received = [&](double ask) { return 0.9 * ask * 1.1 + 0.25; };
  EXPECT_NEAR(pop.rolling_margin_usd_per_pf_hour[0], 1.0 * (received(1.0) - 1.0), 1e-15);
  EXPECT_NEAR(pop.rolling_margin_usd_per_pf_hour[1], 0.5 * (received(2.0) - 2.0), 1e-15);
  EXPECT_EQ(pop.rolling_margin_usd_per_pf_hour[2], 0.0);
  EXPECT_EQ(ws.used_pf[0], 1.0);
  EXPECT_EQ(ws.used_pf[1], 0.5);
  EXPECT_EQ(ws.used_pf[2], 0.0);
  // The idle provider's margin is 0, not below the threshold 0: nobody exits.
  EXPECT_FALSE(settled.any_exit);
  EXPECT_NEAR(settled.capacity_weighted_margin,
              pop.rolling_margin_usd_per_pf_hour[0] + pop.rolling_margin_usd_per_pf_hour[1], 1e-15);
}

// Comparative static: the same marketplace (same providers, same entry draws while they
// coincide) under clearing and under pay_as_bid. With asks fixed at cost × markup (bidders
// do not shade their bids), paying each its ask takes away the inframarginal rent: users
// pay less per PF·h and providers' margins are lower. Over several seeds, in every one.
TEST(PayAsBid, PaysLessThanClearingAndLeavesProvidersLessMargin) {
  constexpr int kSeeds = 8;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    double price[2] = {0, 0}, margin[2] = {0, 0};
    const PricingMode modes[2] = {PricingMode::Clearing, PricingMode::PayAsBid};
    for (int m = 0; m < 2; ++m) {
      MarketplaceParams params;
      params.pricing = modes[m];
      params.providers.initial_count = 100;
      RandomEngine rng = make_stream(seed, "pay-as-bid/providers");
      MarketplaceState state = make_marketplace(params, rng);
      const double demand = 0.6 * state.providers.total_capacity_pf();
      for (int t = 0; t < 200; ++t) {
        const MarketplaceTickResult r = marketplace_tick(state, params, demand, 1.0, 1.0, 1.0, rng);
        if (t < 100) continue;
        price[m] += r.price_usd_per_pf_hour / 100;
        margin[m] += r.mean_margin_usd_per_pf_hour / 100;
      }
    }
    EXPECT_LT(price[1], price[0]) << "seed " << seed;
    EXPECT_LT(margin[1], margin[0]) << "seed " << seed;
  }
}

}  // namespace
}  // namespace gpumarket
