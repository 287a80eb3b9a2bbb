// dynamic_fee: a posted price that an EIP-1559-style controller moves towards a target
// utilisation. At the posted price p, providers with ask_i ≤ p are eligible and share
// demand in proportion to capacity: used_i = capacity_i × min(1, demand / eligible
// capacity). (Chosen over filling in ask order: a posted-price venue does not rank its
// providers.) After the tick, p' = dynamic_fee_update(p, dynamic_fee_utilisation(...)).
#include <algorithm>

#include "gpumarket/market/supply_kernels.hpp"
#include "uniform_price.hpp"

namespace gpumarket {
namespace {

class DynamicFeeRule final : public PricingRule {
 public:
  PriceFormation form(const ProviderPopulation& pop, double posted_price, double hardware_index,
                      double demand_pf, const MarketplaceParams& /*params*/,
                      SupplyWorkspace& ws) const override {
    // The asks are not stored unless needed: settle() recomputes them, cheaper than a store
    // and a load.
    const uniform_price::AskPass supply =
        uniform_price::tick_asks(pop, hardware_index, posted_price, /*keep=*/false, ws);
    const double offered = supply.offered_capacity_pf;
    const double fill = offered > 0.0 ? std::min(1.0, demand_pf / offered) : 0.0;
    PriceFormation formation;
    formation.price_usd_per_pf_hour = posted_price;
    formation.capacity_pf = supply.total_capacity_pf;
    formation.offered_capacity_pf = offered;
    // Σ capacity_i × fill over the eligible, without another pass; fill ≤ 1 keeps it ≤ offered.
    formation.served_pf = fill * offered;
    formation.unserved_pf = std::max(0.0, demand_pf - formation.served_pf);
    formation.payments_usd_per_hour = posted_price * formation.served_pf;
    ws.uniform = {posted_price, fill, fill};  // ask ≤ price
    return formation;
  }

  SettleResult settle(ProviderPopulation& pop, const PriceFormation& formation,
                      double hardware_index, const Receipts& receipts, double weight,
                      const EntryExitParams& params, SupplyWorkspace& ws) const override {
    return uniform_price::settle_pass(pop, uniform_price::kept_asks(ws), hardware_index, ws.uniform,
                                      uniform_price::received_usd_per_pf_hour(formation, receipts),
                                      weight, params, nullptr, receipts.paid_usd_per_pf_hour);
  }

  double next_posted_price(double posted_price, const PriceFormation& formation, double demand_pf,
                           const MarketplaceParams& params) const override {
    return dynamic_fee_update(posted_price, dynamic_fee_utilisation(formation, demand_pf),
                              params.dynamic_fee);
  }
};

}  // namespace

const PricingRule& dynamic_fee_rule() {
  static const DynamicFeeRule rule;
  return rule;
}

}  // namespace gpumarket
