// Builds M/M/c scenarios in code, for the queueing-theory tests of the market model.
#pragma once

#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket::testing {

/// c servers of 1 PF, Poisson arrivals at rho*c/h, exponential 1 h services.
inline Scenario mmc_scenario(int64_t servers, double rho, double horizon_h, double warmup_h,
                             uint64_t seed) {
  Scenario s;
  s.name = "mmc";
  s.seed = seed;
  s.start = Date::from_ymd(2026, 1, 1);
  s.horizon = Duration::hours(horizon_h);
  s.warmup = Duration::hours(warmup_h);
  s.tick = Duration::hours(24);
  s.fixed_venues.push_back(FixedVenue{"farm", servers, 1.0, 2.0});
  Segment jobs;
  jobs.name = "jobs";
  jobs.arrival_rate_per_hour = rho * static_cast<double>(servers);
  jobs.duration.shape = DurationDistribution::Shape::Exponential;
  jobs.duration.mean_h = 1.0;
  s.segments.push_back(jobs);
  return s;
}

}  // namespace gpumarket::testing
