// Supply-side kernels: provider costs and asks, merit-order clearing, the EIP-1559-style
// posted price, provider margins with entry and exit, the token's USD price, the
// hardware price index and the alliance's administered price. Free functions over the
// struct-of-arrays ProviderPopulation; docs/model.md writes out every equation.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/random.hpp"
#include "gpumarket/market/pricing_rule.hpp"
#include "gpumarket/market/provider_population.hpp"
#include "gpumarket/market/venue.hpp"
#include "gpumarket/scenario/supply.hpp"

namespace gpumarket {

// ---------------------------------------------------------------------------------------
// Price formation (the rules themselves: pricing_rule.hpp)

/// The smallest ask p such that the capacity with ask ≤ p reaches `demand_pf`, for
/// 0 < demand < total capacity, over (ask, capacity) pairs, which it reorders. The
/// selection step of the clearing rule; the benchmark's scalar tick uses it too.
double marginal_ask(std::vector<std::pair<double, double>>& items, double demand_pf);

/// The clearing price when demand reaches capacity (demand_pf ≥ capacity_pf; a_max itself
/// when capacity_pf is 0):
///   p = max(a_max, min(ceiling, a_max · (1 + slope · (demand − capacity) / capacity)))
/// with a_max the highest ask: it rises with the relative excess demand, is bounded by the
/// ceiling and never falls below the highest ask. slope 0 gives a_max exactly.
double scarcity_price_usd_per_pf_hour(double highest_ask_usd_per_pf_hour, double demand_pf,
                                      double capacity_pf, const ScarcityParams& params);

/// The utilisation the fee controller sees: served / offered capacity, in [0, 1]; 1 when
/// demand is positive and nothing is offered (the price is below every ask and must
/// rise), 0 when there is no demand.
double dynamic_fee_utilisation(const PriceFormation& formation, double demand_pf);

/// One step of the EIP-1559 continuous rule: p' = p·(1 + d·(u − u*)/u*) with the relative
/// change clamped to [−d, d] (which binds only when u* < 1/2), then p' clamped to
/// [floor, ceiling]. `utilisation` in [0, 1].
double dynamic_fee_update(double price_usd_per_pf_hour, double utilisation,
                          const DynamicFeeParams& params);

/// The controller behind dynamic_fee_update and the pool's utilisation targeting:
///   x' = clamp(x · (1 + clamp(d · (u − u*) / u*, −d, d)), lo, hi),
/// d = `adjustment`, u* = `target` in (0, 1], `utilisation` in [0, 1].
double utilisation_target_step(double level, double utilisation, double target, double adjustment,
                               double lo, double hi);

// ---------------------------------------------------------------------------------------
// Margins, entry and exit

/// Weight of the newest tick in the rolling margin: α = 1 − exp(−tick / window).
double rolling_margin_weight(double tick_h, double window_h);

/// exit_i = negative_ticks_i ≥ params.exit_after_ticks.
void exit_mask(const Eigen::Ref<const Eigen::ArrayXd>& negative_margin_ticks,
               const EntryExitParams& params, Eigen::Ref<ArrayXb> mask);

/// Capacity-weighted mean of the rolling margins (USD per PF·h); 0 with no providers.
double mean_rolling_margin(const ProviderPopulation& providers);

/// Expected entrants per day: base × exp(sensitivity × mean margin).
double entry_rate_per_day(const EntryExitParams& params, double mean_margin_usd_per_pf_hour);

/// One provider drawn from the marketplace's distributions, in this order: capacity,
/// energy, capex (each lognormal), markup (uniform).
ProviderAttributes draw_provider(const ProviderDistribution& distribution, RandomEngine& rng);

/// What a candidate entrant expects to earn under EntryRule::PositiveMargin.
struct EntryOutlook {
  double utilisation = 0.0;               // the marketplace's recent utilisation, in [0, 1]
  double received_usd_per_pf_hour = 0.0;  // per PF·h served at the price just posted
  double hardware_index = 1.0;
};

/// A candidate's expected margin per PF of capacity per hour, the margin equation at the
/// outlook's utilisation: u · (received − energy) − capex × hardware_index.
double expected_margin_usd_per_pf_hour(const ProviderAttributes& candidate,
                                       const EntryOutlook& outlook);

/// How many candidates were drawn over a tick and how many of them entered.
struct EntryDraw {
  int64_t candidates = 0;
  int64_t entrants = 0;
};

/// Entry over a tick: N ~ Poisson(min(rate × tick_h / 24, room)), room =
/// max_providers − current count, then min(N, room) candidates drawn with draw_provider.
/// Under EntryRule::Rate every candidate enters; under PositiveMargin those whose
/// expected_margin_usd_per_pf_hour is positive. Every candidate is drawn either way, so the
/// stream advances alike under both rules. Appends the entrants to `entrants` (cleared
/// first).
EntryDraw draw_entrants(const MarketplaceParams& params, Eigen::Index current_count,
                        double mean_margin_usd_per_pf_hour, const EntryOutlook& outlook,
                        double tick_h, RandomEngine& rng,
                        std::vector<ProviderAttributes>& entrants);

// ---------------------------------------------------------------------------------------
// Token, alliance pool

/// Exact GBM step with Merton jumps, dt in years:
///   S' = S · exp((μ − σ²/2 − λk) dt + σ √dt Z + Σ_{j ≤ N} J_j),
///   Z ~ N(0,1), N ~ Poisson(λ dt), J_j ~ N(m_J, s_J²), k = exp(m_J + s_J²/2) − 1,
/// so that E[S'] = S·e^{μ dt} with or without jumps. Draws Z first, then N, then (if N > 0)
/// the jumps' sum as one N(N m_J, N s_J²) variate.
double token_price_step(double token_usd, const TokenParams& params, double dt_years,
                        RandomEngine& rng);

/// The pool's unit cost, capex / (life × 8760 h) × hardware_index + energy, USD per PF·h.
/// The index applies to the amortisation (replacement cost); pass 1 for historical cost.
double alliance_cost_usd_per_pf_hour(const AlliancePoolParams& params, double hardware_index);

/// The administered price: cost × price_factor × (1 − subsidy_rate), USD per PF·h; the
/// factor is 1 under the cost-based rule (docs/model.md, "Pool operation").
double alliance_price_usd_per_pf_hour(const AlliancePoolParams& params, double hardware_index,
                                      double price_factor, double subsidy_rate);

/// Installed pool capacity (PF) `hours` after the scenario's `start` date under the ramp
/// (the degenerate capacity model): the ramp interpolated linearly; 0 before the first point.
double alliance_capacity_pf(const AlliancePoolParams& params, Date start, double hours);

/// The ramp's slope at `hours` (PF per year; 0 outside the ramp): the pool's purchase rate.
double alliance_purchase_rate_pf_per_year(const AlliancePoolParams& params, Date start,
                                          double hours);

// ---------------------------------------------------------------------------------------
// A whole marketplace tick

/// A marketplace's state between ticks.
struct MarketplaceState {
  ProviderPopulation providers;
  /// The dynamic_fee price posted for the next tick; under clearing, the last price.
  double posted_price_usd_per_pf_hour = 0.0;
  /// Token USD price when the current price was quoted (0 before the first tick).
  double token_usd_at_quote = 0.0;
  /// Utilisation (used / capacity) smoothed with the rolling margin's weight: what a
  /// candidate entrant expects (EntryRule::PositiveMargin). NaN before the first tick.
  double recent_utilisation = std::numeric_limits<double>::quiet_NaN();
  SupplyWorkspace workspace;
  // Token economy (token_economy.hpp).
  /// Draws of the Calvo resets: its own stream, so token asks leave the providers' draws as is.
  RandomEngine repricing_rng;
  bool token_asks_anchored = false;
  double hours_since_payment = 0.0;
  bool tokens_owed = false;  // a payment lag has run: providers may hold unpaid tokens
  /// Burn-and-mint: token supply (NaN under the GBM model) and the flow term η (burn −
  /// mint) / Q that the next token price step adds (0 without burn-and-mint).
  double token_supply_tokens = std::numeric_limits<double>::quiet_NaN();
  double net_burn_log_impact = 0.0;
};

/// Draws the initial providers (params.providers.initial_count) and posts the initial price.
MarketplaceState make_marketplace(const MarketplaceParams& params, RandomEngine& rng);

/// What one tick did. Capacity, used and utilisation are at service time (before exit and
/// entry); provider_count is after them.
struct MarketplaceTickResult {
  double price_usd_per_pf_hour = 0.0;  // paid this tick (NaN when no provider under clearing)
  double capacity_pf = 0.0;
  double used_pf = 0.0;       // ≤ capacity_pf
  double unserved_pf = 0.0;   // demand − used
  double utilisation = 0.0;   // used / capacity (0 with no capacity)
  double payments_usd = 0.0;  // users' payments: price × used × tick
  double fees_usd = 0.0;      // platform's share of payments
  /// Providers' receipts in USD: (payments − fees) converted at the token's move over the
  /// tick, plus emissions. payments = provider revenue + fees when the token did not move.
  double provider_revenue_usd = 0.0;
  double mean_margin_usd_per_pf_hour = 0.0;  // capacity-weighted rolling margin, after exit
  int64_t provider_count = 0;
  int64_t entrants = 0;
  int64_t exits = 0;
  // Token economy; NaN where the marketplace's token model has no such thing.
  double tokens_burned = std::numeric_limits<double>::quiet_NaN();
  double tokens_minted = 0.0;  // emissions paid this tick
  double token_supply_tokens = std::numeric_limits<double>::quiet_NaN();
  int64_t repriced = 0;  // providers whose token ask was reset
};

/// Runs one tick of `tick_h` for demand `demand_pf` (PF wanted over the tick), the token's
/// USD price now and the hardware index now:
/// costs and asks → price and allocation (params.pricing) → revenue → margins → exit →
/// entry → next posted price. Users pay the price in tokens quoted at the previous tick's
/// token price; providers value them at `token_usd`.
/// Under RevenueSource::Bills, `billing` (the venue's billing integrals over the tick) sets
/// what providers are paid and the work allocated over them; the price is still formed on
/// `demand_pf`. Under RevenueSource::Demand `billing` is not read.
MarketplaceTickResult marketplace_tick(MarketplaceState& state, const MarketplaceParams& params,
                                       double demand_pf, double token_usd, double hardware_index,
                                       double tick_h, RandomEngine& rng,
                                       const VenueBilling& billing = {});

}  // namespace gpumarket
