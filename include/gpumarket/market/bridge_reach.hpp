// What a bridge adds to the market: the capacity of the venues that public-chain jobs can
// reach over it and over no other open route (docs/model.md, "Capacity a bridge adds").
#pragma once

#include <cstdint>
#include <span>

#include "gpumarket/market/bridge.hpp"
#include "gpumarket/market/routing.hpp"

namespace gpumarket {

/// For each bridge b, added_pf[b] = Σ capacity_pf[v] over the venues v for which, for at
/// least one public-chain job class c (licensed or not), the routes open and allowed to c
/// that lead to v all cross b (and there is one). A venue that c can also reach directly or
/// over another bridge adds nothing to b: closing b would not take it away from c.
///
/// `route_venue[r]` and `route_bridge[r]` (kNoBridge: direct) describe route r of `routes`;
/// `capacity_pf` has one entry per venue, `added_pf` one per bridge (overwritten).
void bridge_added_capacity(const RouteTable& routes, std::span<const uint32_t> route_venue,
                           std::span<const uint32_t> route_bridge,
                           std::span<const double> capacity_pf, std::span<double> added_pf);

}  // namespace gpumarket
