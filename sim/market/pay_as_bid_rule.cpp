// pay_as_bid: a discriminatory-price auction, as in Akash's reverse auction where the
// tenant takes the cheapest bids and pays each provider its own bid (calibration §3).
// Demand is allocated in merit order exactly as under clearing (the cheapest providers
// first, ties at the marginal ask sharing in proportion to capacity), but each provider is
// paid its own ask: users pay Σ ask_i · used_i, and provider i receives
//   ρ_i = (1 − fee) · ask_i · S/S_q + emissions per PF·h served.
// The tick's price is the mean paid per PF·h served (the lowest ask when nothing is
// served), and it is posted for the next tick: it is what the next jobs are billed.
#include "gpumarket/market/pricing_rule.hpp"

namespace gpumarket {
namespace {

class PayAsBidRule final : public PricingRule {
 public:
  PriceFormation form(const ProviderPopulation& pop, double posted_price, double hardware_index,
                      double demand_pf, const MarketplaceParams& params,
                      SupplyWorkspace& ws) const override {
    // Merit order is the clearing rule's allocation; it keeps the asks and the fractions.
    // Its scarcity price is replaced below: under excess demand every provider is full and
    // paid its own ask, so pay-as-bid has no scarcity rent.
    PriceFormation formation = pricing_rule(PricingMode::Clearing)
                                   .form(pop, posted_price, hardware_index, demand_pf, params, ws);
    if (!(formation.served_pf > 0.0)) return formation;  // no providers, or no demand
    double payments = 0.0;
    for (Eigen::Index i = 0; i < pop.size(); ++i) {
      const double ask = ws.ask_usd_per_pf_hour[i];
      payments += ask * pop.capacity_pf[i] * ws.uniform.fraction_in_use(ask);
    }
    formation.payments_usd_per_hour = payments;
    formation.price_usd_per_pf_hour = payments / formation.served_pf;
    return formation;
  }

  SettleResult settle(ProviderPopulation& pop, const PriceFormation& formation,
                      double hardware_index, const Receipts& receipts, double weight,
                      const EntryExitParams& params, SupplyWorkspace& ws) const override {
    const bool served = formation.served_pf > 0.0;
    const auto after = static_cast<double>(params.exit_after_ticks);
    SettleResult result;
    for (Eigen::Index i = 0; i < pop.size(); ++i) {
      const double ask = ws.ask_usd_per_pf_hour[i];
      const double fraction = ws.uniform.fraction_in_use(ask);
      ws.used_pf[i] = pop.capacity_pf[i] * fraction;
      const double received =
          served ? receipts.kept_share * ask * receipts.token_ratio * receipts.bill_ratio +
                       receipts.emission_usd_per_pf_hour
                 : 0.0;
      const double margin = fraction * (received - pop.energy_usd_per_pf_hour[i]) -
                            pop.capex_usd_per_pf_hour[i] * hardware_index;
      double& rolling = pop.rolling_margin_usd_per_pf_hour[i];
      rolling += weight * (margin - rolling);
      double& ticks = pop.negative_margin_ticks[i];
      ticks = rolling < params.exit_threshold_usd_per_pf_hour ? ticks + 1.0 : 0.0;
      result.capacity_weighted_margin += pop.capacity_pf[i] * rolling;
      result.any_exit = result.any_exit || ticks >= after;
    }
    return result;
  }

  // As clearing: the tick's price, or the one posted before when there was none.
  double next_posted_price(double posted_price, const PriceFormation& formation, double demand_pf,
                           const MarketplaceParams& params) const override {
    return pricing_rule(PricingMode::Clearing)
        .next_posted_price(posted_price, formation, demand_pf, params);
  }
};

}  // namespace

const PricingRule& pay_as_bid_rule() {
  static const PayAsBidRule rule;
  return rule;
}

}  // namespace gpumarket
