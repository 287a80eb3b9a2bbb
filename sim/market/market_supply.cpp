// The supply side at each market tick: the hardware market moves with its trends and the
// venues' purchases (in flight since the last tick), then every venue sets its capacity and
// price for the next interval (each kind in its own file; the pool orders and takes
// deliveries there), and waiting jobs start where capacity opened up.
#include "gpumarket/market/pool_procurement.hpp"
#include "market_model_impl.hpp"

namespace gpumarket {

// Runs at each tick, after the interval [now - interval_h, now) was recorded.
void MarketModel::Impl::update_supply(SimTime now, double interval_h) {
  const double dt_years = interval_h / kHoursPerYear;
  if (dt_years > 0) {
    double purchase_pf_per_year = 0.0;
    for (const auto& venue : venues_)
      purchase_pf_per_year += venue->hardware_purchase_pf_per_year();
    hardware_.step(current_->hardware, purchase_pf_per_year, dt_years);
  }
  // Sanctions shocks of the last interval withdraw supply from the pool's segment.
  for (const auto& venue : venues_) {
    PoolProcurement* procurement = venue->pool_procurement();
    if (procurement == nullptr) continue;
    const double factor = procurement->take_supply_factor();
    if (factor == 1.0) continue;
    const auto* pool = current_->venues[venue->params_index()].as<AlliancePoolParams>();
    hardware_.cut_supply(current_->hardware, current_->hardware.position(pool->hardware_segment),
                         1.0 - factor);
  }
  const SupplyTick tick{now, interval_h, hardware_.indices()};
  const std::vector<double>& demand_pf = metrics_->last_demand_pf();
  for (uint32_t v = 0; v < venues_.size(); ++v) venues_[v]->update_supply(tick, demand_pf[v]);
  for (uint32_t v = 0; v < venues_.size(); ++v) start_waiting_jobs(v);
}

}  // namespace gpumarket
