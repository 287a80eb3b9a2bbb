// What the alliance pool's operation keeps between ticks (docs/model.md, "Pool operation"):
// the factor on its cost-based price, its utilisation over the last tick (which sets its
// congestion latency) and the subsidy the state has paid. Each share of the pool holds one;
// the reserved share's bills are nil, so it pays no subsidy.
#pragma once

#include "gpumarket/core/time.hpp"
#include "gpumarket/market/pool_operation.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket {

class PoolOperationState {
 public:
  /// The administered price for the interval that starts now, at the subsidy rate in force.
  double price_usd_per_pf_hour(const AlliancePoolParams& params, double hardware_index) {
    subsidy_rate_ = subsidy_rate_in_force(params, subsidy_.paid_usd);
    return alliance_price_usd_per_pf_hour(params, hardware_index, factor_, subsidy_rate_);
  }

  /// The interval that ends at `now`: its utilisation moves the price factor (not before the
  /// pool has capacity), and the state pays the subsidy on the work it billed.
  void close_interval(const AlliancePoolParams& params, SimTime now, const VenueBilling& billing,
                      double capacity_pf) {
    const double hours = (now - last_close_).in_hours();
    last_close_ = now;
    utilisation_ = pool_utilisation(billing, capacity_pf, hours);
    if (capacity_pf > 0.0) factor_ = next_pool_price_factor(params, factor_, utilisation_);
    subsidy_.pay(params, subsidy_rate_, billing.billed_usd);
  }

  /// The venue's latency plus the congestion latency at the last tick's utilisation.
  Duration latency(const VenueParams& venue, const AlliancePoolParams& params) const {
    if (!params.congestion_latency.enabled()) return venue.latency;
    return venue.latency + pool_congestion_latency(params.congestion_latency, utilisation_);
  }

  double price_factor() const { return factor_; }
  const SubsidyAccount& subsidy() const { return subsidy_; }
  SimTime last_close() const { return last_close_; }

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(factor_, utilisation_, subsidy_rate_, subsidy_, last_close_);
  }

 private:
  double factor_ = 1.0;        // m, 1 under the cost-based rule
  double utilisation_ = 0.0;   // over the last closed interval
  double subsidy_rate_ = 0.0;  // in the price of the current interval
  SubsidyAccount subsidy_;
  SimTime last_close_;
};

}  // namespace gpumarket
