// The prover pool's formulas and its FIFO: docs/model.md, "Prover pools".
#include "gpumarket/market/prover_pool.hpp"

#include <algorithm>
#include <cmath>

namespace gpumarket {

double proof_gpu_hours_per_pf_hour(const ProverParams& params, double hours) {
  const double reference_gpu_hours = kTflopPerPfHour * params.seconds_per_tflop / 3600.0;
  const double learning =
      params.cost_halving.is_infinite() ? 1.0 : std::exp2(-hours / params.cost_halving.in_hours());
  return reference_gpu_hours * (kProofReferenceGpuPf / params.gpu_pf) * learning;
}

double ProverPool::price_usd_per_pf_hour(SimTime now) const {
  return proof_gpu_hours_per_pf_hour(*params_, now.in_hours()) * params_->price_usd_per_gpu_hour;
}

double ProverPool::proof_hours_per_pf_hour(SimTime now) const {
  return proof_gpu_hours_per_pf_hour(*params_, now.in_hours()) / static_cast<double>(params_->gpus);
}

ProverPool::Proof ProverPool::enter(SimTime ready, double work_pfh) {
  const double gpu_hours = proof_gpu_hours_per_pf_hour(*params_, ready.in_hours()) * work_pfh;
  const double proof_h = gpu_hours / static_cast<double>(params_->gpus);
  const SimTime start = std::max(ready, free_at_);
  const SimTime done = start + Duration::hours(proof_h);
  free_at_ = done;
  // Compact the finished prefix once it is at least half the buffer: amortised O(1), and
  // the capacity is kept, so the steady state does not allocate.
  if (head_ > 64 && 2 * head_ >= proofs_.size()) {
    proofs_.erase(proofs_.begin(), proofs_.begin() + static_cast<std::ptrdiff_t>(head_));
    not_started_ -= head_;
    head_ = 0;
  }
  proofs_.emplace_back(start, done);
  interval_.proofs += 1;
  interval_.wait_h += (start - ready).in_hours();
  interval_.proof_h += (done - start).in_hours();
  interval_.gpu_hours += gpu_hours;
  interval_.work_pfh += work_pfh;
  return {start, done};
}

void ProverPool::retire(SimTime now) {
  while (head_ < proofs_.size() && proofs_[head_].second <= now) {
    ++head_;
    interval_.completed += 1;
  }
  not_started_ = std::max(not_started_, head_);
  while (not_started_ < proofs_.size() && proofs_[not_started_].first <= now) ++not_started_;
}

int64_t ProverPool::in_system(SimTime now) {
  retire(now);
  return static_cast<int64_t>(proofs_.size() - head_);
}

int64_t ProverPool::waiting(SimTime now) {
  retire(now);
  return static_cast<int64_t>(proofs_.size() - not_started_);
}

ProverInterval ProverPool::take_interval(SimTime now) {
  retire(now);
  return std::exchange(interval_, ProverInterval{});
}

}  // namespace gpumarket
