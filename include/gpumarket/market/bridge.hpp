// A cross-chain bridge at run time: a deterministic FIFO server passing
// capacity_jobs_per_hour jobs, then latency (and proving time) in transit. Tracks the
// work it carries so that volume = delivered + in flight + returned (jobs sent back to
// their origin by an outage), and its outages: while down it is closed and its server stops.
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
  bool is_open(SimTime now) const { return now >= open_at_ && down_reasons_ == 0; }
  SimTime open_at() const { return open_at_; }
  void set_open_at(SimTime open_at) { open_at_ = open_at; }

  /// Hours a job arriving now waits for the bridge's capacity.
  double backlog_h(SimTime now) const { return free_at_ > now ? (free_at_ - now).in_hours() : 0.0; }

  /// A job of `work_pfh` enters now; returns when it leaves the bridge's server. While the
  /// bridge is down its server is stopped at the outage's start: the job queues behind the
  /// work already there, and the whole line moves on by the downtime when it resumes.
  SimTime enter(SimTime now, double work_pfh) {
    const SimTime start = std::max(down_reasons_ > 0 ? down_since_ : now, free_at_);
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

  /// The job left the bridge without reaching its venue (an outage sent it back).
  void withdraw(double work_pfh) {
    returned_pfh_ += work_pfh;
    in_flight_pfh_ -= work_pfh;
    --jobs_in_flight_;
    if (jobs_in_flight_ == 0) in_flight_pfh_ = 0;
  }

  double volume_pfh() const { return volume_pfh_; }
  double delivered_pfh() const { return delivered_pfh_; }
  double in_flight_pfh() const { return in_flight_pfh_; }
  double returned_pfh() const { return returned_pfh_; }
  int64_t jobs_in_flight() const { return jobs_in_flight_; }

  // Outages. A bridge is down while at least one reason holds (a random outage, a scheduled
  // pause); the integrals below are exact piecewise-constant areas in hours.

  bool is_down() const { return down_reasons_ > 0; }
  SimTime down_since() const { return down_since_; }
  /// One more reason to be down; true when the bridge just went down.
  bool go_down(SimTime now) {
    advance(now);
    if (down_reasons_++ > 0) return false;
    down_since_ = now;
    return true;
  }
  /// One reason fewer; true when the bridge just came back up. Its server resumes where it
  /// stopped: work queued at the outage leaves `now − down_since()` later.
  bool go_up(SimTime now) {
    advance(now);
    if (--down_reasons_ > 0) return false;
    if (free_at_ > down_since_) free_at_ = free_at_ + (now - down_since_);
    return true;
  }
  /// The server's queue empties (its jobs were sent back).
  void clear_queue(SimTime now) { free_at_ = std::min(free_at_, now); }

  /// Jobs waiting on the bridge for it to resume.
  void strand(SimTime now) {
    advance(now);
    ++jobs_stranded_now_;
    ++jobs_stranded_;
  }
  void release_stranded(SimTime now) {
    advance(now);
    jobs_stranded_now_ = 0;
  }
  void count_rerouted() { ++jobs_rerouted_; }
  /// A job delivered after `transit_h` hours from its origin to its venue.
  void count_transit(double transit_h) {
    transit_h_ += transit_h;
    ++jobs_delivered_;
  }

  /// Hours down since time 0, up to `now` (≥ the last change).
  double downtime_h(SimTime now) const {
    return downtime_h_ + (down_reasons_ > 0 ? (now - changed_at_).in_hours() : 0.0);
  }
  /// Job-hours spent stranded since time 0, up to `now`.
  double stranded_job_h(SimTime now) const {
    return stranded_job_h_ +
           static_cast<double>(jobs_stranded_now_) * (now - changed_at_).in_hours();
  }
  /// PF reachable by public-chain jobs only through this bridge (bridge_reach.hpp), as of
  /// the last route-table refresh.
  double added_capacity_pf() const { return added_capacity_pf_; }
  void set_added_capacity_pf(double pf) { added_capacity_pf_ = pf; }

  int64_t jobs_stranded() const { return jobs_stranded_; }
  int64_t jobs_rerouted() const { return jobs_rerouted_; }
  int64_t jobs_delivered() const { return jobs_delivered_; }
  double transit_h() const { return transit_h_; }

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(open_at_, free_at_, volume_pfh_, delivered_pfh_, in_flight_pfh_, jobs_in_flight_,
            returned_pfh_, down_reasons_, down_since_, changed_at_, downtime_h_, stranded_job_h_,
            jobs_stranded_now_, jobs_stranded_, jobs_rerouted_, jobs_delivered_, transit_h_,
            added_capacity_pf_);
  }

 private:
  const BridgeParams* params_;
  SimTime open_at_;
  SimTime free_at_;
  double volume_pfh_ = 0;
  double delivered_pfh_ = 0;
  double in_flight_pfh_ = 0;
  int64_t jobs_in_flight_ = 0;

  void advance(SimTime now) {
    downtime_h_ = downtime_h(now);
    stranded_job_h_ = stranded_job_h(now);
    changed_at_ = now;
  }

  double returned_pfh_ = 0;
  int down_reasons_ = 0;
  SimTime down_since_;
  SimTime changed_at_;  // the integrals below are up to here
  double downtime_h_ = 0;
  double stranded_job_h_ = 0;
  int64_t jobs_stranded_now_ = 0;
  int64_t jobs_stranded_ = 0;
  int64_t jobs_rerouted_ = 0;
  int64_t jobs_delivered_ = 0;
  double transit_h_ = 0;
  double added_capacity_pf_ = 0;
};

}  // namespace gpumarket
