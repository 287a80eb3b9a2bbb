// A venue's queueing state: capacity in PF, a FIFO line of waiting jobs, the work in
// service, and time integrals of queue length, jobs in system, capacity in use and what the
// bills of the jobs in service pay.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/market/fifo_ring.hpp"

namespace gpumarket {

/// Integrals over time of a venue's piecewise-constant levels. Divide by the
/// elapsed time to get time averages (L_q, L, mean PF in use).
struct VenueAreas {
  double waiting_job_h = 0;
  double in_system_job_h = 0;
  double in_use_pfh = 0;
  double waiting_pfh = 0;  // width of waiting jobs: the unmet part of demand
  double capacity_pfh = 0;

  void add(const VenueAreas& o) {
    waiting_job_h += o.waiting_job_h;
    in_system_job_h += o.in_system_job_h;
    in_use_pfh += o.in_use_pfh;
    waiting_pfh += o.waiting_pfh;
    capacity_pfh += o.capacity_pfh;
  }
};

/// What the jobs in service were billed for the work they did, integrated over time since
/// the last Venue::take_billing(): the supply side's view of a tick (a marketplace whose
/// revenue_source is bills pays its providers from it).
struct VenueBilling {
  double billed_usd = 0;  // ∫ Σ_{jobs in service} billed price × width dt
  double in_use_pfh = 0;  // ∫ Σ_{jobs in service} width dt
};

/// Job counts. "Started" jobs began service; their waits are summed in wait_h.
struct VenueCounts {
  uint64_t arrived = 0;
  uint64_t started = 0;
  uint64_t completed = 0;
  uint64_t abandoned = 0;
  double wait_h = 0;      // sum over started jobs of their wait
  double sojourn_h = 0;   // sum over completed jobs of completion - arrival
  double served_pfh = 0;  // work of completed jobs

  void add(const VenueCounts& o) {
    arrived += o.arrived;
    started += o.started;
    completed += o.completed;
    abandoned += o.abandoned;
    wait_h += o.wait_h;
    sojourn_h += o.sojourn_h;
    served_pfh += o.served_pfh;
  }
};

class Venue {
 public:
  Venue(std::string name, double capacity_pf, double price_usd_per_pf_hour)
      : name_(std::move(name)),
        capacity_pf_(capacity_pf),
        offered_pf_(capacity_pf),
        price_(price_usd_per_pf_hour) {}

  const std::string& name() const { return name_; }
  double capacity_pf() const { return capacity_pf_; }
  double in_use_pf() const { return in_use_pf_; }
  double price_usd_per_pf_hour() const { return price_; }
  int64_t waiting() const { return waiting_; }
  /// Work (PF·h) of the jobs waiting in line.
  double waiting_work_pfh() const { return waiting_work_pfh_; }
  /// A fluid estimate of the wait a newcomer faces: the work ahead of it spread over
  /// the whole capacity. Infinite without capacity.
  double expected_wait_h() const {
    if (waiting_ == 0) return 0.0;
    return capacity_pf_ > 0 ? waiting_work_pfh_ / capacity_pf_ : kInfinity;
  }
  int64_t in_service() const { return in_service_; }
  FifoRing& line() { return line_; }

  /// Brings the time integrals up to `now`. Call before any level changes.
  void advance(SimTime now) {
    const double dt_h = (now - last_).in_hours();
    areas_.waiting_job_h += dt_h * static_cast<double>(waiting_);
    areas_.in_system_job_h += dt_h * static_cast<double>(waiting_ + in_service_);
    areas_.in_use_pfh += dt_h * in_use_pf_;
    areas_.waiting_pfh += dt_h * waiting_pf_;
    areas_.capacity_pfh += dt_h * capacity_pf_;
    billing_.billed_usd += dt_h * billed_usd_per_hour_;
    billing_.in_use_pfh += dt_h * in_use_pf_;
    last_ = now;
  }

