// What a run will cost, estimated from its Scenario before anything is built: ticks, jobs,
// providers, addresses, the series it writes and the memory its input sizes. The CLI refuses
// a run over its limits (docs/limits.md) with these numbers, so that a typo such as `tick: 1us`
// fails at once instead of after hours, or after exhausting memory or disk.
#pragma once

#include <vector>

#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket {

/// Upper-bound estimates for one run; doubles, so that absurd inputs do not overflow.
struct RunCost {
  double ticks = 0;                     // horizon / tick
  double jobs = 0;                      // expected arrivals over the horizon, all segments
  std::vector<double> segment_jobs;     // per segment, in Scenario::segments order
  double busiest_tick_jobs = 0;         // arrivals of one tick at the highest rate
  double providers = 0;                 // peak providers, all marketplaces
  std::vector<double> venue_providers;  // per venue (0 for other kinds)
  double addresses = 0;                 // address pool sizes, all segments
  double output_bytes = 0;              // the tick series, uncompressed
  double memory_bytes = 0;              // allocations sized from the input
  double address_memory_bytes = 0;      // the parts of memory_bytes, to name what drives it
  double provider_memory_bytes = 0;
  double tick_batch_memory_bytes = 0;
};

/// Bytes held per unit of input size, measured on the bear scenario (docs/limits.md): an
/// address's Zipf alias table entry, licence flag and daily-activity mark; a provider's
/// struct-of-arrays row; a job generated in one tick (its arrival time, route, slot and events).
inline constexpr double kBytesPerAddress = 40;
inline constexpr double kBytesPerProvider = 200;
inline constexpr double kBytesPerTickJob = 400;

/// The estimates for `scenario`, in closed form (no loop over ticks or jobs), following its
/// timeline's dated changes of arrival rates.
RunCost estimate_run_cost(const Scenario& scenario);

}  // namespace gpumarket
