// A cross-chain bridge at run time: a deterministic FIFO server passing
// capacity_jobs_per_hour jobs, then latency (and proving time) in transit. Tracks the
// work it carries so that volume = delivered + in flight.
#pragma once

#include <algorithm>
#include <cstdint>

#include "gpumarket/core/time.hpp"
#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket {

/// A bridge index meaning "no bridge": the job or payment went directly to its venue.
inline constexpr uint32_t kNoBridge = UINT32_MAX;

class Bridge {
 public:
  Bridge(const BridgeParams& params, SimTime open_at) : params_(&params), open_at_(open_at) {}

  const BridgeParams& params() const { return *params_; }
  /// Timeline changes swap in new parameters; the queue and counters stay.
  void set_params(const BridgeParams& params) { params_ = &params; }
  bool is_open(SimTime now) const { return now >= open_at_; }
  SimTime open_at() const { return open_at_; }
  void set_open_at(SimTime open_at) { open_at_ = open_at; }

  /// Hours a job arriving now waits for the bridge's capacity.
  double backlog_h(SimTime now) const { return free_at_ > now ? (free_at_ - now).in_hours() : 0.0; }

  /// A job of `work_pfh` enters now; returns when it leaves the bridge's server.
  SimTime enter(SimTime now, double work_pfh) {
    const SimTime start = std::max(now, free_at_);
    free_at_ = start + Duration::hours(1.0 / params_->capacity_jobs_per_hour);
    volume_pfh_ += work_pfh;
    in_flight_pfh_ += work_pfh;
    ++jobs_in_flight_;
    return free_at_;
  }

  /// The job reached its venue.
  void deliver(double work_pfh) {
    delivered_pfh_ += work_pfh;
    in_flight_pfh_ -= work_pfh;
    --jobs_in_flight_;
    if (jobs_in_flight_ == 0) in_flight_pfh_ = 0;  // no drift from float sums
  }

  double volume_pfh() const { return volume_pfh_; }
  double delivered_pfh() const { return delivered_pfh_; }
  double in_flight_pfh() const { return in_flight_pfh_; }
  int64_t jobs_in_flight() const { return jobs_in_flight_; }

 private:
  const BridgeParams* params_;
  SimTime open_at_;
  SimTime free_at_;
  double volume_pfh_ = 0;
  double delivered_pfh_ = 0;
  double in_flight_pfh_ = 0;
  int64_t jobs_in_flight_ = 0;
};

}  // namespace gpumarket
