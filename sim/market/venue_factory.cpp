// The one place that turns a venue's kind into its run-time model.
#include "venue_model.hpp"

namespace gpumarket {
namespace {

template <class... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;  // for compilers without aggregate CTAD

}  // namespace

std::vector<std::unique_ptr<VenueModel>> make_venue_models(const Scenario& scenario,
                                                           const VenueBuildContext& context) {
  std::vector<std::unique_ptr<VenueModel>> venues;
  for (size_t i = 0; i < scenario.venues.size(); ++i) {
    const VenueParams& params = scenario.venues[i];
    std::visit(
        Overloaded{
            [&](const FixedVenueParams&) { venues.push_back(make_fixed_venue(params, i)); },
            [&](const AlliancePoolParams&) { add_alliance_pool(params, i, context, venues); },
            [&](const MarketplaceParams&) {
              venues.push_back(make_marketplace_venue(params, i, context));
            },
        },
        params.kind);
  }
  return venues;
}

}  // namespace gpumarket
