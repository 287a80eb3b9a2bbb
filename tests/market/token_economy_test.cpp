// Token-denominated asks, Calvo repricing, the payment lag and burn-and-mint: kernels
// against the scalar reference, and their effects as comparative statics over seeds with
// common random numbers (each seed's providers and token path shared by both arms).
#include "gpumarket/market/token_economy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "gpumarket/market/pricing_rule.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "scalar_supply_reference.hpp"
#include "support/statistics.hpp"

namespace gpumarket {
namespace {

using testing::mean_and_error;
using testing::MeanAndError;

// The kernels and the scalar reference evaluate the same formulas; only the order of
// operations may differ, so they agree to a few ulps.
constexpr double kRelTol = 1e-12;

ProviderPopulation drawn_population(uint64_t seed, int n) {
  RandomEngine rng = make_stream(seed, "test/providers");
  ProviderDistribution distribution;
  ProviderPopulation pop;
  std::vector<ProviderAttributes> attributes;
  attributes.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) attributes.push_back(draw_provider(distribution, rng));
  pop.add(attributes, 0.0);
  return pop;
}

MarketplaceParams token_marketplace(PricingMode mode) {
  MarketplaceParams p;
  p.pricing = mode;
  p.ask_currency = AskCurrency::Token;
  p.token_reprice_share = 0.1;
  p.platform_fee = 0.05;
  p.emission_tokens_per_day = 20.0;
  p.entry_exit.base_entry_rate_per_day = 0.0;
  return p;
}

MarketplaceState state_for(const MarketplaceParams& params, uint64_t seed, int providers) {
  MarketplaceState state;
  state.providers = drawn_population(seed, providers);
  state.posted_price_usd_per_pf_hour = params.dynamic_fee.initial_price_usd_per_pf_hour;
  state.workspace.resize(state.providers.size());
  state.repricing_rng = make_stream(seed, "test/repricing");
  if (params.token_model == TokenModel::BurnAndMint) {
    state.token_supply_tokens = params.burn_and_mint.initial_supply_tokens;
  }
  return state;
}

// ---------------------------------------------------------------------------------------
// Formulas and kernels

TEST(TokenEconomy, CalvoResetProbabilityIsOneMinusTheHourlyKeepToTheTick) {
  EXPECT_NEAR(calvo_reset_probability(0.1, 1.0), 0.1, 1e-15);
  EXPECT_NEAR(calvo_reset_probability(0.1, 2.0), 1.0 - 0.9 * 0.9, 1e-15);
  EXPECT_NEAR(calvo_reset_probability(0.1, 0.5), 1.0 - std::sqrt(0.9), 1e-15);
  EXPECT_NEAR(calvo_reset_probability(0.01, 24.0), 1.0 - std::pow(0.99, 24.0), 1e-15);
  EXPECT_EQ(calvo_reset_probability(0.0, 3.0), 0.0);
  EXPECT_EQ(calvo_reset_probability(1.0, 0.25), 1.0);
}

TEST(TokenEconomy, CalvoRepriceReanchorsExactlyTheResetProvidersAtCost) {
  ProviderPopulation pop = drawn_population(3, 5000);
  anchor_token_asks(pop, 0, 0.25, 1.0);
  const std::vector<scalar::Provider> ref = scalar::from_population(pop);
  for (Eigen::Index i = 0; i < pop.size(); ++i) {
    ASSERT_NEAR(pop.token_ask_tokens_per_pf_hour[i],
                scalar::anchored_token_ask(ref[static_cast<size_t>(i)], 0.25, 1.0),
                kRelTol * pop.token_ask_tokens_per_pf_hour[i]);
  }
  const Eigen::ArrayXd before = pop.token_ask_tokens_per_pf_hour;
  RandomEngine rng = make_stream(3, "test/repricing");
  const double q = 0.2;
  const int64_t resets = calvo_reprice(pop, q, 0.1, 1.1, rng);
  int64_t changed = 0;
  for (Eigen::Index i = 0; i < pop.size(); ++i) {
    const double now = pop.token_ask_tokens_per_pf_hour[i];
    if (now == before[i]) continue;
    ++changed;
    EXPECT_NEAR(now, scalar::anchored_token_ask(ref[static_cast<size_t>(i)], 0.1, 1.1),
                kRelTol * now);
  }
  EXPECT_EQ(changed, resets);
  // Binomial(5000, 0.2): mean 1000, sd ≈ 28; 4 sd.
  EXPECT_NEAR(static_cast<double>(resets), 1000.0, 4.0 * std::sqrt(5000.0 * q * (1.0 - q)));
}

TEST(TokenEconomy, CalvoResetsAreIndependentBernoulliDrawsPerProvider) {
  constexpr int kProviders = 1000;
  constexpr int kTicks = 400;
  constexpr double kQ = 0.05;
  ProviderPopulation pop = drawn_population(5, kProviders);
  RandomEngine rng = make_stream(5, "test/repricing");
  std::vector<double> counts;
  std::vector<int> per_provider(kProviders, 0);
  double price = 1.0;
  for (int t = 0; t < kTicks; ++t) {
    anchor_token_asks(pop, 0, price, 1.0);
    price *= 1.01;  // every reset then changes the ask
    const Eigen::ArrayXd before = pop.token_ask_tokens_per_pf_hour;
    counts.push_back(static_cast<double>(calvo_reprice(pop, kQ, price, 1.0, rng)));
    for (int i = 0; i < kProviders; ++i) {
      if (pop.token_ask_tokens_per_pf_hour[i] != before[i]) ++per_provider[i];
    }
  }
  double mean = 0.0;
  for (double c : counts) mean += c / kTicks;
  double var = 0.0;
  for (double c : counts) var += (c - mean) * (c - mean) / (kTicks - 1);
  const double n_q = kProviders * kQ;
  const double binomial_var = n_q * (1.0 - kQ);
  // Mean within 4 standard errors; variance of a binomial within 25 % (its sampling sd at 400
  // ticks is about 7 %).
  EXPECT_NEAR(mean, n_q, 4.0 * std::sqrt(binomial_var / kTicks));
  EXPECT_NEAR(var / binomial_var, 1.0, 0.25);
  // No position is favoured: the first and last 100 providers reset at rate q.
  double first = 0.0;
  double last = 0.0;
  for (int i = 0; i < 100; ++i) {
    first += per_provider[i];
    last += per_provider[kProviders - 1 - i];
  }
  const double expected = 100.0 * kTicks * kQ;
  const double sd = std::sqrt(100.0 * kTicks * kQ * (1.0 - kQ));
  EXPECT_NEAR(first, expected, 4.0 * sd);
  EXPECT_NEAR(last, expected, 4.0 * sd);
}

TEST(TokenEconomy, TokenAskPassesMatchTheScalarReference) {
  for (PricingMode mode : {PricingMode::Clearing, PricingMode::DynamicFee}) {
    ProviderPopulation pop = drawn_population(11, 3001);  // odd: the scalar tail runs too
    anchor_token_asks(pop, 0, 0.3, 1.0);
    const double token_usd = 0.21;
    SupplyWorkspace ws;
    ws.resize(pop.size());
    ws.ask_token_usd = token_usd;
    const double capacity = pop.total_capacity_pf();
    const PriceFormation f =
        pricing_rule(mode).form(pop, 1.1, 1.0, 0.5 * capacity, MarketplaceParams{}, ws);
    std::vector<scalar::Provider> ref = scalar::from_population(pop);
    std::vector<double> token_ask(pop.token_ask_tokens_per_pf_hour.begin(),
                                  pop.token_ask_tokens_per_pf_hour.end());
    scalar::token_asks(ref, token_ask, token_usd);
    for (size_t i = 0; i < ref.size(); ++i) {
      ASSERT_EQ(ws.ask_usd_per_pf_hour[static_cast<Eigen::Index>(i)], ref[i].ask_usd_per_pf_hour);
    }
    const PriceFormation g = mode == PricingMode::Clearing
                                 ? scalar::clear(ref, 0.5 * capacity)
                                 : scalar::allocate_posted(ref, 1.1, 0.5 * capacity);
    EXPECT_EQ(f.price_usd_per_pf_hour, g.price_usd_per_pf_hour);
    EXPECT_NEAR(f.served_pf, g.served_pf, kRelTol * capacity);
    EXPECT_NEAR(f.offered_capacity_pf, g.offered_capacity_pf, kRelTol * capacity);
    EXPECT_TRUE(ws.asks_kept);
  }
}

TEST(TokenEconomy, PaymentLagAccrualPayoutAndMarginsMatchTheScalarReference) {
  for (PricingMode mode : {PricingMode::Clearing, PricingMode::DynamicFee}) {
    ProviderPopulation pop = drawn_population(13, 2001);
    SupplyWorkspace ws;
    ws.resize(pop.size());
    ws.keep_asks = true;
    const double capacity = pop.total_capacity_pf();
    const PriceFormation f =
        pricing_rule(mode).form(pop, 1.3, 1.0, 0.6 * capacity, MarketplaceParams{}, ws);
    std::vector<scalar::Provider> ref = scalar::from_population(pop);
    scalar::compute_asks(ref, 1.0);
    if (mode == PricingMode::Clearing) {
      scalar::clear(ref, 0.6 * capacity);
    } else {
      scalar::allocate_posted(ref, 1.3, 0.6 * capacity);
    }
    std::vector<double> unpaid(ref.size(), 0.0);
    std::vector<double> paid_ref;
    Eigen::ArrayXd paid(pop.size());
    const double tokens_per_pf_hour = 4.0;
    for (int tick = 0; tick < 3; ++tick) {
      const bool pay = tick == 2;
      paid.setZero();
      const double total = accrue_and_pay(pop, ws.ask_usd_per_pf_hour, ws.uniform,
                                          tokens_per_pf_hour, 1.0, pay, 0.3, paid);
      const double total_ref =
          scalar::accrue_and_pay(ref, unpaid, tokens_per_pf_hour, 1.0, pay, 0.3, paid_ref);
      EXPECT_NEAR(total, total_ref, kRelTol * std::max(1.0, total_ref));
      // The marginal provider's share is (demand − below) / at in the rule and used / capacity
      // in the reference: a few hundred ulps apart, so 1e-10 here.
      for (size_t i = 0; i < ref.size(); ++i) {
        const auto k = static_cast<Eigen::Index>(i);
        ASSERT_NEAR(pop.unpaid_tokens[k], unpaid[i], 1e-10 * std::max(1.0, unpaid[i]));
        ASSERT_NEAR(paid[k], paid_ref[i], 1e-10 * std::max(1.0, paid_ref[i]));
      }
    }
    // settle() with what was paid: margin = paid − used/capacity × energy − capex × index.
    Receipts receipts;
    receipts.kept_share = 0.0;
    receipts.paid_usd_per_pf_hour = paid.data();
    EntryExitParams ee;
    pricing_rule(mode).settle(pop, f, 1.0, receipts, 0.1, ee, ws);
    scalar::margins_paid(ref, 1.0, paid_ref);
    scalar::roll(ref, 0.1, ee.exit_threshold_usd_per_pf_hour);
    for (size_t i = 0; i < ref.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      ASSERT_NEAR(pop.rolling_margin_usd_per_pf_hour[k], ref[i].rolling_margin_usd_per_pf_hour,
                  1e-10 * std::max(1.0, std::abs(ref[i].rolling_margin_usd_per_pf_hour)));
    }
  }
}

// Over whole payment intervals with the token's price unchanged, the lag pays what paying
// at the tick pays: it moves money in time, it makes none.
TEST(TokenEconomy, PaymentLagPaysTheSameUsdWhenTheTokenStandsStill) {
  MarketplaceParams params = token_marketplace(PricingMode::DynamicFee);
  params.ask_currency = AskCurrency::Usd;
  params.entry_exit.exit_after_ticks = 1'000'000;
  MarketplaceParams lagged = params;
  lagged.payment_interval = Duration::hours(12);
  MarketplaceState a = state_for(params, 17, 300);
  MarketplaceState b = state_for(lagged, 17, 300);
  RandomEngine rng_a(1);
  RandomEngine rng_b(1);
  const double capacity = a.providers.total_capacity_pf();
  double paid_now = 0.0;
  double paid_lagged = 0.0;
  for (int t = 0; t < 48; ++t) {
    paid_now +=
        marketplace_tick(a, params, 0.5 * capacity, 0.4, 1.0, 1.0, rng_a).provider_revenue_usd;
    paid_lagged +=
        marketplace_tick(b, lagged, 0.5 * capacity, 0.4, 1.0, 1.0, rng_b).provider_revenue_usd;
  }
  ASSERT_GT(paid_now, 0.0);
  EXPECT_NEAR(paid_lagged, paid_now, 1e-9 * paid_now);
}

// A timeline step that ends the lag (T → 0) pays what is owed at once: over the run the
// providers receive what paying at the tick would have paid them, the token standing still.
TEST(TokenEconomy, EndingThePaymentLagPaysWhatIsOwed) {
  MarketplaceParams params = token_marketplace(PricingMode::Clearing);
  params.ask_currency = AskCurrency::Usd;
  params.entry_exit.exit_after_ticks = 1'000'000;
  MarketplaceParams lagged = params;
  lagged.payment_interval = Duration::hours(24);
  MarketplaceState a = state_for(params, 23, 300);
  MarketplaceState b = state_for(lagged, 23, 300);
  RandomEngine rng_a(1);
  RandomEngine rng_b(1);
  const double capacity = a.providers.total_capacity_pf();
  double paid_now = 0.0;
  double paid_lagged = 0.0;
  for (int t = 0; t < 10; ++t) {
    const MarketplaceParams& p = t < 5 ? lagged : params;  // the step comes at tick 5
    paid_now +=
        marketplace_tick(a, params, 0.5 * capacity, 0.4, 1.0, 1.0, rng_a).provider_revenue_usd;
    paid_lagged +=
        marketplace_tick(b, p, 0.5 * capacity, 0.4, 1.0, 1.0, rng_b).provider_revenue_usd;
    if (t == 4) {
      EXPECT_GT(b.providers.unpaid_tokens.sum(), 0.0);
    }
  }
  EXPECT_EQ(b.providers.unpaid_tokens.sum(), 0.0);
  EXPECT_NEAR(paid_lagged, paid_now, 1e-9 * paid_now);
}

TEST(TokenEconomy, BurnAndMintSupplyReconcilesWithBurnsAndMints) {
  MarketplaceParams params = token_marketplace(PricingMode::Clearing);
  params.ask_currency = AskCurrency::Usd;
  params.token_model = TokenModel::BurnAndMint;
  params.burn_and_mint.initial_supply_tokens = 1e6;
  params.emission_tokens_per_day = 240.0;
  MarketplaceState state = state_for(params, 19, 200);
  RandomEngine rng(2);
  RandomEngine token_rng(3);
  const double capacity = state.providers.total_capacity_pf();
  double token_usd = params.token.initial_usd;
  double burned = 0.0;
  double minted = 0.0;
  for (int t = 0; t < 200; ++t) {
    const double quote = t == 0 ? token_usd : state.token_usd_at_quote;
    const MarketplaceTickResult r =
        marketplace_tick(state, params, 0.4 * capacity, token_usd, 1.0, 1.0, rng);
    // Hand computation: burned = (payments − platform fee) × (1 − 5 %) / S at the quote;
    // minted = 240/24 tokens a tick of work; providers are paid the mint at S.
    EXPECT_NEAR(r.tokens_burned, (r.payments_usd - r.fees_usd) * 0.95 / quote,
                1e-12 * r.tokens_burned);
    EXPECT_DOUBLE_EQ(r.tokens_minted, 10.0);
    EXPECT_DOUBLE_EQ(r.provider_revenue_usd, 10.0 * token_usd);
    burned += r.tokens_burned;
    minted += r.tokens_minted;
    EXPECT_NEAR(r.token_supply_tokens, 1e6 - burned + minted, 1e-9 * 1e6);
    token_usd = token_price_step(token_usd, params.token, 1.0 / kHoursPerYear, token_rng) *
                std::exp(state.net_burn_log_impact);
  }
  EXPECT_GT(burned, 0.0);
}

// ---------------------------------------------------------------------------------------
// Comparative statics

// One tick at S, then the next either at S (control) or at S × (1 − drop); the price of the
// second tick in each arm, same providers and same reset draws.
std::pair<double, double> price_after_drop(const MarketplaceParams& params, uint64_t seed,
                                           double drop) {
  MarketplaceState state = state_for(params, seed, 2000);
  RandomEngine rng(seed);
  const double capacity = state.providers.total_capacity_pf();
  marketplace_tick(state, params, 0.5 * capacity, 0.25, 1.0, 1.0, rng);
  MarketplaceState control = state;
  RandomEngine rng_control = rng;
  const double dropped =
      marketplace_tick(state, params, 0.5 * capacity, 0.25 * (1.0 - drop), 1.0, 1.0, rng)
          .price_usd_per_pf_hour;
  const double unchanged =
      marketplace_tick(control, params, 0.5 * capacity, 0.25, 1.0, 1.0, rng_control)
          .price_usd_per_pf_hour;
  return {dropped, unchanged};
}

// Non-resetting providers' USD asks fall with the token, the share φ that re-anchors keeps its
// USD ask: the merit-order price falls by about (1 − φ) × drop. Tolerance: the mean relative
// change within 20 % of (1 − φ) × drop (the reset providers reorder the merit order, a
// second-order effect), and more than 3 standard errors below 0.
TEST(TokenEconomy, TokenDropLowersTheUsdPriceWithinOneTickByAboutOneMinusPhiOfTheDrop) {
  const MarketplaceParams params = token_marketplace(PricingMode::Clearing);
  constexpr double kDrop = 0.2;
  std::vector<double> change;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const auto [dropped, unchanged] = price_after_drop(params, seed, kDrop);
    change.push_back(dropped / unchanged - 1.0);
  }
  const MeanAndError d = mean_and_error(change);
  const double expected = -(1.0 - params.token_reprice_share) * kDrop;
  EXPECT_LT(d.mean + 3.0 * d.standard_error, 0.0);
  EXPECT_NEAR(d.mean, expected, 0.2 * std::abs(expected)) << "se " << d.standard_error;
}

