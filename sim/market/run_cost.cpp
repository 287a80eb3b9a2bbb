#include "gpumarket/market/run_cost.hpp"

#include <algorithm>
#include <cmath>

#include "gpumarket/market/demand_sampling.hpp"

namespace gpumarket {
namespace {

// Columns of the tick series: a fixed set plus some per venue, segment, bridge, chain and
// hardware segment. An upper bound fitted to the shipped scenarios (bear: 138 columns).
constexpr double kFixedColumns = 40;
constexpr double kColumnsPerEntity = 12;
constexpr double kBytesPerValue = 8;

// The highest rate λ reaches over [0, horizon_h]: every profile at its peak, the trend at
// whichever end is higher.
double peak_rate_per_hour(const ArrivalParams& a, double horizon_h) {
  const double diurnal = *std::max_element(a.diurnal.begin(), a.diurnal.end());
  const double weekly = *std::max_element(a.weekly.begin(), a.weekly.end());
  const double trend = std::exp(std::max(0.0, a.trend_per_year * horizon_h / kHoursPerYear));
  return a.base_rate_per_hour * diurnal * weekly * trend;
}

// An interval [from_h, to_h) over which one state's parameters hold: the base scenario's,
// then each timeline step's from its date on.
struct Period {
  const Scenario* state;
  double from_h;
  double to_h;
};

std::vector<Period> periods(const Scenario& s) {
  std::vector<Period> out;
  const double horizon_h = s.horizon.in_hours();
  const Scenario* state = &s;
  double from_h = 0.0;
  for (const TimelineStep& step : s.timeline) {
    const double at_h = std::min(step.at.in_hours(), horizon_h);
    if (at_h > from_h) out.push_back({state, from_h, at_h});
    state = step.state.get();
    from_h = std::max(from_h, at_h);
  }
  if (horizon_h > from_h) out.push_back({state, from_h, horizon_h});
  return out;
}

}  // namespace

RunCost estimate_run_cost(const Scenario& s) {
  RunCost cost;
  const double horizon_h = s.horizon.in_hours();
  const double tick_h = s.tick.in_hours();
  cost.ticks = std::ceil(static_cast<double>(s.horizon.count_micros()) /
                         static_cast<double>(s.tick.count_micros()));

  const Weekday start = weekday_of(s.start);
  cost.segment_jobs.assign(s.segments.size(), 0.0);
  std::vector<double> peak_rate(s.segments.size(), 0.0);
  for (const Period& p : periods(s)) {
    for (size_t i = 0; i < s.segments.size() && i < p.state->segments.size(); ++i) {
      const ArrivalParams& a = p.state->segments[i].demand.arrivals;
      cost.segment_jobs[i] += ArrivalSampler(a, start).expected_count(p.from_h, p.to_h);
      peak_rate[i] = std::max(peak_rate[i], peak_rate_per_hour(a, horizon_h));
    }
  }
  double busiest_tick_jobs = 0.0;
  for (size_t i = 0; i < s.segments.size(); ++i) {
    cost.jobs += cost.segment_jobs[i];
    busiest_tick_jobs += std::min(cost.segment_jobs[i], peak_rate[i] * tick_h);
  }
  cost.busiest_tick_jobs = busiest_tick_jobs;

  cost.venue_providers.assign(s.venues.size(), 0.0);
  for (size_t v = 0; v < s.venues.size(); ++v) {
    const MarketplaceParams* m = s.venues[v].as<MarketplaceParams>();
    if (m == nullptr) continue;
    const auto initial = static_cast<double>(m->providers.initial_count);
    const double entrants = m->entry_exit.base_entry_rate_per_day * horizon_h / 24.0;
    const double cap = std::max(initial, static_cast<double>(m->entry_exit.max_providers));
    cost.venue_providers[v] = std::min(cap, initial + entrants);
    cost.providers += cost.venue_providers[v];
  }
  for (const Segment& segment : s.segments) {
    cost.addresses += static_cast<double>(segment.demand.addresses.count);
  }

  const double entities =
      static_cast<double>(s.venues.size() + s.segments.size() + s.bridges.size() + s.chains.size() +
                          s.hardware.segments.size());
  cost.output_bytes = cost.ticks * (kFixedColumns + kColumnsPerEntity * entities) * kBytesPerValue;

  cost.address_memory_bytes = cost.addresses * kBytesPerAddress;
  cost.provider_memory_bytes = cost.providers * kBytesPerProvider;
  cost.tick_batch_memory_bytes = cost.busiest_tick_jobs * kBytesPerTickJob;
  cost.memory_bytes =
      cost.address_memory_bytes + cost.provider_memory_bytes + cost.tick_batch_memory_bytes;
  return cost;
}

}  // namespace gpumarket
