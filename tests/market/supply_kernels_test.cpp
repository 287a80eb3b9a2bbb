#include "gpumarket/market/supply_kernels.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "gpumarket/market/hardware_market.hpp"
#include "gpumarket/market/pricing_rule.hpp"
#include "scalar_supply_reference.hpp"

namespace gpumarket {
namespace {

// The pricing rules and the scalar reference evaluate the same formulas; where only the
// order of summations differs (or the rule uses a provider's fraction in use where the
// reference divides used by capacity), they agree to a few ulps. This is the stated
// tolerance. Where both do the very same operations (asks, hence prices), they must be
// bit-identical.
constexpr double kRelTol = 1e-12;

double uniform(RandomEngine& rng, double lo, double hi) {
  return lo + (hi - lo) * boost::random::uniform_01<double>()(rng);
}

void expect_close(double expected, double actual, const char* what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what;
    return;
  }
  EXPECT_NEAR(actual, expected, kRelTol * std::max(1.0, std::abs(expected))) << what;
}

ProviderPopulation random_population(RandomEngine& rng, int n, bool discrete_asks = false) {
  ProviderPopulation pop;
  for (int i = 0; i < n; ++i) {
    ProviderAttributes a;
    a.capacity_pf = uniform(rng, 0.01, 2.0);
    if (discrete_asks) {
      // Few distinct values, so that ties at the marginal ask are common.
      a.energy_usd_per_pf_hour = 0.25 * boost::random::uniform_int_distribution<int>(1, 4)(rng);
      a.capex_usd_per_pf_hour = 0.0;
      a.ask_markup = 0.0;
    } else {
      a.energy_usd_per_pf_hour = uniform(rng, 0.1, 1.5);
      a.capex_usd_per_pf_hour = uniform(rng, 0.1, 1.0);
      a.ask_markup = uniform(rng, 0.0, 0.6);
    }
    pop.add(a, uniform(rng, -0.5, 0.5));
  }
  return pop;
}

MarketplaceParams test_marketplace(PricingMode mode) {
  MarketplaceParams p;
  p.pricing = mode;
  p.providers.initial_count = 200;
  p.entry_exit.exit_after_ticks = 5;
  p.entry_exit.margin_window_h = 12.0;
  p.entry_exit.base_entry_rate_per_day = 20.0;
  p.entry_exit.max_providers = 1000;  // keeps the tests fast when margins are high
  p.platform_fee = 0.1;
  p.emission_tokens_per_day = 50.0;
  return p;
}

// One price formation by a rule, with the workspace it filled.
struct Formed {
  SupplyWorkspace workspace;
  PriceFormation formation;
};

Formed form(PricingMode mode, const ProviderPopulation& pop, double posted_price,
            double hardware_index, double demand_pf) {
  Formed out;
  out.workspace.resize(pop.size());
  out.formation = pricing_rule(mode).form(pop, posted_price, hardware_index, demand_pf,
                                          MarketplaceParams{}, out.workspace);
  return out;
}

// The asks of the model: the clearing rule's stored asks (dynamic_fee computes the same
// ones in the same pass without storing them).
Eigen::ArrayXd model_asks(const ProviderPopulation& pop, double hardware_index) {
  return form(PricingMode::Clearing, pop, 0.0, hardware_index, 0.0).workspace.ask_usd_per_pf_hour;
}

// used_i = capacity_i × the allocation's fraction by ask against its price, as
// UniformAllocation documents it.
Eigen::ArrayXd used_by_fractions(const Eigen::ArrayXd& capacity, const Eigen::ArrayXd& ask,
                                 const UniformAllocation& a) {
  Eigen::ArrayXd used(capacity.size());
  for (Eigen::Index i = 0; i < capacity.size(); ++i) {
    double fraction = 0.0;
    if (ask[i] < a.price_usd_per_pf_hour) fraction = a.below;
    if (ask[i] == a.price_usd_per_pf_hour) fraction = a.at;
    used[i] = capacity[i] * fraction;
  }
  return used;
}

// ---------------------------------------------------------------------------------------
// Costs, asks, price formation against the scalar reference

TEST(SupplyKernels, CostsAndAsksMatchTheScalarReference) {
  RandomEngine rng(1);
  for (int trial = 0; trial < 20; ++trial) {
    ProviderPopulation pop = random_population(rng, 1 + trial * 37);
    const double index = uniform(rng, 0.3, 3.0);
    const Formed c = form(PricingMode::Clearing, pop, 0.0, index, 0.5 * pop.total_capacity_pf());
    const Eigen::ArrayXd& ask = c.workspace.ask_usd_per_pf_hour;
    ASSERT_EQ(ask.size(), pop.size());
    std::vector<scalar::Provider> ref = scalar::from_population(pop);
    scalar::compute_asks(ref, index);
    double capacity = 0.0;
    for (size_t i = 0; i < ref.size(); ++i) {
      // (energy + capex × index) × (1 + markup) in the same order: bit-identical.
      EXPECT_EQ(ref[i].ask_usd_per_pf_hour, ask[static_cast<Eigen::Index>(i)]) << i;
      capacity += ref[i].capacity_pf;
    }
    expect_close(capacity, c.formation.capacity_pf, "capacity");
    EXPECT_EQ(c.formation.offered_capacity_pf, c.formation.capacity_pf);  // clearing offers all
    // Without a markup the ask is the marginal cost, energy + capex × index.
    pop.ask_markup.setZero();
    const Eigen::ArrayXd cost = model_asks(pop, index);
    for (size_t i = 0; i < ref.size(); ++i) {
      EXPECT_EQ(ref[i].cost_usd_per_pf_hour, cost[static_cast<Eigen::Index>(i)]) << i;
    }
  }
}

// Clearing by the rule against the reference's sort: price, totals, and every provider's
// used capacity, both by the allocation's fractions and as settle() stores it.
void expect_clearing_matches_brute_force(const ProviderPopulation& pop, double hardware_index,
                                         double demand) {
  const PricingRule& rule = pricing_rule(PricingMode::Clearing);
  SupplyWorkspace ws;
  ws.resize(pop.size());
  const PriceFormation f = rule.form(pop, 0.0, hardware_index, demand, MarketplaceParams{}, ws);
  std::vector<scalar::Provider> ref = scalar::from_population(pop);
  scalar::compute_asks(ref, hardware_index);
  const PriceFormation g = scalar::clear(ref, demand);
  // The price is one provider's ask, so it must be the very same number.
  if (!pop.empty()) {
    EXPECT_EQ(f.price_usd_per_pf_hour, g.price_usd_per_pf_hour) << demand;
  }
  EXPECT_EQ(ws.uniform.price_usd_per_pf_hour, f.price_usd_per_pf_hour);
  expect_close(g.capacity_pf, f.capacity_pf, "capacity");
  // Served, unserved and the marginal providers' share come from demand − Σ capacity below
  // the price, a difference of sums over up to n providers taken in another order: they
  // agree to the bound on such sums, (n − 1)·ε·Σ capacity, not relative to their own size.
  const double sum_tol =
      static_cast<double>(pop.size()) * std::numeric_limits<double>::epsilon() * g.capacity_pf;
  const auto expect_near_sums = [&](double expected, double actual, const char* what) {
    EXPECT_NEAR(actual, expected, kRelTol * std::max(1.0, std::abs(expected)) + sum_tol) << what;
  };
  expect_near_sums(g.served_pf, f.served_pf, "served");
  expect_near_sums(g.unserved_pf, f.unserved_pf, "unserved");
  EXPECT_NEAR(f.payments_usd_per_hour, g.payments_usd_per_hour,
              kRelTol * std::max(1.0, g.payments_usd_per_hour) + g.price_usd_per_pf_hour * sum_tol)
      << "payments";
  const Eigen::ArrayXd by_fraction =
      used_by_fractions(pop.capacity_pf, ws.ask_usd_per_pf_hour, ws.uniform);
  ProviderPopulation settled = pop;
  rule.settle(settled, f, hardware_index, Receipts{}, 0.5, EntryExitParams{}, ws);
  ASSERT_EQ(ws.used_pf.size(), pop.size());
  for (size_t i = 0; i < ref.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    expect_near_sums(ref[i].used_pf, by_fraction[k], "used");
    EXPECT_EQ(by_fraction[k], ws.used_pf[k]);  // capacity × fraction either way
    EXPECT_LE(ws.used_pf[k], pop.capacity_pf[k]);
    EXPECT_GE(ws.used_pf[k], 0.0);
  }
  expect_near_sums(f.served_pf, ws.used_pf.sum(), "served = sum of used");
}

TEST(SupplyKernels, MeritOrderClearingEqualsBruteForceOnRandomSupplyCurves) {
  RandomEngine rng(2);
  for (int trial = 0; trial < 200; ++trial) {
    // Every 20th curve has more than a thousand providers, where the rule narrows the
    // candidates before its quickselect.
    const int n = trial % 20 == 0 ? 1025 + static_cast<int>(uniform(rng, 0, 4000))
                                  : 1 + static_cast<int>(uniform(rng, 0, 400));
    const ProviderPopulation pop = random_population(rng, n, trial % 3 == 0);
    const double index = uniform(rng, 0.5, 2.0);
    const double total = pop.total_capacity_pf();
    for (double fraction : {0.0, 0.01, uniform(rng, 0, 1), uniform(rng, 0, 1), 0.999, 1.0, 1.5}) {
      expect_clearing_matches_brute_force(pop, index, fraction * total);
    }
  }
}

// The rule's formation and each provider's used capacity (settle() stores it).
PriceFormation clear_with_rule(const ProviderPopulation& pop, double demand, Eigen::ArrayXd& used) {
  const PricingRule& rule = pricing_rule(PricingMode::Clearing);
  SupplyWorkspace ws;
  ws.resize(pop.size());
  const PriceFormation f = rule.form(pop, 0.0, 1.0, demand, MarketplaceParams{}, ws);
  ProviderPopulation settled = pop;
  rule.settle(settled, f, 1.0, Receipts{}, 0.5, EntryExitParams{}, ws);
  used = ws.used_pf;
  return f;
}

TEST(SupplyKernels, ClearingEdgeCasesAreDocumentedOnes) {
  ProviderPopulation pop;
  pop.add({1.0, 1.0, 0.0, 0.0});
  pop.add({2.0, 3.0, 0.0, 0.0});
  pop.add({1.0, 2.0, 0.0, 0.0});
  Eigen::ArrayXd used;

  PriceFormation f = clear_with_rule(pop, 0.0, used);
  EXPECT_EQ(f.price_usd_per_pf_hour, 1.0);  // no demand: the lowest ask
  EXPECT_EQ(f.served_pf, 0.0);
  EXPECT_EQ(f.unserved_pf, 0.0);
  EXPECT_EQ(used.sum(), 0.0);

  f = clear_with_rule(pop, 1.5, used);
  EXPECT_EQ(f.price_usd_per_pf_hour, 2.0);  // the second-cheapest is marginal
  EXPECT_DOUBLE_EQ(used[0], 1.0);
  EXPECT_DOUBLE_EQ(used[2], 0.5);
  EXPECT_EQ(used[1], 0.0);
  EXPECT_DOUBLE_EQ(f.served_pf, 1.5);
  EXPECT_EQ(f.unserved_pf, 0.0);

  f = clear_with_rule(pop, 2.0, used);
  EXPECT_EQ(f.price_usd_per_pf_hour, 2.0);  // exactly covered by the two cheapest
  EXPECT_EQ(used[0], 1.0);
  EXPECT_EQ(used[2], 1.0);
  EXPECT_EQ(used[1], 0.0);

  f = clear_with_rule(pop, 10.0, used);
  EXPECT_EQ(f.price_usd_per_pf_hour, 3.0);  // excess demand: the highest ask, all full
  EXPECT_DOUBLE_EQ(f.served_pf, 4.0);
  EXPECT_DOUBLE_EQ(f.unserved_pf, 6.0);
  EXPECT_DOUBLE_EQ(f.payments_usd_per_hour, 12.0);
  EXPECT_TRUE((used == pop.capacity_pf).all());

  const ProviderPopulation none;
  f = clear_with_rule(none, 1.0, used);
  EXPECT_TRUE(std::isnan(f.price_usd_per_pf_hour));
  EXPECT_EQ(f.served_pf, 0.0);
  EXPECT_EQ(f.unserved_pf, 1.0);
  EXPECT_EQ(f.capacity_pf, 0.0);
  EXPECT_EQ(used.size(), 0);
}

TEST(SupplyKernels, TiesAtTheMarginalAskShareInProportionToCapacity) {
  ProviderPopulation pop;
  pop.add({1.0, 1.0, 0.0, 0.0});
  pop.add({1.0, 2.0, 0.0, 0.0});
  pop.add({3.0, 2.0, 0.0, 0.0});
  Eigen::ArrayXd used;
  const PriceFormation f = clear_with_rule(pop, 3.0, used);
  EXPECT_EQ(f.price_usd_per_pf_hour, 2.0);
  // Two PF left for four PF at the marginal ask: each of those serves half its capacity.
  EXPECT_DOUBLE_EQ(used[0], 1.0);
  EXPECT_DOUBLE_EQ(used[1], 0.5);
  EXPECT_DOUBLE_EQ(used[2], 1.5);
}

TEST(SupplyKernels, PostedPriceAllocationMatchesTheScalarReference) {
  RandomEngine rng(3);
  int none_offered = 0;
  int partly_filled = 0;
  int all_filled = 0;
  for (int trial = 0; trial < 100; ++trial) {
    const ProviderPopulation pop = random_population(rng, 1 + trial * 5);
    const double index = uniform(rng, 0.5, 2.0);
    // Down to 0, below every ask, so that the case with nothing offered occurs.
    const double price = trial % 10 == 0 ? 0.0 : uniform(rng, 0.2, 3.5);
    const double demand = uniform(rng, 0.0, 1.2) * pop.total_capacity_pf();
    const Formed d = form(PricingMode::DynamicFee, pop, price, index, demand);
    const PriceFormation& f = d.formation;
    std::vector<scalar::Provider> ref = scalar::from_population(pop);
    scalar::compute_asks(ref, index);
    const PriceFormation g = scalar::allocate_posted(ref, price, demand);
    EXPECT_EQ(f.price_usd_per_pf_hour, price);  // the posted price is the price
    expect_close(g.capacity_pf, f.capacity_pf, "capacity");
    expect_close(g.offered_capacity_pf, f.offered_capacity_pf, "offered");
    expect_close(g.served_pf, f.served_pf, "served");
    expect_close(g.unserved_pf, f.unserved_pf, "unserved");
    expect_close(g.payments_usd_per_hour, f.payments_usd_per_hour, "payments");
    // Every eligible provider (ask ≤ price) fills the same fraction of its capacity.
    const UniformAllocation& a = d.workspace.uniform;
    EXPECT_EQ(a.price_usd_per_pf_hour, price);
    EXPECT_EQ(a.below, a.at);
    const double fill =
        g.offered_capacity_pf > 0.0 ? std::min(1.0, demand / g.offered_capacity_pf) : 0.0;
    expect_close(fill, a.below, "fill");
    const Eigen::ArrayXd ask = model_asks(pop, index);
    const Eigen::ArrayXd used = used_by_fractions(pop.capacity_pf, ask, a);
    for (size_t i = 0; i < ref.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      expect_close(ref[i].used_pf, used[k], "used");
      EXPECT_LE(used[k], pop.capacity_pf[k]);
      if (ask[k] > price) {
        EXPECT_EQ(used[k], 0.0);
      }
    }
    none_offered += f.offered_capacity_pf == 0.0;
    partly_filled += a.below > 0.0 && a.below < 1.0;
    all_filled += a.below == 1.0;
  }
  // The cases the rule distinguishes all occurred.
  EXPECT_GT(none_offered, 0);
  EXPECT_GT(partly_filled, 0);
  EXPECT_GT(all_filled, 0);
}

// ---------------------------------------------------------------------------------------
// The posted price for the next tick

TEST(PricingRule, ClearingPostsItsClearingPriceAndKeepsThePostedOneWithoutProviders) {
  const MarketplaceParams params = test_marketplace(PricingMode::Clearing);
  const PricingRule& rule = pricing_rule(PricingMode::Clearing);
  RandomEngine rng(31);
  for (int trial = 0; trial < 50; ++trial) {
    const ProviderPopulation pop = random_population(rng, 1 + trial * 7, trial % 2 == 0);
    const double demand = uniform(rng, 0.0, 1.3) * pop.total_capacity_pf();
    const double posted = uniform(rng, 0.1, 5.0);
    const Formed c = form(PricingMode::Clearing, pop, posted, 1.0, demand);
    std::vector<scalar::Provider> ref = scalar::from_population(pop);
    scalar::compute_asks(ref, 1.0);
    const PriceFormation g = scalar::clear(ref, demand);
    const double next = rule.next_posted_price(posted, c.formation, demand, params);
    EXPECT_EQ(next, c.formation.price_usd_per_pf_hour);
    EXPECT_EQ(next, scalar::next_posted_price(PricingMode::Clearing, posted, g, demand,
                                              params.dynamic_fee));
  }
  const Formed empty = form(PricingMode::Clearing, ProviderPopulation{}, 1.7, 1.0, 2.0);
  ASSERT_TRUE(std::isnan(empty.formation.price_usd_per_pf_hour));
  EXPECT_EQ(rule.next_posted_price(1.7, empty.formation, 2.0, params), 1.7);
}

TEST(PricingRule, DynamicFeePostsTheControllersStepAtServedOverOffered) {
  MarketplaceParams params = test_marketplace(PricingMode::DynamicFee);
  const DynamicFeeParams& fee = params.dynamic_fee;
  const PricingRule& rule = pricing_rule(PricingMode::DynamicFee);
  RandomEngine rng(32);
  for (int trial = 0; trial < 200; ++trial) {
    const ProviderPopulation pop = random_population(rng, 1 + trial * 3);
    const double index = uniform(rng, 0.5, 2.0);
    const double posted = uniform(rng, 0.3, 4.0);
    const double demand = uniform(rng, 0.0, 1.2) * pop.total_capacity_pf();
    const Formed d = form(PricingMode::DynamicFee, pop, posted, index, demand);
    std::vector<scalar::Provider> ref = scalar::from_population(pop);
    scalar::compute_asks(ref, index);
    const PriceFormation g = scalar::allocate_posted(ref, posted, demand);
    const double next = rule.next_posted_price(posted, d.formation, demand, params);
    expect_close(scalar::next_posted_price(PricingMode::DynamicFee, posted, g, demand, fee), next,
                 "next posted price");
    double u = 0.0;
    if (demand > 0.0) {
      u = g.offered_capacity_pf > 0.0 ? std::min(1.0, g.served_pf / g.offered_capacity_pf) : 1.0;
    }
    expect_close(u, dynamic_fee_utilisation(d.formation, demand), "utilisation");
  }
  // No demand: utilisation 0, the price falls by d (u* = 0.7 ≥ 1/2, no clamp).
  ProviderPopulation pop;
  pop.add({1.0, 1.0, 0.0, 0.0});
  pop.add({1.0, 2.0, 0.0, 0.0});
  Formed d = form(PricingMode::DynamicFee, pop, 1.5, 1.0, 0.0);
  EXPECT_EQ(dynamic_fee_utilisation(d.formation, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(rule.next_posted_price(1.5, d.formation, 0.0, params),
                   1.5 * (1.0 - fee.adjustment));
  // Posted below every ask with demand: nothing offered, utilisation 1, the price rises.
  d = form(PricingMode::DynamicFee, pop, 0.5, 1.0, 1.0);
  EXPECT_EQ(d.formation.offered_capacity_pf, 0.0);
  EXPECT_EQ(d.formation.served_pf, 0.0);
  EXPECT_EQ(d.formation.unserved_pf, 1.0);
  EXPECT_EQ(dynamic_fee_utilisation(d.formation, 1.0), 1.0);
  const double rise = fee.adjustment * (1.0 - fee.target_utilisation) / fee.target_utilisation;
  EXPECT_DOUBLE_EQ(rule.next_posted_price(0.5, d.formation, 1.0, params), 0.5 * (1.0 + rise));
  // Half the offered capacity in use (the cheaper provider alone is eligible at 1.5).
  d = form(PricingMode::DynamicFee, pop, 1.5, 1.0, 0.5);
  EXPECT_DOUBLE_EQ(dynamic_fee_utilisation(d.formation, 0.5), 0.5);
  const double step = fee.adjustment * (0.5 - fee.target_utilisation) / fee.target_utilisation;
  EXPECT_DOUBLE_EQ(rule.next_posted_price(1.5, d.formation, 0.5, params), 1.5 * (1.0 + step));
}

// ---------------------------------------------------------------------------------------
// EIP-1559

TEST(DynamicFee, UpdateEqualsTheFormulaExactly) {
  RandomEngine rng(4);
  for (int trial = 0; trial < 1000; ++trial) {
    DynamicFeeParams p;
    p.target_utilisation = uniform(rng, 0.5, 1.0);
    p.adjustment = uniform(rng, 0.01, 0.125);
    p.floor_usd_per_pf_hour = 0.0;
    p.ceiling_usd_per_pf_hour = 1e9;
    const double price = uniform(rng, 0.1, 10.0);
    const double u = uniform(rng, 0.0, 1.0);
    const double expected =
        price * (1.0 + p.adjustment * (u - p.target_utilisation) / p.target_utilisation);
    EXPECT_EQ(dynamic_fee_update(price, u, p), expected);
    EXPECT_EQ(dynamic_fee_update(price, u, p), scalar::fee_update(price, u, p));
  }
}

TEST(DynamicFee, ChangeIsBoundedByDAndPriceByFloorAndCeiling) {
  DynamicFeeParams p;
  p.target_utilisation = 0.25;  // u/u* up to 4: only the clamp keeps the step within d
  p.adjustment = 0.125;
  EXPECT_DOUBLE_EQ(dynamic_fee_update(2.0, 1.0, p), 2.0 * 1.125);
  EXPECT_DOUBLE_EQ(dynamic_fee_update(2.0, 0.0, p), 2.0 * 0.875);
  EXPECT_EQ(dynamic_fee_update(p.ceiling_usd_per_pf_hour, 1.0, p), p.ceiling_usd_per_pf_hour);
  EXPECT_EQ(dynamic_fee_update(p.floor_usd_per_pf_hour, 0.0, p), p.floor_usd_per_pf_hour);
}

TEST(DynamicFee, SustainedExcessDemandRaisesThePriceByAtMostTheBoundPerTick) {
  MarketplaceParams params = test_marketplace(PricingMode::DynamicFee);
  params.dynamic_fee.target_utilisation = 0.5;  // Ethereum's target: full blocks give +d
  params.dynamic_fee.initial_price_usd_per_pf_hour = 0.1;
  params.dynamic_fee.ceiling_usd_per_pf_hour = 1e9;
  params.entry_exit.base_entry_rate_per_day = 0.0;
  params.entry_exit.exit_after_ticks = 1'000'000;
  RandomEngine rng(5);
  MarketplaceState state = make_marketplace(params, rng);
  const double d = params.dynamic_fee.adjustment;
  double previous = state.posted_price_usd_per_pf_hour;
  for (int tick = 0; tick < 100; ++tick) {  // 0.1 × 1.125^100 stays below the ceiling
    const double demand = 10.0 * state.providers.total_capacity_pf();
    const MarketplaceTickResult r = marketplace_tick(state, params, demand, 1.0, 1.0, 1.0, rng);
    EXPECT_LE(r.used_pf, r.capacity_pf);
    const double next = state.posted_price_usd_per_pf_hour;
    EXPECT_GT(next, previous);
    EXPECT_LE(next / previous, 1.0 + d + 1e-15);
    EXPECT_NEAR(next / previous, 1.0 + d, 1e-12);  // u = 1 = 2u*: exactly +d
    previous = next;
  }
}

// ---------------------------------------------------------------------------------------
// Margins, entry and exit

// Ticks of form() and settle() by the rule against the reference's allocation, margins
// (from used / capacity) and rolling update, with receipts that vary from tick to tick.
void expect_settle_matches_the_scalar_reference(PricingMode mode, uint64_t seed) {
  const PricingRule& rule = pricing_rule(mode);
  RandomEngine rng(seed);
  EntryExitParams ee;
  ee.exit_after_ticks = 3;
  int exiting = 0;
  int staying = 0;
  for (int trial = 0; trial < 50; ++trial) {
    ProviderPopulation pop = random_population(rng, 1 + trial * 11, trial % 3 == 0);
    std::vector<scalar::Provider> ref = scalar::from_population(pop);
    const double index = uniform(rng, 0.5, 2.0);
    const double w = rolling_margin_weight(1.0, 24.0);
    SupplyWorkspace ws;
    ArrayXb exit(pop.size());
    for (int step = 0; step < 4; ++step) {
      const double demand = uniform(rng, 0.0, 1.2) * pop.total_capacity_pf();
      const double posted = uniform(rng, 0.5, 3.0);
      Receipts receipts;
      receipts.kept_share = uniform(rng, 0.7, 1.0);
      receipts.token_ratio = uniform(rng, 0.8, 1.25);
      receipts.emission_usd_per_pf_hour = uniform(rng, 0.0, 0.5);
      ws.resize(pop.size());
      const PriceFormation f = rule.form(pop, posted, index, demand, MarketplaceParams{}, ws);
      const SettleResult s = rule.settle(pop, f, index, receipts, w, ee, ws);
      exit_mask(pop.negative_margin_ticks, ee, exit);
      EXPECT_EQ(s.any_exit, exit.any());

      scalar::compute_asks(ref, index);
      const PriceFormation g = mode == PricingMode::Clearing
                                   ? scalar::clear(ref, demand)
                                   : scalar::allocate_posted(ref, posted, demand);
      scalar::margins(ref, index, scalar::received(g, receipts));
      scalar::roll(ref, w, ee.exit_threshold_usd_per_pf_hour);

      for (size_t i = 0; i < ref.size(); ++i) {
        const auto k = static_cast<Eigen::Index>(i);
        expect_close(ref[i].rolling_margin_usd_per_pf_hour, pop.rolling_margin_usd_per_pf_hour[k],
                     "rolling");
        ASSERT_EQ(ref[i].negative_margin_ticks, pop.negative_margin_ticks[k]) << trial << " " << i;
        EXPECT_EQ(ref[i].negative_margin_ticks >= 3, exit[k]);
      }
      // A sum of n terms in another order: n ulps of the terms' magnitude.
      double magnitude = 0.0;
      for (const scalar::Provider& p : ref) {
        magnitude += std::abs(p.capacity_pf * p.rolling_margin_usd_per_pf_hour);
      }
      EXPECT_NEAR(s.capacity_weighted_margin, scalar::capacity_weighted_margin(ref),
                  kRelTol * std::max(1.0, magnitude));
    }
    exiting += static_cast<int>(exit.count());
    staying += static_cast<int>(pop.size() - exit.count());
  }
  // The comparison of counts is only meaningful if both outcomes occurred.
  EXPECT_GT(exiting, 0);
  EXPECT_GT(staying, 0);
}

TEST(SupplyKernels, ClearingMarginsAndRollingUpdateMatchTheScalarReference) {
  expect_settle_matches_the_scalar_reference(PricingMode::Clearing, 6);
}

TEST(SupplyKernels, DynamicFeeMarginsAndRollingUpdateMatchTheScalarReference) {
  expect_settle_matches_the_scalar_reference(PricingMode::DynamicFee, 16);
}

// Against closed forms: a provider serving nothing earns nothing and pays its capacity
// cost; a full one receives the price net of the fee, converted at the token's move, plus
// emissions, and pays its energy on top.
TEST(SupplyKernels, SettleCreditsReceiptsForWorkServedOnly) {
  ProviderPopulation pop;
  pop.add({1.0, 0.4, 0.3, 0.0}, 0.2);  // ask 0.4 + 0.3 × 1.5 = 0.85
  pop.add({2.0, 1.0, 0.2, 0.0}, 0.0);  // ask 1.0 + 0.2 × 1.5 = 1.3
  const double index = 1.5;
  Receipts receipts;
  receipts.kept_share = 0.9;
  receipts.token_ratio = 1.1;
  receipts.emission_usd_per_pf_hour = 0.25;
  EntryExitParams ee;
  ee.exit_after_ticks = 1;
  const double w = 0.25;
  for (PricingMode mode : {PricingMode::Clearing, PricingMode::DynamicFee}) {
    const PricingRule& rule = pricing_rule(mode);
    // Demand 0.5 PF: the cheaper provider alone serves (clearing at its ask, 0.85; posted
    // 1.0, where only it is eligible), half of its capacity.
    ProviderPopulation p = pop;
    SupplyWorkspace ws;
    ws.resize(p.size());
    const PriceFormation f = rule.form(p, 1.0, index, 0.5, MarketplaceParams{}, ws);
    const double price = mode == PricingMode::Clearing ? 0.85 : 1.0;
    EXPECT_DOUBLE_EQ(f.price_usd_per_pf_hour, price);
    EXPECT_DOUBLE_EQ(f.served_pf, 0.5);
    const SettleResult s = rule.settle(p, f, index, receipts, w, ee, ws);
    const double received = 0.9 * price * 1.1 + 0.25;
    const double margin0 = 0.5 * (received - 0.4) - 0.3 * index;
    const double margin1 = -0.2 * index;  // nothing served, capacity cost only
    const double rolling0 = 0.2 + w * (margin0 - 0.2);
    const double rolling1 = 0.0 + w * (margin1 - 0.0);
    EXPECT_NEAR(p.rolling_margin_usd_per_pf_hour[0], rolling0, 1e-15);
    EXPECT_NEAR(p.rolling_margin_usd_per_pf_hour[1], rolling1, 1e-15);
    EXPECT_NEAR(s.capacity_weighted_margin, 1.0 * rolling0 + 2.0 * rolling1, 1e-14);
    ASSERT_GT(rolling0, 0.0);
    ASSERT_LT(rolling1, 0.0);
    EXPECT_EQ(p.negative_margin_ticks[0], 0.0);
    EXPECT_EQ(p.negative_margin_ticks[1], 1.0);
    EXPECT_TRUE(s.any_exit);

    // No demand: nobody is paid, whatever the receipts; every provider pays its capacity cost.
    p = pop;
    ws.resize(p.size());
    const PriceFormation idle = rule.form(p, 1.0, index, 0.0, MarketplaceParams{}, ws);
    EXPECT_EQ(idle.served_pf, 0.0);
    rule.settle(p, idle, index, receipts, w, ee, ws);
    EXPECT_NEAR(p.rolling_margin_usd_per_pf_hour[0], 0.2 + w * (-0.3 * index - 0.2), 1e-15);
    EXPECT_NEAR(p.rolling_margin_usd_per_pf_hour[1], w * (-0.2 * index), 1e-15);
  }
}

TEST(SupplyKernels, EntryRateGrowsWithTheMeanMargin) {
  EntryExitParams ee;
  EXPECT_DOUBLE_EQ(entry_rate_per_day(ee, 0.0), ee.base_entry_rate_per_day);
  EXPECT_LT(entry_rate_per_day(ee, -1.0), entry_rate_per_day(ee, 0.0));
  EXPECT_GT(entry_rate_per_day(ee, 1.0), entry_rate_per_day(ee, 0.5));
}

TEST(SupplyKernels, EntrantCountsArePoissonWithTheEntryRate) {
  MarketplaceParams params = test_marketplace(PricingMode::Clearing);
  params.entry_exit.base_entry_rate_per_day = 3.0;
  RandomEngine rng(7);
  std::vector<ProviderAttributes> entrants;
  const int n = 20000;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    const int64_t count = draw_entrants(params, 0, 0.25, {}, 24.0, rng, entrants).entrants;
    ASSERT_EQ(count, static_cast<int64_t>(entrants.size()));
    sum += static_cast<double>(count);
  }
  const double lambda = 3.0 * std::exp(2.0 * 0.25);
  EXPECT_NEAR(sum / n, lambda, 3.0 * std::sqrt(lambda / n));
  params.entry_exit.max_providers = 10;
  for (int i = 0; i < 100; ++i) {
    EXPECT_LE(draw_entrants(params, 8, 5.0, {}, 24.0, rng, entrants).entrants, 2);
  }
  EXPECT_EQ(draw_entrants(params, 10, 5.0, {}, 24.0, rng, entrants).entrants, 0);
}

// ---------------------------------------------------------------------------------------
// Whole ticks against the scalar reference

void expect_ticks_match(PricingMode mode) {
  const MarketplaceParams params = test_marketplace(mode);
  RandomEngine init(8);
  MarketplaceState state = make_marketplace(params, init);
  scalar::Marketplace ref = scalar::from_state(state);
  RandomEngine rng_vector(9);
  RandomEngine rng_scalar(9);
  RandomEngine drivers(10);
  double token = 1.0;
  int exits = 0;
  int entrants = 0;
  for (int tick = 0; tick < 300; ++tick) {
    const double capacity = state.providers.total_capacity_pf();
    const double demand = uniform(drivers, 0.0, 1.3) * capacity;
    token *= std::exp(uniform(drivers, -0.05, 0.05));
    const double index = uniform(drivers, 0.8, 1.6);
    const MarketplaceTickResult a =
        marketplace_tick(state, params, demand, token, index, 1.0, rng_vector);
    const MarketplaceTickResult b =
        scalar::marketplace_tick(ref, params, demand, token, index, 1.0, rng_scalar);
    expect_close(b.price_usd_per_pf_hour, a.price_usd_per_pf_hour, "price");
    expect_close(b.capacity_pf, a.capacity_pf, "capacity");
    expect_close(b.used_pf, a.used_pf, "used");
    expect_close(b.utilisation, a.utilisation, "utilisation");
    expect_close(b.payments_usd, a.payments_usd, "payments");
    expect_close(b.fees_usd, a.fees_usd, "fees");
    expect_close(b.provider_revenue_usd, a.provider_revenue_usd, "revenue");
    expect_close(b.mean_margin_usd_per_pf_hour, a.mean_margin_usd_per_pf_hour, "mean margin");
    ASSERT_EQ(b.provider_count, a.provider_count) << "tick " << tick;
    ASSERT_EQ(b.exits, a.exits);
    ASSERT_EQ(b.entrants, a.entrants);
    EXPECT_LE(a.used_pf, a.capacity_pf);
    expect_close(ref.posted_price_usd_per_pf_hour, state.posted_price_usd_per_pf_hour, "posted");
    exits += static_cast<int>(a.exits);
    entrants += static_cast<int>(a.entrants);
  }
  for (size_t i = 0; i < ref.providers.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    EXPECT_EQ(ref.providers[i].capacity_pf, state.providers.capacity_pf[k]);
    expect_close(ref.providers[i].rolling_margin_usd_per_pf_hour,
                 state.providers.rolling_margin_usd_per_pf_hour[k], "rolling");
    EXPECT_EQ(ref.providers[i].negative_margin_ticks, state.providers.negative_margin_ticks[k]);
  }
  // The comparison is only meaningful if entry and exit both happened.
  EXPECT_GT(exits, 0);
  EXPECT_GT(entrants, 0);
}

TEST(MarketplaceTick, ClearingTicksMatchTheScalarReference) {
  expect_ticks_match(PricingMode::Clearing);
}

TEST(MarketplaceTick, DynamicFeeTicksMatchTheScalarReference) {
  expect_ticks_match(PricingMode::DynamicFee);
}

TEST(MarketplaceTick, LargePopulationsClearAtTheScalarReferencesPrice) {
  // Above a thousand providers the tick narrows the candidates before selecting; ties
  // (discrete asks) must not stop it from finding the same marginal ask.
  for (const bool discrete : {false, true}) {
    for (const int n : {1025, 5001, 20000}) {
      RandomEngine population_rng(21);
      const ProviderPopulation pop = random_population(population_rng, n, discrete);
      for (const double fraction : {0.001, 0.3, 0.5, 0.77, 0.999}) {
        MarketplaceParams params = test_marketplace(PricingMode::Clearing);
        params.entry_exit.base_entry_rate_per_day = 0.0;
        MarketplaceState state;
        state.providers = pop;
        scalar::Marketplace ref = scalar::from_state(state);
        const double demand = fraction * pop.total_capacity_pf();
        RandomEngine rng_vector(3);
        RandomEngine rng_scalar(3);
        const MarketplaceTickResult a =
            marketplace_tick(state, params, demand, 1.0, 1.2, 1.0, rng_vector);
        const MarketplaceTickResult b =
            scalar::marketplace_tick(ref, params, demand, 1.0, 1.2, 1.0, rng_scalar);
        EXPECT_EQ(b.price_usd_per_pf_hour, a.price_usd_per_pf_hour) << n << " " << fraction;
        expect_close(b.used_pf, a.used_pf, "used");
        expect_close(b.mean_margin_usd_per_pf_hour, a.mean_margin_usd_per_pf_hour, "mean margin");
      }
    }
  }
}

TEST(MarketplaceTick, CapacityInUseNeverExceedsCapacity) {
  for (PricingMode mode : {PricingMode::Clearing, PricingMode::DynamicFee}) {
    const MarketplaceParams params = test_marketplace(mode);
    RandomEngine rng(11);
    MarketplaceState state = make_marketplace(params, rng);
    for (int tick = 0; tick < 2000; ++tick) {
      const double demand = uniform(rng, 0.0, 3.0) * state.providers.total_capacity_pf();
      const MarketplaceTickResult r = marketplace_tick(state, params, demand, 1.0, 1.0, 1.0, rng);
      ASSERT_LE(r.used_pf, r.capacity_pf);
      ASSERT_GE(r.used_pf, 0.0);
      EXPECT_NEAR(r.used_pf + r.unserved_pf, demand, 1e-9 * std::max(1.0, demand));
      // Money: payments = provider revenue − emissions + fees when the token is unchanged.
      const double emissions = r.used_pf > 0.0 ? params.emission_tokens_per_day / 24.0 : 0.0;
      EXPECT_NEAR(r.payments_usd, r.provider_revenue_usd - emissions + r.fees_usd,
                  1e-9 * std::max(1.0, r.payments_usd));
    }
  }
}

TEST(MarketplaceTick, ProvidersServeNoMoreThanTheirOwnCapacity) {
  const MarketplaceParams params = test_marketplace(PricingMode::Clearing);
  RandomEngine rng(12);
  MarketplaceState state = make_marketplace(params, rng);
  for (int tick = 0; tick < 200; ++tick) {
    const double demand = uniform(rng, 0.0, 2.0) * state.providers.total_capacity_pf();
    const Eigen::ArrayXd capacity_before = state.providers.capacity_pf;
    marketplace_tick(state, params, demand, 1.0, 1.0, 1.0, rng);
    ASSERT_EQ(state.workspace.used_pf.size(), capacity_before.size());
    ASSERT_TRUE((state.workspace.used_pf <= capacity_before).all());
  }
}

// ---------------------------------------------------------------------------------------
// Token price: GBM and Merton jump-diffusion against theory

struct Moments {
  double mean = 0.0;
  double variance = 0.0;
  double mean_se = 0.0;
  double variance_se = 0.0;
};

Moments log_return_moments(const TokenParams& params, double horizon_years, int steps, int paths,
                           uint64_t seed) {
  RandomEngine rng(seed);
  std::vector<double> x(static_cast<size_t>(paths));
  const double dt = horizon_years / steps;
  for (int p = 0; p < paths; ++p) {
    double s = params.initial_usd;
    for (int k = 0; k < steps; ++k) s = token_price_step(s, params, dt, rng);
    x[static_cast<size_t>(p)] = std::log(s / params.initial_usd);
  }
  Moments m;
  for (double v : x) m.mean += v;
  m.mean /= paths;
  double m2 = 0.0;
  double m4 = 0.0;
  for (double v : x) {
    const double c = (v - m.mean) * (v - m.mean);
    m2 += c;
    m4 += c * c;
  }
  m2 /= paths;
  m4 /= paths;
  m.variance = m2 * paths / (paths - 1.0);
  m.mean_se = std::sqrt(m.variance / paths);
  // Standard error of the sample variance for any distribution with a finite 4th moment.
  m.variance_se = std::sqrt((m4 - m2 * m2) / paths);
  return m;
}

TEST(TokenPrice, GbmLogReturnMeanAndVarianceMatchTheory) {
  TokenParams p;
  p.initial_usd = 0.25;
  p.annual_drift = -0.4;
  p.annual_volatility = 0.95;
  p.jumps_per_year = 0.0;
  const double t = 1.0;
  const Moments m = log_return_moments(p, t, 52, 20000, 13);
  const double mean = (p.annual_drift - 0.5 * p.annual_volatility * p.annual_volatility) * t;
  const double variance = p.annual_volatility * p.annual_volatility * t;
  EXPECT_NEAR(m.mean, mean, 3.0 * m.mean_se);
  EXPECT_NEAR(m.variance, variance, 3.0 * m.variance_se);
}

TEST(TokenPrice, MertonLogReturnMeanAndVarianceMatchTheory) {
  TokenParams p;
  p.initial_usd = 1.0;
  p.annual_drift = 0.2;
  p.annual_volatility = 0.6;
  p.jumps_per_year = 17.0;  // calibration §11 bear case
  p.jump_log_mean = -0.05;
  p.jump_log_sd = 0.15;
  const double t = 0.5;
  const Moments m = log_return_moments(p, t, 26, 20000, 14);
  const double k = std::exp(p.jump_log_mean + 0.5 * p.jump_log_sd * p.jump_log_sd) - 1.0;
  const double mean =
      (p.annual_drift - 0.5 * p.annual_volatility * p.annual_volatility - p.jumps_per_year * k) *
          t +
      p.jumps_per_year * t * p.jump_log_mean;
  const double variance =
      p.annual_volatility * p.annual_volatility * t +
      p.jumps_per_year * t * (p.jump_log_sd * p.jump_log_sd + p.jump_log_mean * p.jump_log_mean);
  EXPECT_NEAR(m.mean, mean, 3.0 * m.mean_se);
  EXPECT_NEAR(m.variance, variance, 3.0 * m.variance_se);
}

TEST(TokenPrice, SameSeedGivesTheSamePath) {
  TokenParams p;
  RandomEngine a(15);
  RandomEngine b(15);
  double s = p.initial_usd;
  double r = p.initial_usd;
  for (int i = 0; i < 100; ++i) {
    s = token_price_step(s, p, 1.0 / 365.0, a);
    r = token_price_step(r, p, 1.0 / 365.0, b);
  }
  EXPECT_EQ(s, r);
}

// ---------------------------------------------------------------------------------------
// Alliance pool (the hardware market: hardware_market_test.cpp)

TEST(AlliancePool, PriceIsSubsidisedUnitCost) {
  AlliancePoolParams p;
  p.capex_usd_per_pf = 87'600.0;
  p.hardware_life_years = 2.0;  // 5 USD per PF·h of amortisation
  p.energy_usd_per_pf_hour = 1.0;
  p.subsidy_rate = 0.25;
  EXPECT_DOUBLE_EQ(alliance_price_usd_per_pf_hour(p, 1.0, 1.0, p.subsidy_rate), 6.0 * 0.75);
  EXPECT_DOUBLE_EQ(alliance_price_usd_per_pf_hour(p, 2.0, 1.0, p.subsidy_rate), 11.0 * 0.75);
  EXPECT_DOUBLE_EQ(alliance_cost_usd_per_pf_hour(p, 2.0), 11.0);
  // The utilisation-targeting factor scales the subsidised cost; without subsidy it is the cost.
  EXPECT_DOUBLE_EQ(alliance_price_usd_per_pf_hour(p, 1.0, 0.5, p.subsidy_rate), 6.0 * 0.5 * 0.75);
  EXPECT_DOUBLE_EQ(alliance_price_usd_per_pf_hour(p, 1.0, 1.0, 0.0), 6.0);
}

TEST(AlliancePool, HigherSubsidyLowersThePrice) {
  AlliancePoolParams p;
  double previous = alliance_price_usd_per_pf_hour(p, 1.0, 1.0, p.subsidy_rate);
  for (double s : {0.4, 0.5, 0.7, 0.9, 0.99}) {
    p.subsidy_rate = s;
    const double price = alliance_price_usd_per_pf_hour(p, 1.0, 1.0, p.subsidy_rate);
    EXPECT_LT(price, previous);
    previous = price;
  }
}

TEST(AlliancePool, CapacityFollowsTheRamp) {
  AlliancePoolParams p;
  p.capacity_ramp = {{Date::from_ymd(2026, 1, 11), 0.0},
                     {Date::from_ymd(2026, 1, 21), 100.0},
                     {Date::from_ymd(2026, 1, 31), 150.0}};
  const Date start = Date::from_ymd(2026, 1, 1);
  EXPECT_EQ(alliance_capacity_pf(p, start, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(alliance_capacity_pf(p, start, 15 * 24.0), 50.0);
  EXPECT_DOUBLE_EQ(alliance_capacity_pf(p, start, 25 * 24.0), 125.0);
  EXPECT_DOUBLE_EQ(alliance_capacity_pf(p, start, 400 * 24.0), 150.0);
  EXPECT_DOUBLE_EQ(alliance_purchase_rate_pf_per_year(p, start, 15 * 24.0), 10.0 * 365.0);
  EXPECT_EQ(alliance_purchase_rate_pf_per_year(p, start, 400 * 24.0), 0.0);
}

// ---------------------------------------------------------------------------------------
// Comparative statics over many ticks

struct RunSummary {
  double final_capacity_pf = 0.0;
  double mean_capacity_pf = 0.0;  // over the second half
  double mean_margin = 0.0;       // over the second half
  double mean_count = 0.0;        // over the second half
  double cost_first_tick = 0.0;   // capacity-weighted mean marginal cost
  double cost_last_tick = 0.0;
};

constexpr uint64_t kSeeds = 20;

// A dynamic-fee marketplace squeezed by a subsidised competitor: users will not pay more
// than the competitor's price, so the ceiling is that price. Daily ticks.
MarketplaceParams squeezed_marketplace() {
  MarketplaceParams p;
  p.pricing = PricingMode::DynamicFee;
  p.providers.initial_count = 60;
  p.dynamic_fee.initial_price_usd_per_pf_hour = 1.6;
  p.dynamic_fee.ceiling_usd_per_pf_hour = 1.8;
  p.entry_exit.margin_window_h = 24.0 * 30;
  p.entry_exit.exit_after_ticks = 30;
  p.entry_exit.base_entry_rate_per_day = 1.0;
  p.emission_tokens_per_day = 40.0;  // USD-valued through the token: the drift matters
  p.token.initial_usd = 1.0;
  return p;
}

// The providers' hardware segment: supply slow to follow demand (τ = 20 years) and inelastic
// (ε = 0.25), so that pool purchases of `purchase_share` × world demand keep the index above
// its trend by about (1 + share)^4 over the run.
HardwareSegmentParams slow_segment() {
  HardwareSegmentParams hw;
  hw.world_demand_pf_per_year = 1e6;
  hw.pool_share = 1.0;
  hw.supply_lag = Duration::days(int64_t{20} * 365);
  hw.supply_elasticity = 0.25;
  return hw;
}

RunSummary run_squeezed(const MarketplaceParams& params, double purchase_share, double years,
                        uint64_t seed) {
  // Both runs of a comparison share their random numbers (common random numbers), so
  // the difference between them is the parameter's effect, not noise.
  RandomEngine market_rng = make_stream(seed, "market");
  RandomEngine token_rng = make_stream(seed, "token");
  MarketplaceState state = make_marketplace(params, market_rng);
  const HardwareSegmentParams hw = slow_segment();
  const double purchase = purchase_share * hw.world_demand_pf_per_year;
  HardwareSegmentState segment{hw.initial, hw.world_demand_pf_per_year, hw.world_demand_pf_per_year,
                               hw.initial};
  double index = hw.initial;
  double token = params.token.initial_usd;
  const double tick_h = 24.0;
  const int ticks = static_cast<int>(years * 365);
  RunSummary s;
  auto mean_cost = [&]() {
    const Eigen::ArrayXd cost =
        state.providers.energy_usd_per_pf_hour + state.providers.capex_usd_per_pf_hour * index;
    return (cost * state.providers.capacity_pf).sum() / state.providers.total_capacity_pf();
  };
  s.cost_first_tick = mean_cost();
  int counted = 0;
  for (int t = 0; t < ticks; ++t) {
    const double demand = 0.6 * 60 * 0.09;  // fixed, ~60 % of the initial capacity
    const MarketplaceTickResult r =
        marketplace_tick(state, params, demand, token, index, tick_h, market_rng);
    hardware_segment_step(segment, hw, purchase, tick_h / kHoursPerYear);
    index = segment.index;
    token = token_price_step(token, params.token, tick_h / kHoursPerYear, token_rng);
    if (t >= ticks / 2) {
      s.mean_capacity_pf += r.capacity_pf;
      s.mean_margin += r.mean_margin_usd_per_pf_hour;
      s.mean_count += static_cast<double>(r.provider_count);
      ++counted;
    }
    if (state.providers.empty()) break;
  }
  s.cost_last_tick = state.providers.empty() ? 0.0 : mean_cost();
  s.final_capacity_pf = state.providers.total_capacity_pf();
  s.mean_capacity_pf /= std::max(counted, 1);
  s.mean_margin /= std::max(counted, 1);
  s.mean_count /= std::max(counted, 1);
  return s;
}

TEST(ComparativeStatics, PoolPurchasesInTheProvidersSegmentRaiseCostsAndLowerProviderCount) {
  const MarketplaceParams params = squeezed_marketplace();
  // Same providers at time 0, different index after: the coupled market pays more. Without
  // a markup the asks the clearing rule stores are the marginal costs.
  ProviderPopulation pop;
  for (int i = 0; i < 3; ++i) pop.add({1.0, 0.5, 0.4, 0.0});
  const HardwareSegmentParams hw = slow_segment();
  HardwareSegmentState without{1.0, hw.world_demand_pf_per_year, hw.world_demand_pf_per_year, 1.0};
  HardwareSegmentState with = without;
  hardware_segment_step(without, hw, 0.0, 1.0);
  hardware_segment_step(with, hw, 0.5 * hw.world_demand_pf_per_year, 1.0);
  const Eigen::ArrayXd cost_weak = model_asks(pop, without.index);
  const Eigen::ArrayXd cost_strong = model_asks(pop, with.index);
  EXPECT_TRUE((cost_strong > cost_weak).all());
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const RunSummary weak = run_squeezed(params, 0.0, 3.0, seed);
    const RunSummary strong = run_squeezed(params, 0.5, 3.0, seed);
    EXPECT_LT(strong.mean_count, weak.mean_count) << seed;
    EXPECT_LT(strong.mean_capacity_pf, weak.mean_capacity_pf) << seed;
    EXPECT_LT(strong.mean_margin, weak.mean_margin) << seed;
  }
}

TEST(ComparativeStatics, FallingTokenDriftLowersMarginsAndCapacity) {
  MarketplaceParams rising = squeezed_marketplace();
  rising.token.annual_drift = 0.5 + 0.5;  // log drift +0.5 (calibration §11 bull)
  MarketplaceParams falling = squeezed_marketplace();
  falling.token.annual_drift = -0.9 + 0.5;  // log drift −0.9 (calibration §11 bear)
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const RunSummary up = run_squeezed(rising, 0.0, 3.0, seed);
    const RunSummary down = run_squeezed(falling, 0.0, 3.0, seed);
    EXPECT_LT(down.mean_margin, up.mean_margin) << seed;
    EXPECT_LT(down.mean_capacity_pf, up.mean_capacity_pf) << seed;
    EXPECT_LT(down.final_capacity_pf, up.final_capacity_pf) << seed;
  }
}

}  // namespace
}  // namespace gpumarket