TEST(TokenEconomy, UsdAsksIgnoreATokenDrop) {
  MarketplaceParams params = token_marketplace(PricingMode::Clearing);
  params.ask_currency = AskCurrency::Usd;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    const auto [dropped, unchanged] = price_after_drop(params, seed, 0.2);
    EXPECT_EQ(dropped, unchanged);
  }
}

// A 92 % crash (0.25 → 0.02 USD, GLM's fall) with token asks: the asks not yet re-anchored
// price below cost, margins turn negative and providers leave within the margin window.
TEST(TokenEconomy, TokenCrashWithTokenAsksLowersProviderCountWithinTheMarginWindow) {
  MarketplaceParams params = token_marketplace(PricingMode::Clearing);
  params.token_reprice_share = 1.0 / 168.0;
  params.entry_exit.margin_window_h = 48.0;
  params.entry_exit.exit_after_ticks = 48;
  params.entry_exit.base_entry_rate_per_day = 0.5;
  std::vector<double> difference;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    int64_t count[2] = {0, 0};
    for (int crash = 0; crash < 2; ++crash) {
      MarketplaceState state = state_for(params, seed, 200);
      RandomEngine rng(seed);
      const double capacity = state.providers.total_capacity_pf();
      for (int t = 0; t < 150; ++t) {
        const double token_usd = crash == 1 && t > 0 ? 0.02 : 0.25;
        count[crash] = marketplace_tick(state, params, 0.7 * capacity, token_usd, 1.0, 1.0, rng)
                           .provider_count;
      }
    }
    difference.push_back(static_cast<double>(count[1] - count[0]));
  }
  const MeanAndError d = mean_and_error(difference);
  EXPECT_LT(d.mean + 3.0 * d.standard_error, 0.0)
      << "mean " << d.mean << " se " << d.standard_error;
}

