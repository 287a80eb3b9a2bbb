// The fused passes over a marketplace's providers that the rules with one price for all
// (clearing, dynamic_fee) share. Each walks the provider columns once with Eigen's packet
// primitives (two doubles per SSE2 register), carrying several sums at once, which array
// expressions cannot do: an expression yields one column or one reduction per pass.
// tests/market/scalar_supply_reference.hpp is their scalar reference.
#pragma once

#include <Eigen/Core>
#include <utility>

#include "gpumarket/market/pricing_rule.hpp"

namespace gpumarket::uniform_price {

struct AskPass {
  double total_capacity_pf = 0.0;
  double offered_capacity_pf = 0.0;  // ask ≤ limit
};

/// ask_i = (energy_i + capex_i × hardware_index) × (1 + markup_i), in USD per PF·h (asks
/// are anchored to USD costs): Σ capacity and Σ capacity over ask ≤ `limit` in one pass;
/// stores the asks when `asks_out` is not null.
AskPass ask_pass(const ProviderPopulation& pop, double hardware_index, double limit,
                 double* asks_out);

/// Token-denominated asks: ask_i = token_ask_i × token_usd (USD per PF·h), with the same sums
/// as ask_pass(); stores the asks in `asks_out` (not null).
AskPass token_ask_pass(const ProviderPopulation& pop, double token_usd, double limit,
                       double* asks_out);

/// The asks of the tick and their sums, as form() needs them: token_ask_pass() when the
/// workspace carries a token price for the asks, else ask_pass(). Keeps the asks in
/// ws.ask_usd_per_pf_hour when `keep`, when ws.keep_asks, and always for token asks;
/// ws.asks_kept says whether it did.
AskPass tick_asks(const ProviderPopulation& pop, double hardware_index, double limit, bool keep,
                  SupplyWorkspace& ws);

/// The asks form() kept (for settle_pass), or nullptr when it did not keep them.
inline const double* kept_asks(const SupplyWorkspace& ws) {
  return ws.asks_kept ? ws.ask_usd_per_pf_hour.data() : nullptr;
}

/// The smallest ask p such that the capacity with ask ≤ p reaches `demand_pf`
/// (0 < demand < total capacity): marginal_ask() after vectorised narrowing passes.
double marginal_ask_narrowed(const double* ask, const double* cap, Eigen::Index n, double demand_pf,
                             SupplyWorkspace& ws);

/// Σ capacity with ask < price, and with ask == price, in one pass.
std::pair<double, double> capacity_below_and_at(const double* ask, const double* cap,
                                                Eigen::Index n, double price);

/// PricingRule::settle() for one price: used_i / capacity_i is the allocation's fraction
/// by ask, and every provider receives `received_usd_per_pf_hour` per PF·h served. Takes
/// the asks from `asks` when given, else recomputes them from the costs (bit-identical).
/// Writes used_i = capacity_i × fraction when `used_out` is not null. Under a payment lag,
/// `paid_usd_per_pf_hour` (Receipts::paid_usd_per_pf_hour) is added to each margin.
SettleResult settle_pass(ProviderPopulation& pop, const double* asks, double hardware_index,
                         const UniformAllocation& fractions, double received_usd_per_pf_hour,
                         double weight, const EntryExitParams& params, double* used_out,
                         const double* paid_usd_per_pf_hour = nullptr);

/// The payment lag's pass over one price: unpaid_i += capacity_i × fraction(ask_i) ×
/// `tokens_per_pf` (tokens per PF served over the tick); when `paid_out` is not null, each
/// provider is also paid unpaid_i × token_usd, written as USD per PF of capacity per hour
/// (÷ capacity_i × tick_h), and its balance cleared. Returns Σ paid (0 when not paying).
double accrue_pass(ProviderPopulation& pop, const double* asks, const UniformAllocation& fractions,
                   double tokens_per_pf, double token_usd, double tick_h, double* paid_out);

/// What every provider receives per PF·h served under one price: the price net of the
/// platform's fee, converted at the token's move, plus emissions; 0 when nothing is served.
double received_usd_per_pf_hour(const PriceFormation& formation, const Receipts& receipts);

}  // namespace gpumarket::uniform_price
