// A venue's verification at run time: for each attempt of a job, how many copies run, whether
// a re-execution follows it and what verification concludes (docs/model.md, "Verification").
// Draws come from the venue's own stream, a fixed number per attempt, so scenarios that differ
// only in q or s see the same draws (common random numbers).
#pragma once

#include <cstdint>

#include "gpumarket/core/random.hpp"
#include "gpumarket/market/job_pool.hpp"
#include "gpumarket/scenario/verification.hpp"

namespace gpumarket {

/// One attempt of a job at a verifying venue.
struct VerificationAttempt {
  uint32_t copies = 1;       // copies side by side: the attempt occupies copies × width
  bool re_executed = false;  // a spot check runs the job once more after it
  Verdict verdict = Verdict::Correct;
};

class VenueVerification {
 public:
  /// `params` nullptr: the venue does not verify (no draws, one copy, every result accepted).
  VenueVerification(const VerificationParams* params, RandomEngine rng)
      : params_(params), rng_(rng) {}

  bool active() const { return params_ != nullptr; }
  const VerificationParams* params() const { return params_; }
  void set_params(const VerificationParams* params) { params_ = params; }

  /// Capacity-time an attempt takes per PF·h of the job's work, in expectation: r under
  /// `redundant`, 1 + s under `spot_check`, 1 otherwise. Routes price it in.
  double expected_work_factor() const;
  /// Copies that run side by side: a job fits the venue only if copies × width does.
  uint32_t copies() const;
  /// Draws the next attempt.
  VerificationAttempt draw();

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(rng_);
  }

 private:
  const VerificationParams* params_;
  RandomEngine rng_;
};

}  // namespace gpumarket
