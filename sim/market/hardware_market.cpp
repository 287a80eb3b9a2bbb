// The hardware market's segments: trend, lagged supply and the index in levels.
#include "gpumarket/market/hardware_market.hpp"

#include <cmath>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/time.hpp"

namespace gpumarket {

double hardware_index_level(double trend, double demand_pf_per_year, double supply_pf_per_year,
                            double supply_elasticity) {
  // Without demand or supply there is no scarcity to price: the trend.
  if (!(demand_pf_per_year > 0.0) || !(supply_pf_per_year > 0.0)) return trend;
  return trend * std::pow(demand_pf_per_year / supply_pf_per_year, 1.0 / supply_elasticity);
}

void hardware_segment_step(HardwareSegmentState& state, const HardwareSegmentParams& params,
                           double pool_purchase_pf_per_year, double dt_years) {
  // The trend as a product of per-step factors, so that without purchases the index is
  // exactly the old stepwise secular decline.
  state.trend *= std::exp(std::log1p(-params.decline_per_year) * dt_years);
  state.demand_pf_per_year =
      params.world_demand_pf_per_year + params.pool_share * pool_purchase_pf_per_year;
  const double lag_years = params.supply_lag.in_hours() / kHoursPerYear;
  const double gap = state.supply_pf_per_year - state.demand_pf_per_year;
  state.supply_pf_per_year = state.demand_pf_per_year + gap * std::exp(-dt_years / lag_years);
  state.index = hardware_index_level(state.trend, state.demand_pf_per_year,
                                     state.supply_pf_per_year, params.supply_elasticity);
}

HardwareMarket::HardwareMarket(const HardwareMarketParams& params) {
  for (const HardwareSegmentParams& p : params.segments) {
    HardwareSegmentState state;
    state.trend = p.initial;
    state.supply_pf_per_year = p.world_demand_pf_per_year;
    state.demand_pf_per_year = p.world_demand_pf_per_year;
    state.index = p.initial;
    segments_.push_back(state);
    indices_.push_back(state.index);
  }
}

void HardwareMarket::step(const HardwareMarketParams& params, double pool_purchase_pf_per_year,
                          double dt_years) {
  GPUMARKET_CHECK(params.segments.size() == segments_.size());
  for (size_t s = 0; s < segments_.size(); ++s) {
    hardware_segment_step(segments_[s], params.segments[s], pool_purchase_pf_per_year, dt_years);
    indices_[s] = segments_[s].index;
  }
}

void HardwareMarket::cut_supply(const HardwareMarketParams& params, size_t s, double share) {
  HardwareSegmentState& state = segments_[s];
  state.supply_pf_per_year *= 1.0 - share;
  state.index =
      hardware_index_level(state.trend, state.demand_pf_per_year, state.supply_pf_per_year,
                           params.segments[s].supply_elasticity);
  indices_[s] = state.index;
}

}  // namespace gpumarket