// Paid every 24 h while the token falls, providers receive their tokens at a lower price
// than at the tick they earned them.
TEST(TokenEconomy, PaymentLagWithAFallingTokenLowersProviderUsdRevenue) {
  MarketplaceParams params = token_marketplace(PricingMode::DynamicFee);
  params.ask_currency = AskCurrency::Usd;
  params.entry_exit.exit_after_ticks = 1'000'000;
  params.token.annual_drift = -20.0;  // ≈ −5 % a day
  params.token.annual_volatility = 0.5;
  MarketplaceParams lagged = params;
  lagged.payment_interval = Duration::hours(24);
  std::vector<double> difference;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    double revenue[2] = {0.0, 0.0};
    for (int lag = 0; lag < 2; ++lag) {
      const MarketplaceParams& p = lag == 1 ? lagged : params;
      MarketplaceState state = state_for(p, seed, 200);
      RandomEngine rng(seed);
      RandomEngine token_rng = make_stream(seed, "test/token");
      const double capacity = state.providers.total_capacity_pf();
      double token_usd = 0.25;
      for (int t = 0; t < 240; ++t) {  // ten whole payment intervals
        token_usd = token_price_step(token_usd, p.token, 1.0 / kHoursPerYear, token_rng);
        revenue[lag] += marketplace_tick(state, p, 0.5 * capacity, token_usd, 1.0, 1.0, rng)
                            .provider_revenue_usd;
      }
    }
    difference.push_back(revenue[1] / revenue[0] - 1.0);
  }
  const MeanAndError d = mean_and_error(difference);
  EXPECT_LT(d.mean + 3.0 * d.standard_error, 0.0)
      << "mean " << d.mean << " se " << d.standard_error;
}

}  // namespace
}  // namespace gpumarket
