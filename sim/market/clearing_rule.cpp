// Clearing: a merit-order uniform price. With asks sorted ascending, the price is the ask
// of the marginal provider, the first whose cumulative capacity reaches demand. Providers
// with a lower ask serve their full capacity; those whose ask equals the price share the
// rest in proportion to capacity; the others serve nothing.
// - demand 0: the lowest ask, nothing served;
// - demand ≥ total capacity: every provider full, the excess unserved, and the price the
//   scarcity price above the highest ask (scarcity_price_usd_per_pf_hour; with the default
//   slope 0 the highest ask itself: merit order alone has no scarcity rent);
// - no providers: price NaN, everything unserved, and the posted price stays.
// Expected O(n) (narrowed weighted quickselect), not a full sort.
#include <algorithm>
#include <cmath>
#include <limits>

#include "gpumarket/market/supply_kernels.hpp"
#include "uniform_price.hpp"

namespace gpumarket {
namespace {

class ClearingRule final : public PricingRule {
 public:
  PriceFormation form(const ProviderPopulation& pop, double posted_price, double hardware_index,
                      double demand_pf, const MarketplaceParams& params,
                      SupplyWorkspace& ws) const override {
    // The asks are kept: the selection runs over them, and settle() reuses them.
    const uniform_price::AskPass supply =
        uniform_price::tick_asks(pop, hardware_index, 0.0, /*keep=*/true, ws);
    const Eigen::Index n = pop.size();
    PriceFormation formation;
    formation.capacity_pf = supply.total_capacity_pf;
    formation.offered_capacity_pf = supply.total_capacity_pf;
    ws.uniform = {posted_price, 0.0, 0.0};
    if (n == 0) {
      formation.price_usd_per_pf_hour = std::numeric_limits<double>::quiet_NaN();
      formation.unserved_pf = demand_pf;
    } else if (demand_pf <= 0.0) {
      formation.price_usd_per_pf_hour = ws.ask_usd_per_pf_hour.minCoeff();
    } else if (demand_pf >= supply.total_capacity_pf) {
      // Every ask is below or at this price, so every provider serves its full capacity.
      formation.price_usd_per_pf_hour = scarcity_price_usd_per_pf_hour(
          ws.ask_usd_per_pf_hour.maxCoeff(), demand_pf, supply.total_capacity_pf, params.scarcity);
      formation.served_pf = supply.total_capacity_pf;
      formation.unserved_pf = demand_pf - supply.total_capacity_pf;
      ws.uniform.below = ws.uniform.at = 1.0;
    } else {
      const double price = uniform_price::marginal_ask_narrowed(
          ws.ask_usd_per_pf_hour.data(), pop.capacity_pf.data(), n, demand_pf, ws);
      const auto [below, at_price] = uniform_price::capacity_below_and_at(
          ws.ask_usd_per_pf_hour.data(), pop.capacity_pf.data(), n, price);
      // Clamped so that rounding can never push a provider past its capacity.
      const double share =
          at_price > 0.0 ? std::clamp((demand_pf - below) / at_price, 0.0, 1.0) : 0.0;
      formation.price_usd_per_pf_hour = price;
      // Σ used_i without another pass; the clamp keeps rounding from serving past demand.
      formation.served_pf = std::min(demand_pf, below + share * at_price);
      formation.unserved_pf = std::max(0.0, demand_pf - formation.served_pf);
      ws.uniform.below = 1.0;
      ws.uniform.at = share;
    }
    ws.uniform.price_usd_per_pf_hour = formation.price_usd_per_pf_hour;
    formation.payments_usd_per_hour = formation.price_usd_per_pf_hour * formation.served_pf;
    return formation;
  }

  // The used capacity is kept in the workspace too (callers inspect it).
  SettleResult settle(ProviderPopulation& pop, const PriceFormation& formation,
                      double hardware_index, const Receipts& receipts, double weight,
                      const EntryExitParams& params, SupplyWorkspace& ws) const override {
    return uniform_price::settle_pass(
        pop, ws.ask_usd_per_pf_hour.data(), hardware_index, ws.uniform,
        uniform_price::received_usd_per_pf_hour(formation, receipts), weight, params,
        ws.used_pf.data(), receipts.paid_usd_per_pf_hour);
  }

  double next_posted_price(double posted_price, const PriceFormation& formation,
                           double /*demand_pf*/,
                           const MarketplaceParams& /*params*/) const override {
    return std::isnan(formation.price_usd_per_pf_hour) ? posted_price
                                                       : formation.price_usd_per_pf_hour;
  }
};

}  // namespace

const PricingRule& clearing_rule() {
  static const ClearingRule rule;
  return rule;
}

}  // namespace gpumarket
