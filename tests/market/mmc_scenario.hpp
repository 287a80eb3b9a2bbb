// Builds M/M/c scenarios in code, for the queueing-theory tests of the market model.
#pragma once

#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket::testing {

/// c servers of 1 PF at $2/PF·h, Poisson arrivals at rho*c/h, exponential 1 h services,
/// jobs 1 PF wide that value their work far above the price (never priced out).
inline Scenario mmc_scenario(int64_t servers, double rho, double horizon_h, double warmup_h,
                             uint64_t seed) {
  Scenario s;
  s.name = "mmc";
  s.seed = seed;
  s.start = Date::from_ymd(2026, 1, 1);
  s.horizon = Duration::hours(horizon_h);
  s.warmup = Duration::hours(warmup_h);
  s.tick = Duration::hours(24);
  VenueParams farm;
  farm.name = "farm";
  farm.kind = FixedVenueParams{servers, 1.0, 2.0};
  s.venues.push_back(farm);
  Segment jobs;
  jobs.name = "jobs";
  jobs.demand.arrivals.base_rate_per_hour = rho * static_cast<double>(servers);
  jobs.demand.width_pf = SizeDistribution::constant(1.0);
  jobs.demand.duration_h = SizeDistribution::exponential(1.0);
  jobs.demand.value_usd_per_pf_hour = 1e6;
  jobs.demand.value_of_time_usd_per_pf_hour_per_hour = 0.0;
  s.segments.push_back(jobs);
  s.indicators.daa_venue = "farm";
  return s;
}

}  // namespace gpumarket::testing
