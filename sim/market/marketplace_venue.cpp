// A permissionless marketplace: providers who enter and leave on their margins, a price
// formed each tick by the marketplace's pricing rule, a token whose USD price moves, and
// the platform's take of every bill.
#include <cmath>

#include "gpumarket/core/random.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "market_state_archive.hpp"
#include "venue_model.hpp"

namespace gpumarket {
namespace {

class MarketplaceVenue final : public VenueModel {
 public:
  MarketplaceVenue(const VenueParams& params, size_t params_index, uint64_t seed,
                   size_t hardware_segment)
      : VenueModel(params.name, params, params_index),
        hardware_segment_(hardware_segment),
        supply_rng_(make_stream(seed, "venue/" + params.name + "/providers")),
        token_rng_(make_stream(seed, "venue/" + params.name + "/token")),
        state_(make_marketplace(marketplace(), supply_rng_)),
        token_usd_(marketplace().token.initial_usd) {
    state_.repricing_rng = make_stream(seed, "venue/" + params.name + "/repricing");
    // Before the first tick nothing was burned or minted and the supply is the initial one.
    last_tick_.token_supply_tokens = state_.token_supply_tokens;
    if (!std::isnan(state_.token_supply_tokens)) last_tick_.tokens_burned = 0.0;
    queue().set_capacity_pf(state_.providers.total_capacity_pf());
  }

  Sector sector() const override { return Sector::Decentralized; }

  void update_supply(const SupplyTick& tick, double demand_pf) override {
    const MarketplaceParams& p = marketplace();
    queue().advance(tick.now);
    // What the jobs in service were billed over the interval just ended.
    const VenueBilling billing = queue().take_billing();
    if (tick.interval_h > 0) {
      // The price formation sees the interval just ended.
      // Burn-and-mint adds the last tick's net burn to the GBM step (0 under the GBM model,
      // where exp(0) = 1 leaves the price's bits as they are).
      token_usd_ =
          token_price_step(token_usd_, p.token, tick.interval_h / kHoursPerYear, token_rng_) *
          std::exp(state_.net_burn_log_impact);
      last_tick_ =
          marketplace_tick(state_, p, demand_pf, token_usd_, tick.hardware_index[hardware_segment_],
                           tick.interval_h, supply_rng_, billing);
    }
    queue().set_capacity_pf(state_.providers.total_capacity_pf());
    queue().set_price(state_.posted_price_usd_per_pf_hour);
  }

  VenueCharges charge(bool /*token_settled*/, double bill_usd) override {
    VenueCharges charges;
    charges.platform_fee_usd = marketplace().platform_fee * bill_usd;
    return charges;
  }

  VenueSupplyState supply_state() const override {
    VenueSupplyState state{static_cast<double>(state_.providers.size()),
                           last_tick_.mean_margin_usd_per_pf_hour, token_usd_};
    state.provider_revenue_usd = last_tick_.provider_revenue_usd;
    state.entrants = static_cast<double>(last_tick_.entrants);
    state.tokens_burned = last_tick_.tokens_burned;
    state.tokens_minted = last_tick_.tokens_minted;
    state.token_supply_tokens = last_tick_.token_supply_tokens;
    return state;
  }

  void save_state(StateWriter& archive) const override {
    VenueModel::save_state(archive);
    archive(supply_rng_, token_rng_, state_, token_usd_, last_tick_);
  }
  void load_state(StateReader& archive) override {
    VenueModel::load_state(archive);
    archive(supply_rng_, token_rng_, state_, token_usd_, last_tick_);
  }

 private:
  const MarketplaceParams& marketplace() const { return *params().as<MarketplaceParams>(); }

  size_t hardware_segment_;  // whose index providers' capital cost moves with
  RandomEngine supply_rng_;  // providers' entry and attributes
  RandomEngine token_rng_;
  MarketplaceState state_;
  double token_usd_;
  MarketplaceTickResult last_tick_;  // for the series
};

}  // namespace

std::unique_ptr<VenueModel> make_marketplace_venue(const VenueParams& params, size_t params_index,
                                                   const VenueBuildContext& context) {
  const size_t segment =
      context.hardware->position(params.as<MarketplaceParams>()->hardware_segment);
  return std::make_unique<MarketplaceVenue>(params, params_index, context.seed, segment);
}

}  // namespace gpumarket
