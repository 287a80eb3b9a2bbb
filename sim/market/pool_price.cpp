// The pool's administered price under load: the factor that utilisation targeting puts on
// the cost-based price (docs/model.md, "Pool operation"). The controller is the dynamic
// fee's: one implementation, utilisation_target_step in supply_kernels.cpp.
#include <algorithm>

#include "gpumarket/market/pool_operation.hpp"
#include "gpumarket/market/supply_kernels.hpp"

namespace gpumarket {

double next_pool_price_factor(const AlliancePoolParams& params, double factor, double utilisation) {
  if (params.price_rule == PoolPriceRule::CostBased) return factor;
  const PoolUtilisationTargetParams& t = params.utilisation_target;
  return utilisation_target_step(factor, utilisation, t.target_utilisation, t.adjustment,
                                 t.min_factor, t.max_factor);
}

double pool_utilisation(const VenueBilling& billing, double capacity_pf, double hours) {
  if (!(capacity_pf > 0.0 && hours > 0.0)) return 0.0;
  return std::clamp(billing.in_use_pfh / (capacity_pf * hours), 0.0, 1.0);
}

}  // namespace gpumarket
