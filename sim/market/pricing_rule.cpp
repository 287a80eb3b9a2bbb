// The one place that maps a marketplace's pricing mode to its rule.
#include "gpumarket/market/pricing_rule.hpp"

#include "gpumarket/core/check.hpp"

namespace gpumarket {

// Each defined in its rule's file.
const PricingRule& clearing_rule();
const PricingRule& dynamic_fee_rule();
const PricingRule& pay_as_bid_rule();

const PricingRule& pricing_rule(PricingMode mode) {
  switch (mode) {
    case PricingMode::Clearing:
      return clearing_rule();
    case PricingMode::DynamicFee:
      return dynamic_fee_rule();
    case PricingMode::PayAsBid:
      return pay_as_bid_rule();
  }
  GPUMARKET_CHECK_MSG(false, "unknown pricing mode");
  return clearing_rule();
}

}  // namespace gpumarket
