// The supply side at run time: venues of each kind, and what the market tick does to
// them: the hardware index, token prices, marketplace clearing with provider entry and
// exit, and the alliance pool's capacity ramp and administered price.
#include <cmath>

#include "gpumarket/core/check.hpp"
#include "market_model_impl.hpp"

namespace gpumarket {

const VenueParams& MarketModel::Impl::venue_params(const VenueRuntime& venue) const {
  return current_->venues[venue.params_index];
}

void MarketModel::Impl::build_venues() {
  const uint64_t seed = scenario_.seed;
  for (size_t i = 0; i < scenario_.venues.size(); ++i) {
    const VenueParams& p = scenario_.venues[i];
    auto add = [&](const std::string& name, bool reserved) {
      venues_.push_back(VenueRuntime{Venue(name, 0.0, 0.0),
                                     p.kind,
                                     i,
                                     reserved,
                                     std::nullopt,
                                     make_stream(seed, "venue/" + name + "/providers"),
                                     make_stream(seed, "venue/" + name + "/token"),
                                     0.0,
                                     {}});
    };
    switch (p.kind) {
      case VenueParams::Kind::Fixed:
        add(p.name, false);
        venues_.back().queue.set_capacity_pf(static_cast<double>(p.fixed.servers) *
                                             p.fixed.pf_per_server);
        break;
      case VenueParams::Kind::Pool:
        pool_ = static_cast<int64_t>(venues_.size());
        add(p.name, false);
        pool_reserved_ = static_cast<int64_t>(venues_.size());
        add(p.name + "_reserved", true);
        break;
      case VenueParams::Kind::Marketplace: {
        add(p.name, false);
        VenueRuntime& v = venues_.back();
        v.marketplace = make_marketplace(p.marketplace, v.supply_rng);
        v.token_usd = p.marketplace.token.initial_usd;
        v.queue.set_capacity_pf(v.marketplace->providers.total_capacity_pf());
        break;
      }
    }
  }
  if (pool_ >= 0) {
    const AlliancePoolParams& pool = scenario_.venues[venues_[pool_].params_index].pool;
    const Date opens =
        pool.capacity_ramp.empty() ? scenario_.start : pool.capacity_ramp.front().date;
    licensed_access_from_ = midnight_of(opens, scenario_.start) + pool.licence_delay;
  }
  hardware_index_ = scenario_.hardware.initial;
}

// Runs at each tick, after the interval [now - interval_hours, now) was recorded.
void MarketModel::Impl::update_supply(SimTime now, double interval_hours) {
  const double hours = now.in_hours();
  const double dt_years = interval_hours / 8760.0;
  if (pool_ >= 0) {
    const AlliancePoolParams& pool = venue_params(venues_[pool_]).pool;
    const double purchase = alliance_purchase_rate_pf_per_year(pool, scenario_.start, hours);
    if (dt_years > 0) {
      hardware_index_ = hardware_index_step(hardware_index_, current_->hardware,
                                            pool.procurement_coupling, purchase, dt_years);
    }
    const double installed = alliance_capacity_pf(pool, scenario_.start, hours);
    const double price = alliance_price_usd_per_pf_hour(pool, hardware_index_);
    for (int64_t index : {pool_, pool_reserved_}) {
      VenueRuntime& v = venues_[index];
      const double share = v.reserved ? pool.reserved_share : 1.0 - pool.reserved_share;
      v.queue.advance(now);
      v.queue.set_capacity_pf(installed * share);
      v.queue.set_price(price);
    }
  } else if (dt_years > 0) {
    hardware_index_ = hardware_index_step(hardware_index_, current_->hardware, 0.0, 0.0, dt_years);
  }

  for (uint32_t index = 0; index < venues_.size(); ++index) {
    VenueRuntime& v = venues_[index];
    const VenueParams& p = venue_params(v);
    if (v.kind == VenueParams::Kind::Fixed) {
      v.queue.set_price(p.fixed.price_usd_per_pf_hour);
      continue;
    }
    if (v.kind != VenueParams::Kind::Marketplace) continue;
    if (interval_hours > 0) {
      // The clearing sees the interval just ended (see close_interval).
      const double demand_pf = last_demand_pf_[index];
      v.token_usd = token_price_step(v.token_usd, p.marketplace.token, dt_years, v.token_rng);
      v.last_tick = marketplace_tick(*v.marketplace, p.marketplace, demand_pf, v.token_usd,
                                     hardware_index_, interval_hours, v.supply_rng);
    }
    v.queue.advance(now);
    v.queue.set_capacity_pf(v.marketplace->providers.total_capacity_pf());
    v.queue.set_price(v.marketplace->posted_price_usd_per_pf_hour);
  }
  for (uint32_t index = 0; index < venues_.size(); ++index) start_waiting_jobs(index);
}

}  // namespace gpumarket
