// A scenario as plain structs: what io/scenario_loader reads from YAML and what the
// market model is built from. Every field is documented in scenarios/README.md
// (meaning, unit, default); the loader validates all of it before a run starts.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/time.hpp"

namespace gpumarket {

/// The distribution of a job's duration.
struct DurationDistribution {
  enum class Shape { Exponential, Lognormal };
  Shape shape = Shape::Exponential;
  double mean_h = 1.0;    // exponential: the mean
  double median_h = 1.0;  // lognormal: exp(mu), in hours
  double sigma = 1.0;     // lognormal: standard deviation of the log-duration
};

/// A venue with a fixed number of identical servers and a fixed price: the M/M/c
/// ground truth of the engine.
struct FixedVenue {
  std::string name;
  int64_t servers = 1;
  double pf_per_server = 1.0;
  double price_usd_per_pf_hour = 0.0;
};

/// A stream of jobs.
struct Segment {
  std::string name;
  double arrival_rate_per_hour = 1.0;
  double width_pf = 1.0;
  DurationDistribution duration;
  Duration patience = Duration::infinite();  // a job waiting longer abandons
};

struct Scenario {
  std::string name;
  std::string description;
  uint64_t seed = 1;
  Date start;                       // time 0
  Duration horizon = Duration::days(365);
  Duration tick = Duration::hours(1);  // market tick and time-series sampling interval
  Duration warmup;                  // statistics ignore [0, warmup)
  std::vector<FixedVenue> fixed_venues;
  std::vector<Segment> segments;
};

}  // namespace gpumarket
