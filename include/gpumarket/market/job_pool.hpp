// Jobs in the system, in a pool of reusable slots: a job's slot index is the
// argument of its events, and slots are recycled so the steady state never allocates.
#pragma once

#include <cstdint>
#include <vector>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/engine/event_queue.hpp"

namespace gpumarket {

enum class JobState : uint8_t {
  Free,
  Scheduled,
  InTransit,
  Waiting,
  InService,
  Abandoned,
  InProof,  // its compute is done; its venue's prover pool is proving it
};

/// What verification concludes about an attempt of a job (docs/model.md, "Verification").
enum class Verdict : uint8_t {
  Correct,     // good result, accepted
  Undetected,  // bad result, accepted: delivered but not verified
  Caught,      // bad result, rejected: redone or lost
};

struct Job {
  SimTime arrival;  // joined the venue's line (waits count from here)
  Duration service;
  double width_pf = 0;
  /// The venue's price when the job started (0 for unbilled internal work): its bill is
  /// this × its work, and the venue's billing integral counts it while it runs.
  double billed_usd_per_pf_hour = 0;
  uint32_t segment = 0;
  uint32_t venue = 0;
  uint32_t route = 0;
  uint32_t address = 0;  // global address index, for daily active addresses
  JobState state = JobState::Free;
  bool public_chain = false;
  bool licensed = false;    // its address held a licence for the alliance pool at arrival
  double access_usd = 0;    // the amortised licence cost its route carried (licence-gated only)
  EventHandle abandonment;  // valid while Waiting with finite patience
  // On a bridge: the pending venue arrival (none while stranded), when it is due (moved on
  // by the downtime when a stranded job resumes) and the job's index in its bridge's list of
  // jobs in flight.
  EventHandle transit;
  SimTime reaches_venue;
  uint32_t in_flight_index = 0;
  // The current attempt at a verifying venue (docs/model.md, "Verification").
  uint32_t copies = 1;        // copies side by side
  bool re_execution = false;  // a spot check's re-execution is still to run
  Verdict verdict = Verdict::Correct;

  double work_pfh() const { return width_pf * service.in_hours(); }
  /// PF the current attempt occupies at its venue: one width per copy.
  double venue_width_pf() const { return width_pf * static_cast<double>(copies); }
  /// Runs of the job's work the current attempt takes: its copies, twice if re-executed.
  double runs() const { return static_cast<double>(copies) * (re_execution ? 2.0 : 1.0); }
};

class JobPool {
 public:
  /// A free slot, reused when possible.
  uint32_t acquire() {
    if (free_.empty()) {
      jobs_.emplace_back();
      return static_cast<uint32_t>(jobs_.size() - 1);
    }
    const uint32_t slot = free_.back();
    free_.pop_back();
    jobs_[slot] = Job{};
    return slot;
  }

  void release(uint32_t slot) {
    GPUMARKET_CHECK(jobs_[slot].state != JobState::Free);
    jobs_[slot].state = JobState::Free;
    free_.push_back(slot);
  }

  Job& operator[](uint32_t slot) { return jobs_[slot]; }
  const Job& operator[](uint32_t slot) const { return jobs_[slot]; }
  size_t in_use() const { return jobs_.size() - free_.size(); }

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(jobs_, free_);
  }

 private:
  std::vector<Job> jobs_;
  std::vector<uint32_t> free_;
};

}  // namespace gpumarket
