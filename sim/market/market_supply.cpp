// The supply side at each market tick: the hardware index moves with the secular decline
// and the venues' procurement, then every venue sets its capacity and price for the next
// interval (each kind in its own file), and waiting jobs start where capacity opened up.
#include "market_model_impl.hpp"

namespace gpumarket {

// Runs at each tick, after the interval [now - interval_h, now) was recorded.
void MarketModel::Impl::update_supply(SimTime now, double interval_h) {
  const double dt_years = interval_h / kHoursPerYear;
  if (dt_years > 0) {
    double procurement_pf_per_year = 0.0;
    for (const auto& venue : venues_) {
      procurement_pf_per_year += venue->procurement_pressure_pf_per_year(now.in_hours());
    }
    hardware_index_ =
        hardware_index_step(hardware_index_, current_->hardware, procurement_pf_per_year, dt_years);
  }
  const SupplyTick tick{now, interval_h, hardware_index_};
  const std::vector<double>& demand_pf = metrics_->last_demand_pf();
  for (uint32_t v = 0; v < venues_.size(); ++v) venues_[v]->update_supply(tick, demand_pf[v]);
  for (uint32_t v = 0; v < venues_.size(); ++v) start_waiting_jobs(v);
}

}  // namespace gpumarket