  /// True when a job of `width_pf` may start now: nobody waits ahead of it (FIFO) and
  /// it fits in the idle capacity.
  bool can_start_now(double width_pf) const { return waiting_ == 0 && fits(width_pf); }
  bool fits(double width_pf) const { return in_use_pf_ + width_pf <= capacity_pf_; }

  void join_line(uint32_t job, double width_pf, double work_pfh) {
    line_.push_back(job);
    ++waiting_;
    waiting_pf_ += width_pf;
    waiting_work_pfh_ += work_pfh;
  }
  /// A waiting job left the line (started or abandoned); its slot may still sit in the
  /// ring and is skipped when it reaches the head.
  void leave_line(double width_pf, double work_pfh) {
    GPUMARKET_CHECK(waiting_ > 0);
    --waiting_;
    waiting_pf_ -= width_pf;
    waiting_work_pfh_ -= work_pfh;
    if (waiting_ == 0) waiting_pf_ = waiting_work_pfh_ = 0;  // no drift from float sums
  }
  /// A job of `width_pf` starts, billed at `billed_usd_per_pf_hour` (0 for unbilled work)
  /// for as long as it runs; end_service() takes the same two values.
  void start_service(double width_pf, double billed_usd_per_pf_hour) {
    GPUMARKET_CHECK(fits(width_pf));
    in_use_pf_ += width_pf;
    billed_usd_per_hour_ += billed_usd_per_pf_hour * width_pf;
    ++in_service_;
  }
  void end_service(double width_pf, double billed_usd_per_pf_hour) {
    GPUMARKET_CHECK(in_service_ > 0);
    in_use_pf_ -= width_pf;
    billed_usd_per_hour_ -= billed_usd_per_pf_hour * width_pf;
    --in_service_;
    // No drift from summing and subtracting doubles.
    if (in_service_ == 0) in_use_pf_ = billed_usd_per_hour_ = 0;
    if (capacity_pf_ > offered_pf_)
      capacity_pf_ = in_use_pf_ > offered_pf_ ? in_use_pf_ : offered_pf_;
  }
  /// New offered capacity. When it falls below the capacity in use, the running jobs
  /// finish first (leaving providers drain), so the capacity shrinks to it only as they
  /// complete: capacity in use never exceeds capacity.
  void set_capacity_pf(double capacity_pf) {
    offered_pf_ = capacity_pf;
    capacity_pf_ = capacity_pf > in_use_pf_ ? capacity_pf : in_use_pf_;
  }
  void set_price(double price_usd_per_pf_hour) { price_ = price_usd_per_pf_hour; }

  /// Integrals and counts since the last take_*(), which resets them: the model
  /// takes them once per tick for the time series and adds them to its totals.
  VenueAreas take_areas() { return std::exchange(areas_, VenueAreas{}); }
  VenueCounts take_counts() { return std::exchange(counts_, VenueCounts{}); }
  /// The billing integrals since the last take_billing(), which resets them: the venue's
  /// own supply side takes them once per tick (the model's take_areas() is for the output).
  VenueBilling take_billing() { return std::exchange(billing_, VenueBilling{}); }
  VenueCounts& counts() { return counts_; }

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(capacity_pf_, offered_pf_, price_, in_use_pf_, waiting_, waiting_pf_, waiting_work_pfh_,
            in_service_, billed_usd_per_hour_, line_, last_, areas_, counts_, billing_);
  }

 private:
  static constexpr double kInfinity = std::numeric_limits<double>::infinity();

  std::string name_;
  double capacity_pf_;  // offered, or more while leaving capacity drains
  double offered_pf_;
  double price_;
  double in_use_pf_ = 0;
  int64_t waiting_ = 0;
  double waiting_pf_ = 0;
  double waiting_work_pfh_ = 0;
  int64_t in_service_ = 0;
  double billed_usd_per_hour_ = 0;
  FifoRing line_;
  SimTime last_;
  VenueAreas areas_;
  VenueCounts counts_;
  VenueBilling billing_;
};

}  // namespace gpumarket
