// How a marketplace forms its price each tick: a PricingRule decides who serves how much
// of the demand at what price, and what each provider earns for it. The rules are
// clearing (sim/market/clearing_rule.cpp) and dynamic_fee (sim/market/dynamic_fee_rule.cpp);
// pricing_rule() (sim/market/pricing_rule.cpp) is the only place that maps a
// PricingMode to its rule. docs/model.md writes out each rule's equations.
#pragma once

#include <Eigen/Core>
#include <utility>
#include <vector>

#include "gpumarket/market/provider_population.hpp"
#include "gpumarket/scenario/supply.hpp"

namespace gpumarket {

/// Under one price p for all: the fraction of its capacity each provider has in use, by
/// its ask against p: `below` for ask < p, `at` for ask = p, 0 above.
struct UniformAllocation {
  double price_usd_per_pf_hour = 0.0;
  double below = 0.0;
  double at = 0.0;

  /// The fraction of its capacity a provider with this ask has in use.
  double fraction_in_use(double ask) const {
    return ask < price_usd_per_pf_hour ? below : (ask == price_usd_per_pf_hour ? at : 0.0);
  }
};

/// Scratch space reused from tick to tick so that a tick allocates nothing once the
/// population's size is stable. What a rule's form() leaves here, its settle() reads.
struct SupplyWorkspace {
  Eigen::ArrayXd ask_usd_per_pf_hour;  // kept by rules that select over the asks
  Eigen::ArrayXd used_pf;              // PF each provider serves, where the rule keeps it
  UniformAllocation uniform;           // rules with one price
  ArrayXb exit_mask;
  std::vector<std::pair<double, double>> ask_capacity;  // merit-order selection
  std::vector<double> candidate_ask;                    // providers that may be marginal
  std::vector<double> candidate_capacity;
  std::vector<ProviderAttributes> entrants;
  /// Token-denominated asks: USD per token at which this tick's asks convert (the asks are
  /// token_ask_i × this); 0 when asks are USD-anchored (cost × (1 + markup)).
  double ask_token_usd = 0.0;
  /// Set by the tick when a pass after form() needs the asks (the payment lag): form()
  /// then keeps them in ask_usd_per_pf_hour under every rule.
  bool keep_asks = false;
  /// Whether form() left this tick's asks in ask_usd_per_pf_hour.
  bool asks_kept = false;
  /// USD each provider is paid this tick per PF of capacity per hour (payment lag).
  Eigen::ArrayXd paid_usd_per_pf_hour;

  /// Sizes the per-provider arrays (a no-op when the size is unchanged).
  void resize(Eigen::Index providers);
};

/// The outcome of one price formation.
struct PriceFormation {
  /// The price of the tick; under a rule without one price, the mean paid per PF·h served.
  double price_usd_per_pf_hour = 0.0;
  double capacity_pf = 0.0;  // Σ capacity_i
  double served_pf = 0.0;    // Σ used_i
  double unserved_pf = 0.0;  // demand the offered capacity could not serve
  /// Capacity offered at the price: all of it under clearing, the providers whose ask is
  /// at most the posted price under dynamic_fee.
  double offered_capacity_pf = 0.0;
  /// What users pay per hour of the tick, USD: Σ price_i × used_i.
  double payments_usd_per_hour = 0.0;
};

/// How what users pay reaches providers, per PF·h served.
struct Receipts {
  double kept_share = 1.0;                // 1 − the platform's fee
  double token_ratio = 1.0;               // the token's USD price now / when the price was quoted
  double emission_usd_per_pf_hour = 0.0;  // emissions shared in proportion to work served
  /// What the bills paid over what the formation's prices pay for the work allocated
  /// (revenue_source: bills); 1 when providers are paid the formation's prices.
  double bill_ratio = 1.0;
  /// Payment lag: USD provider i is paid this tick per PF of capacity per hour, added to its
  /// margin in place of used_i / capacity_i × received (nullptr: paid at the tick).
  const double* paid_usd_per_pf_hour = nullptr;
};

/// What settling the providers' margins gave.
struct SettleResult {
  double capacity_weighted_margin = 0.0;  // Σ capacity × rolling margin
  bool any_exit = false;                  // some provider reached exit_after_ticks
};

class PricingRule {
 public:
  virtual ~PricingRule() = default;

  /// Prices `demand_pf` (PF wanted over the tick) over the providers at the hardware
  /// index now, given the price posted before the tick and the marketplace's parameters.
  virtual PriceFormation form(const ProviderPopulation& providers, double posted_price,
                              double hardware_index, double demand_pf,
                              const MarketplaceParams& params,
                              SupplyWorkspace& workspace) const = 0;

  /// Each provider's margin for the tick, per PF of capacity per hour,
  ///   margin_i = (used_i / capacity_i) × (received_i − energy_i) − capex_i × hardware_index,
  /// folded into its rolling margin, rolling_i ← rolling_i + weight × (margin_i − rolling_i),
  /// and its count of consecutive ticks with rolling_i below the exit threshold.
  virtual SettleResult settle(ProviderPopulation& providers, const PriceFormation& formation,
                              double hardware_index, const Receipts& receipts, double weight,
                              const EntryExitParams& params, SupplyWorkspace& workspace) const = 0;

  /// The price posted for the next tick.
  virtual double next_posted_price(double posted_price, const PriceFormation& formation,
                                   double demand_pf, const MarketplaceParams& params) const = 0;
};

/// The rule of a pricing mode.
const PricingRule& pricing_rule(PricingMode mode);

}  // namespace gpumarket
