// A fixed venue: a number of identical servers at a fixed price (the M/M/c ground truth,
// or a centralised cloud). Nothing moves from tick to tick but a timeline's price.
#include "venue_model.hpp"

namespace gpumarket {
namespace {

class FixedVenue final : public VenueModel {
 public:
  FixedVenue(const VenueParams& params, size_t params_index)
      : VenueModel(params.name, params, params_index) {
    const FixedVenueParams& servers = fixed();
    queue().set_capacity_pf(static_cast<double>(servers.servers) * servers.pf_per_server);
  }

  Sector sector() const override { return Sector::Other; }

  void update_supply(const SupplyTick& /*tick*/, double /*demand_pf*/) override {
    queue().set_price(fixed().price_usd_per_pf_hour);
  }

 private:
  const FixedVenueParams& fixed() const { return *params().as<FixedVenueParams>(); }
};

}  // namespace

std::unique_ptr<VenueModel> make_fixed_venue(const VenueParams& params, size_t params_index) {
  return std::make_unique<FixedVenue>(params, params_index);
}

}  // namespace gpumarket
