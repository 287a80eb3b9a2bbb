// Verified work at run time: each venue's verification, the prover pools of zk venues and
// of bridges with a `prover` block, and what happens to a job once verification has
// judged its attempt (docs/model.md, "Verification" and "Prover pools").
#include "gpumarket/core/check.hpp"
#include "market_model_impl.hpp"

namespace gpumarket {

void MarketModel::Impl::build_verification() {
  verification_.reserve(venues_.size());
  venue_prover_.assign(venues_.size(), kNoProver);
  bridge_prover_.assign(bridges_.size(), kNoProver);
  for (uint32_t v = 0; v < venues_.size(); ++v) {
    const std::optional<VerificationParams>& params = venues_[v]->params().verification;
    verification_.emplace_back(
        params ? &*params : nullptr,
        make_stream(scenario_.seed, "venue/" + venues_[v]->name() + "/verification"));
    if (params && params->prover) {
      venue_prover_[v] = static_cast<uint32_t>(provers_.size());
      provers_.emplace_back(*params->prover);
      prover_names_.push_back(venues_[v]->name());
    }
  }
  for (uint32_t b = 0; b < bridges_.size(); ++b) {
    const std::optional<ProverParams>& prover = bridges_[b].params().prover;
    if (!prover) continue;
    bridge_prover_[b] = static_cast<uint32_t>(provers_.size());
    provers_.emplace_back(*prover);
    prover_names_.push_back(bridges_[b].params().name);
  }
}

// A timeline step keeps every verification and prover block (the loader checks it) and may
// change their values.
void MarketModel::Impl::set_verification_params() {
  for (uint32_t v = 0; v < venues_.size(); ++v) {
    const std::optional<VerificationParams>& params =
        current_->venues[venues_[v]->params_index()].verification;
    verification_[v].set_params(params ? &*params : nullptr);
    if (venue_prover_[v] != kNoProver) provers_[venue_prover_[v]].set_params(*params->prover);
  }
  for (uint32_t b = 0; b < bridges_.size(); ++b) {
    if (bridge_prover_[b] != kNoProver) {
      provers_[bridge_prover_[b]].set_params(*current_->bridges[b].prover);
    }
  }
}

void MarketModel::Impl::on_proof_done(uint32_t slot) {
  GPUMARKET_CHECK(jobs_[slot].state == JobState::InProof);
  --jobs_in_proof_;
  finish_attempt(slot);
}

// The attempt's verdict: a correct result is verified work; an undetected bad one is
// delivered but not verified; a caught one is redone at the venue or lost.
void MarketModel::Impl::finish_attempt(uint32_t slot) {
  Job& job = jobs_[slot];
  const uint32_t v = job.venue;
  switch (job.verdict) {
    case Verdict::Correct:
      metrics_->on_verified(v, job.work_pfh());
      break;
    case Verdict::Undetected:
      break;
    case Verdict::Caught: {
      metrics_->on_rejected(v);
      Venue& venue = venues_[v]->queue();
      if (verification_[v].params()->on_rejection == RejectionPolicy::Redo) {
        // Waits and sojourns count per attempt: the redo's from its return to the line.
        venue.advance(sim_.now());
        job.arrival = sim_.now();
        job.abandonment = {};  // the first wait's event is spent; a new wait schedules its own
        join_venue(slot);
        return;
      }
      // Lost: it finished service but leaves without a result (no served work).
      ++venue.counts().completed;
      ++totals_.jobs_completed;
      jobs_.release(slot);
      return;
    }
  }
  complete(slot);
}

}  // namespace gpumarket
