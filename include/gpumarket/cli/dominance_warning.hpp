// The warning under a headline table when one job or one tick (one day for DAA) contributed
// more than kDominanceThreshold of an indicator's window sum (the summary's
// <indicator>_largest_{job,tick,day}_share values; docs/output.md, "Dominance").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpumarket {

/// Above this share, a single draw decides the indicator: a quarter of a month-long window's
/// bridge volume from one job is the heavy tail speaking, not the scenario.
inline constexpr double kDominanceThreshold = 0.25;

/// One share value that exceeded the threshold in some replications.
struct Dominance {
  std::string indicator;      // e.g. bridge_volume_before_pfh_per_day
  std::string share_name;     // e.g. bridge_volume_before_pfh_per_day_largest_job_share
  std::string contributor;    // "job", "tick" or "day"
  uint64_t replications = 0;  // with a share above the threshold
  uint64_t of = 0;            // with a value (NaN shares are left out)
  double largest = 0;         // the largest share over them
};

/// The share values among `names` whose value exceeds kDominanceThreshold in at least one
/// replication, in the order of `names`; values[k] holds name k's value in each replication
/// (one for a single run). An indicator's tick share is left out when its job share is in.
std::vector<Dominance> find_dominance(const std::vector<std::string>& names,
                                      const std::vector<std::vector<double>>& values);

/// One warning line per entry ("" for none): for a single run (`runs` 1) the share, for an
/// ensemble in how many replications it happened and the largest share.
std::string format_dominance(const std::vector<Dominance>& found, uint64_t runs);

}  // namespace gpumarket
