// Verification draws: docs/model.md, "Verification".
#include "venue_verification.hpp"

#include <boost/random/uniform_01.hpp>

namespace gpumarket {

double VenueVerification::expected_work_factor() const {
  if (params_ == nullptr) return 1.0;
  switch (params_->scheme) {
    case VerificationScheme::Redundant:
      return static_cast<double>(params_->replication);
    case VerificationScheme::SpotCheck:
      return 1.0 + params_->spot_check_share;
    case VerificationScheme::None:
    case VerificationScheme::Zk:
      break;
  }
  return 1.0;
}

uint32_t VenueVerification::copies() const {
  if (params_ == nullptr || params_->scheme != VerificationScheme::Redundant) return 1;
  return static_cast<uint32_t>(params_->replication);
}

VerificationAttempt VenueVerification::draw() {
  VerificationAttempt attempt;
  if (params_ == nullptr) return attempt;
  boost::random::uniform_01<double> uniform;
  const double q = params_->failure_probability;
  switch (params_->scheme) {
    case VerificationScheme::None:
      attempt.verdict = uniform(rng_) < q ? Verdict::Undetected : Verdict::Correct;
      break;
    case VerificationScheme::Redundant: {
      // Each copy runs on its own provider and fails independently; bad results of
      // different copies differ (ASSUMPTION: no collusion), so any bad copy makes the copies
      // disagree. One copy has nothing to disagree with.
      attempt.copies = copies();
      uint32_t bad = 0;
      for (uint32_t c = 0; c < attempt.copies; ++c) bad += uniform(rng_) < q ? 1 : 0;
      if (bad > 0) attempt.verdict = attempt.copies > 1 ? Verdict::Caught : Verdict::Undetected;
      break;
    }
    case VerificationScheme::SpotCheck: {
      const bool bad = uniform(rng_) < q;
      attempt.re_executed = uniform(rng_) < params_->spot_check_share;
      if (bad) attempt.verdict = attempt.re_executed ? Verdict::Caught : Verdict::Undetected;
      break;
    }
    case VerificationScheme::Zk:
      attempt.verdict = uniform(rng_) < q ? Verdict::Caught : Verdict::Correct;
      break;
  }
  return attempt;
}

}  // namespace gpumarket
