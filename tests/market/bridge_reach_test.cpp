// bridge_added_capacity against hand-computed cases.
#include "gpumarket/market/bridge_reach.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace gpumarket {
namespace {

// Venues: 0 direct (10 PF), 1 bridge-only over bridge 0 (4 PF), 2 over bridges 0 and 1
// (3 PF), 3 the pool: direct for sovereign jobs only, over bridge 1 for licensed public-chain
// jobs only (7 PF).
struct Market {
  std::vector<uint32_t> venue = {0, 1, 2, 2, 3, 3};
  std::vector<uint32_t> bridge = {kNoBridge, 0, 0, 1, kNoBridge, 1};
  std::vector<double> capacity_pf = {10.0, 4.0, 3.0, 7.0};
  RouteTable routes{6};

  Market() {
    const int unlicensed = job_class(Origin::PublicChain, false);
    const int licensed = job_class(Origin::PublicChain, true);
    routes.allowed(unlicensed, 4) = false;  // pool, sovereign route
    routes.allowed(licensed, 4) = false;
    routes.allowed(unlicensed, 5) = false;  // pool over bridge 1: licensed only
  }
  std::vector<double> added() const {
    std::vector<double> out(2, -1.0);
    bridge_added_capacity(routes, venue, bridge, capacity_pf, out);
    return out;
  }
};

TEST(BridgeReach, ABridgeAddsTheVenuesOnlyItReaches) {
  const Market m;
  // Bridge 0: venue 1 (4 PF); venue 2 is also over bridge 1. Bridge 1: the pool (7 PF).
  EXPECT_EQ(m.added(), (std::vector<double>{4.0, 7.0}));
}

TEST(BridgeReach, ClosingOneOfTwoBridgesMakesTheOtherTheOnlyWay) {
  Market m;
  m.routes.open(3) = false;  // bridge 1's route to venue 2
  m.routes.open(5) = false;  // bridge 1's route to the pool
  EXPECT_EQ(m.added(), (std::vector<double>{7.0, 0.0}));
}

TEST(BridgeReach, AVenueWithADirectRouteAddsNothing) {
  Market m;
  m.routes.allowed(job_class(Origin::PublicChain, true), 4) = true;  // pool direct for licensed
  EXPECT_EQ(m.added(), (std::vector<double>{4.0, 0.0}));
}

}  // namespace
}  // namespace gpumarket
