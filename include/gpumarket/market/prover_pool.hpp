// A prover pool at run time: a FIFO fluid server whose GPUs all work on one proof at a
// time, so a job's proof waits for the proofs ahead of it (docs/model.md, "Prover pools").
// It prices proofs from the GPU-hours they take and counts what it proved.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "gpumarket/core/time.hpp"
#include "gpumarket/scenario/verification.hpp"

namespace gpumarket {

/// TFLOP in one PF·h of work: 10^15 FLOP/s × 3,600 s / 10^12.
inline constexpr double kTflopPerPfHour = 3.6e6;

/// GPU-hours of the pool's GPUs that proving one PF·h of work takes, `hours` after the
/// scenario's start: 3.6·10^6 TFLOP × seconds_per_tflop / 3,600 s, scaled by the reference
/// GPU's speed over the pool's and halved every cost_halving.
double proof_gpu_hours_per_pf_hour(const ProverParams& params, double hours);

/// What the pool did in one tick interval (proofs are counted when they join the pool).
struct ProverInterval {
  double proofs = 0;     // proofs that joined
  double wait_h = 0;     // their summed waits for the pool
  double proof_h = 0;    // their summed proving times
  double gpu_hours = 0;  // GPU-hours they take
  double work_pfh = 0;   // the work they prove
  double completed = 0;  // proofs that finished

  void add(const ProverInterval& o) {
    proofs += o.proofs;
    wait_h += o.wait_h;
    proof_h += o.proof_h;
    gpu_hours += o.gpu_hours;
    work_pfh += o.work_pfh;
    completed += o.completed;
  }
};

class ProverPool {
 public:
  explicit ProverPool(const ProverParams& params) : params_(&params) {}

  const ProverParams& params() const { return *params_; }
  /// Timeline changes swap in new parameters; the queue stays.
  void set_params(const ProverParams& params) { params_ = &params; }

  /// USD a job pays per PF·h of its work to be proven now.
  double price_usd_per_pf_hour(SimTime now) const;
  /// Hours of proving per PF·h of work now (all GPUs on the proof).
  double proof_hours_per_pf_hour(SimTime now) const;
  /// Hours a proof that joins now waits before its proving starts.
  double backlog_h(SimTime now) const { return free_at_ > now ? (free_at_ - now).in_hours() : 0.0; }

  struct Proof {
    SimTime start;  // proving begins
    SimTime done;   // proving ends
  };
  /// A proof of `work_pfh` joins at `ready` (≥ the previous proof's `ready`: FIFO).
  Proof enter(SimTime ready, double work_pfh);

  /// Proofs joined but not yet finished, and those not yet started, at `now` (call with
  /// non-decreasing `now`).
  int64_t in_system(SimTime now);
  int64_t waiting(SimTime now);

  /// The counts since the last take_interval() up to `now`, which are reset.
  ProverInterval take_interval(SimTime now);

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(free_at_, proofs_, head_, not_started_, interval_);
  }

 private:
  void retire(SimTime now);

  const ProverParams* params_;
  SimTime free_at_;
  // The proofs not yet finished, in FIFO order from head_: start and end times.
  std::vector<std::pair<SimTime, SimTime>> proofs_;
  size_t head_ = 0;
  size_t not_started_ = 0;  // index of the first proof that has not started
  ProverInterval interval_;
};

}  // namespace gpumarket
