// The token economy of a marketplace beyond its price process: token-denominated asks with
// Calvo (1983) repricing, the payment lag (earned tokens paid every T at the token's price
// then) and Render's burn-and-mint equilibrium (RNP-001, RNP-006). Free functions over the
// struct-of-arrays ProviderPopulation, called by marketplace_tick; docs/model.md, "Token
// economy", writes out every equation.
#pragma once

#include <Eigen/Core>
#include <cstdint>

#include "gpumarket/core/random.hpp"
#include "gpumarket/market/pricing_rule.hpp"
#include "gpumarket/market/provider_population.hpp"
#include "gpumarket/scenario/supply.hpp"

namespace gpumarket {

struct MarketplaceState;
struct MarketplaceTickResult;

/// True when the marketplace uses any mechanism of this file (token asks, a payment lag or
/// burn-and-mint); its token series are reported only then.
bool uses_token_economy(const MarketplaceParams& params);

// ---------------------------------------------------------------------------------------
// Token-denominated asks

/// Probability that a provider resets its ask over a tick of `tick_h` hours, given the
/// per-hour reset probability φ: 1 − (1 − φ)^tick_h (Calvo's geometric spells at any tick).
double calvo_reset_probability(double share_per_hour, double tick_h);

/// token_ask_i = (energy_i + capex_i × index) × (1 + markup_i) / token_usd for the providers
/// from `first` on: the ask re-anchored to cost at the token's price now.
void anchor_token_asks(ProviderPopulation& pop, Eigen::Index first, double token_usd,
                       double hardware_index);

/// Re-anchors each provider independently with probability `reset_probability`, the rest
/// keeping their token ask. Draws the gaps between resetting providers (geometric, one draw
/// per reset rather than one per provider) from `rng`; returns how many reset.
int64_t calvo_reprice(ProviderPopulation& pop, double reset_probability, double token_usd,
                      double hardware_index, RandomEngine& rng);

// ---------------------------------------------------------------------------------------
// Payment lag

/// Each provider accrues the tokens it earned this tick,
///   unpaid_i += capacity_i × fraction(ask_i) × tick_h × tokens_per_pf_hour,
/// with fraction() the one-price allocation; when `pay_now`, each is paid unpaid_i ×
/// token_usd (USD) and its balance cleared, paid_i / (capacity_i × tick_h) (USD per PF of
/// capacity per hour) written to `paid_out` (left as is when not paying). Returns Σ paid (USD).
double accrue_and_pay(ProviderPopulation& pop, const Eigen::Ref<const Eigen::ArrayXd>& asks,
                      const UniformAllocation& fractions, double tokens_per_pf_hour, double tick_h,
                      bool pay_now, double token_usd, Eigen::Ref<Eigen::ArrayXd> paid_out);

/// USD paid to the providers that leave (their final invoice): Σ_{mask} unpaid_i × token_usd.
double pay_on_exit(const ProviderPopulation& pop, const Eigen::Ref<const ArrayXb>& mask,
                   double token_usd);

// ---------------------------------------------------------------------------------------
// Burn-and-mint

/// Tokens burned by users' payments net of the platform's fee: payments × (1 − fee) /
/// token_usd (the token's price at the quote).
double burned_tokens(double payments_usd, double fee, double token_usd);

/// The flow-of-funds term of the next price step: η × (burned − minted) / supply.
double net_burn_log_impact(double price_impact, double burned_tokens, double minted_tokens,
                           double supply_tokens);

// ---------------------------------------------------------------------------------------
// The marketplace tick's token steps

/// Before price formation: anchors asks not yet anchored, draws Calvo resets and sets the
/// workspace's token price for the asks (0 under USD asks); asks form() to keep the asks when
/// a payment lag needs them. Returns how many providers reset their token ask.
int64_t begin_token_tick(MarketplaceState& state, const MarketplaceParams& params, double token_usd,
                         double hardware_index, double tick_h);

/// After the one-tick receipts are set: under burn-and-mint, burns the payments and mints
/// the emission (providers are paid from the emission only) and sets the next price step's
/// flow term; under a payment lag, accrues and pays tokens and hands settle() what each
/// provider was paid. Fills the result's token fields.
void settle_token_receipts(MarketplaceState& state, const MarketplaceParams& params,
                           const PriceFormation& formation, double token_usd, double tick_h,
                           Receipts& receipts, MarketplaceTickResult& result);

}  // namespace gpumarket
