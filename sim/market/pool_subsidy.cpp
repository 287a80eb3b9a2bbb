// The fiscal cost of the pool's subsidy and the budget share that may bound it
// (docs/model.md, "Pool operation").
#include <algorithm>
#include <limits>

#include "gpumarket/market/pool_operation.hpp"

namespace gpumarket {

double subsidy_usd(double subsidy_rate, double billed_usd) {
  return subsidy_rate / (1.0 - subsidy_rate) * billed_usd;
}

double subsidy_bound_usd(const AlliancePoolParams& params) {
  if (params.subsidy_budget.empty()) return std::numeric_limits<double>::infinity();
  return params.budget.usd(params.subsidy_budget);
}

double subsidy_rate_in_force(const AlliancePoolParams& params, double paid_usd) {
  return paid_usd < subsidy_bound_usd(params) ? params.subsidy_rate : 0.0;
}

void SubsidyAccount::pay(const AlliancePoolParams& params, double subsidy_rate, double billed_usd) {
  const double left = std::max(0.0, subsidy_bound_usd(params) - paid_usd);
  last_tick_usd = std::min(subsidy_usd(subsidy_rate, billed_usd), left);
  paid_usd += last_tick_usd;
}

}  // namespace gpumarket
