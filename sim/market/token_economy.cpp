// Token-denominated asks with Calvo repricing, the payment lag and burn-and-mint: the
// kernels of token_economy.hpp and the two steps marketplace_tick calls around its receipts.
#include "gpumarket/market/token_economy.hpp"

#include <boost/random/geometric_distribution.hpp>
#include <cmath>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/check.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "uniform_price.hpp"

namespace gpumarket {

bool uses_token_economy(const MarketplaceParams& params) {
  return params.ask_currency == AskCurrency::Token ||
         params.payment_interval > Duration::micros(0) ||
         params.token_model == TokenModel::BurnAndMint;
}

double calvo_reset_probability(double share_per_hour, double tick_h) {
  // 1 − (1 − φ)^Δh without cancellation for small φ; φ = 1 gives log1p(−1) = −∞ and 1.
  return -std::expm1(tick_h * std::log1p(-share_per_hour));
}

void anchor_token_asks(ProviderPopulation& pop, Eigen::Index first, double token_usd,
                       double hardware_index) {
  const Eigen::Index count = pop.size() - first;
  if (count <= 0) return;
  pop.token_ask_tokens_per_pf_hour.segment(first, count) =
      (pop.energy_usd_per_pf_hour.segment(first, count) +
       pop.capex_usd_per_pf_hour.segment(first, count) * hardware_index) *
      (1.0 + pop.ask_markup.segment(first, count)) / token_usd;
}

// Independent Bernoulli(q) resets visited by their gaps: the number of keepers before the
// next reset is geometric, P(k) = q (1 − q)^k, so one draw per reset replaces one per provider
// (at q = 1/168 and 10⁴ providers, ~60 draws a tick instead of 10⁴).
int64_t calvo_reprice(ProviderPopulation& pop, double reset_probability, double token_usd,
                      double hardware_index, RandomEngine& rng) {
  if (!(reset_probability > 0.0) || pop.empty()) return 0;
  const Eigen::Index n = pop.size();
  double* token_ask = pop.token_ask_tokens_per_pf_hour.data();
  int64_t resets = 0;
  Eigen::Index i = 0;
  if (reset_probability < 1.0) {
    boost::random::geometric_distribution<int64_t, double> gap(reset_probability);
    i = static_cast<Eigen::Index>(gap(rng));
    while (i < n) {
      token_ask[i] =
          (pop.energy_usd_per_pf_hour[i] + pop.capex_usd_per_pf_hour[i] * hardware_index) *
          (1.0 + pop.ask_markup[i]) / token_usd;
      ++resets;
      i += 1 + static_cast<Eigen::Index>(gap(rng));
    }
    return resets;
  }
  anchor_token_asks(pop, 0, token_usd, hardware_index);
  return static_cast<int64_t>(n);
}

double accrue_and_pay(ProviderPopulation& pop, const Eigen::Ref<const Eigen::ArrayXd>& asks,
                      const UniformAllocation& fractions, double tokens_per_pf_hour, double tick_h,
                      bool pay_now, double token_usd, Eigen::Ref<Eigen::ArrayXd> paid_out) {
  GPUMARKET_CHECK(asks.size() == pop.size() && paid_out.size() == pop.size());
  // One fused packet pass, as the rules' own passes (uniform_price.cpp).
  return uniform_price::accrue_pass(pop, asks.data(), fractions, tick_h * tokens_per_pf_hour,
                                    token_usd, tick_h, pay_now ? paid_out.data() : nullptr);
}

double pay_on_exit(const ProviderPopulation& pop, const Eigen::Ref<const ArrayXb>& mask,
                   double token_usd) {
  return mask.select(pop.unpaid_tokens, Eigen::ArrayXd::Zero(pop.size())).sum() * token_usd;
}

double burned_tokens(double payments_usd, double fee, double token_usd) {
  return payments_usd * (1.0 - fee) / token_usd;
}

double net_burn_log_impact(double price_impact, double burned_tokens, double minted_tokens,
                           double supply_tokens) {
  return price_impact * (burned_tokens - minted_tokens) / supply_tokens;
}

int64_t begin_token_tick(MarketplaceState& state, const MarketplaceParams& params, double token_usd,
                         double hardware_index, double tick_h) {
  SupplyWorkspace& ws = state.workspace;
  ws.keep_asks = params.payment_interval > Duration::micros(0);
  ws.ask_token_usd = 0.0;
  if (params.ask_currency != AskCurrency::Token) return 0;
  if (!state.token_asks_anchored) {
    // The initial providers anchor at the first tick's token price, as entrants do on entry.
    anchor_token_asks(state.providers, 0, token_usd, hardware_index);
    state.token_asks_anchored = true;
  }
  ws.ask_token_usd = token_usd;
  return calvo_reprice(state.providers, calvo_reset_probability(params.token_reprice_share, tick_h),
                       token_usd, hardware_index, state.repricing_rng);
}

void settle_token_receipts(MarketplaceState& state, const MarketplaceParams& params,
                           const PriceFormation& formation, double token_usd, double tick_h,
                           Receipts& receipts, MarketplaceTickResult& result) {
  const bool served = formation.served_pf > 0.0;
  // Emissions are paid (minted) only on work served, as the one-tick receipts pay them.
  const double emission_tokens =
      served ? params.emission_tokens_per_day * tick_h / kHoursPerDay : 0.0;
  result.tokens_minted = emission_tokens;
  const bool burn_and_mint = params.token_model == TokenModel::BurnAndMint;
  if (burn_and_mint) {
    // Users' tokens (bought at the quote) are burned, not paid: providers get the emission.
    const double burned = burned_tokens(result.payments_usd - result.fees_usd,
                                        params.burn_and_mint.fee, state.token_usd_at_quote);
    state.net_burn_log_impact = net_burn_log_impact(params.burn_and_mint.price_impact, burned,
                                                    emission_tokens, state.token_supply_tokens);
    state.token_supply_tokens += emission_tokens - burned;
    result.tokens_burned = burned;
    result.token_supply_tokens = state.token_supply_tokens;
    receipts.kept_share = 0.0;
    result.provider_revenue_usd = emission_tokens * token_usd;
  }
  ProviderPopulation& pop = state.providers;
  SupplyWorkspace& ws = state.workspace;
  if (params.payment_interval <= Duration::micros(0)) {
    if (!state.tokens_owed) return;
    // A timeline step ended the lag: what is owed is paid now, at S, into this tick's margins.
    ws.paid_usd_per_pf_hour = pop.unpaid_tokens * token_usd / (pop.capacity_pf * tick_h);
    result.provider_revenue_usd += pop.unpaid_tokens.sum() * token_usd;
    pop.unpaid_tokens.setZero();
    receipts.paid_usd_per_pf_hour = ws.paid_usd_per_pf_hour.data();
    state.tokens_owed = false;
    return;
  }
  state.tokens_owed = true;

  // Payment lag: tokens earned per PF·h served are the users' tokens (quoted at S_q) net of
  // the platform's fee, unless burned, plus the emission; they are paid every T at S then.
  // Paid from bills, the users' tokens are what the bills paid (Receipts::bill_ratio).
  GPUMARKET_CHECK(params.pricing != PricingMode::PayAsBid);
  GPUMARKET_CHECK(ws.asks_kept);
  const double tokens_per_pf_hour = served ? receipts.kept_share * receipts.bill_ratio *
                                                     formation.price_usd_per_pf_hour /
                                                     state.token_usd_at_quote +
                                                 emission_tokens / (formation.served_pf * tick_h)
                                           : 0.0;
  state.hours_since_payment += tick_h;
  const double interval_h = params.payment_interval.in_hours();
  // A tolerance of a microsecond's worth of hours: tick lengths sum with rounding.
  const bool pay_now = state.hours_since_payment >= interval_h - 1e-9;
  if (pay_now) state.hours_since_payment = 0.0;
  ws.paid_usd_per_pf_hour.resize(pop.size());
  result.provider_revenue_usd =
      accrue_and_pay(pop, ws.ask_usd_per_pf_hour, ws.uniform, tokens_per_pf_hour, tick_h, pay_now,
                     token_usd, ws.paid_usd_per_pf_hour);
  // settle() takes what each provider was paid, not the tick's receipts.
  receipts.kept_share = 0.0;
  receipts.emission_usd_per_pf_hour = 0.0;
  // Between payments nothing is paid: settle() then adds nothing, so no zeroed column is read.
  receipts.paid_usd_per_pf_hour = pay_now ? ws.paid_usd_per_pf_hour.data() : nullptr;
}

}  // namespace gpumarket
