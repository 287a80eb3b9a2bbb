// The pool's congestion latency (docs/model.md, "Pool operation"): u / (1 − u) is the
// M/M/1 delay factor, the simplest form in which the delay grows without bound as the
// load approaches capacity; the cap keeps it finite at u → 1.
#include <algorithm>

#include "gpumarket/market/pool_operation.hpp"

namespace gpumarket {

Duration pool_congestion_latency(const PoolCongestionParams& params, double utilisation) {
  if (!params.enabled()) return Duration();
  if (utilisation >= 1.0) return params.max;
  // Capped in hours first: near u = 1 the uncapped delay would overflow a Duration.
  const double hours = params.scale.in_hours() * utilisation / (1.0 - utilisation);
  return Duration::hours(std::clamp(hours, 0.0, params.max.in_hours()));
}

}  // namespace gpumarket
