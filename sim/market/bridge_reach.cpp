#include "gpumarket/market/bridge_reach.hpp"

#include <algorithm>

#include "gpumarket/core/check.hpp"

namespace gpumarket {
namespace {
constexpr uint32_t kNoExclusiveBridge = kNoBridge;
constexpr uint32_t kSeveralRoutes = kNoBridge - 1;  // reachable over two routes or more
}  // namespace

void bridge_added_capacity(const RouteTable& routes, std::span<const uint32_t> route_venue,
                           std::span<const uint32_t> route_bridge,
                           std::span<const double> capacity_pf, std::span<double> added_pf) {
  const auto nr = static_cast<size_t>(routes.size());
  GPUMARKET_CHECK(route_venue.size() == nr && route_bridge.size() == nr);
  std::fill(added_pf.begin(), added_pf.end(), 0.0);
  // Routes and venues number in the tens: a scan of the routes per venue and class is
  // cheaper than any index, and needs no scratch storage.
  for (size_t v = 0; v < capacity_pf.size(); ++v) {
    uint32_t exclusive[2] = {kNoExclusiveBridge, kNoExclusiveBridge};
    for (const bool licensed : {false, true}) {
      const int c = job_class(Origin::PublicChain, licensed);
      uint32_t& only = exclusive[licensed ? 1 : 0];
      bool reached = false;
      for (size_t r = 0; r < nr; ++r) {
        const auto re = static_cast<Eigen::Index>(r);
        if (route_venue[r] != v || !routes.open(re) || !routes.allowed(c, re)) continue;
        // The first route sets the candidate; any other route, direct or over another
        // bridge, means no bridge alone makes the venue reachable.
        if (!reached) {
          only = route_bridge[r];
          reached = true;
        } else if (route_bridge[r] != only) {
          only = kSeveralRoutes;
        }
      }
      if (!reached) only = kNoExclusiveBridge;
    }
    for (int k = 0; k < 2; ++k) {
      const uint32_t b = exclusive[k];
      if (b == kNoExclusiveBridge || b == kSeveralRoutes) continue;
      if (k == 1 && b == exclusive[0]) continue;  // the same bridge for both classes: once
      GPUMARKET_CHECK(b < added_pf.size());
      added_pf[b] += capacity_pf[v];
    }
  }
}

}  // namespace gpumarket
