// The pool's licences, held by addresses (docs/model.md, "Licences and settlement"). Every
// address is unlicensed, has applied (its application waits for review and for the quota), or
// is licensed from a time on (from the start for those licensed at the start); a licence never
// lapses. A job's licence is its address's state
// when it arrives, so an address holds a licence for all its jobs from that time or for none.
//
// Applications are reviewed in parallel, each for its own review time; reviewed applications
// are approved first come, first served, at most `quota.approvals` in each quota period
// [k·per, (k + 1)·per) from the start. Approvals are settled a tick ahead: grant_until(t1) at
// the tick t0 fixes every approval before t1, so the jobs of [t0, t1) see their addresses'
// licences as they will stand at their arrival.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gpumarket/core/time.hpp"
#include "gpumarket/scenario/supply.hpp"

namespace gpumarket {

/// How many of a Zipf pool's first ranks have a submitting probability above `threshold`:
/// the n_k with (k + 1)^(−s)/Z > threshold for k < n_k, in O(1). Z = Σ_{i<n} (i + 1)^(−s);
/// s = 0 gives all n or none. A threshold ≤ 0 gives n.
int64_t ranks_above(double threshold, double exponent, double normaliser, int64_t count);

/// One licence granted: the address's segment and when it holds from.
struct LicenceGrant {
  uint32_t segment = 0;
  SimTime at;
};

class LicenceOffice {
 public:
  /// Where each segment's addresses lie in the global address index.
  struct SegmentRange {
    uint64_t offset = 0;
    uint64_t count = 0;
  };

  explicit LicenceOffice(const std::vector<SegmentRange>& segments);

  /// Marks the addresses of `segment` for which `licensed[k]` is true (k in [0, count)) as
  /// licensed from the start: their licences were granted, and paid, before the run.
  void license_at_start(uint32_t segment, const std::vector<bool>& licensed);

  /// Whether `address` holds a licence at `t`.
  bool holds(uint64_t address, SimTime t) const { return licensed_from_[address] <= t; }
  /// Whether `address` holds a licence at some time, or has applied.
  bool applied_or_licensed(uint64_t address) const {
    return applied_[address] || licensed_from_[address] != kNever;
  }

  /// The unlicensed, not yet applying addresses among ranks [0, ranks) of `segment` apply
  /// at `now`; review_time(address) gives each one's review time. Ranks already considered
  /// are skipped: the cost is in the ranks not seen before.
  template <class ReviewTime>
  void apply_ranks_below(uint32_t segment, int64_t ranks, SimTime now,
                         const ReviewTime& review_time) {
    Segment& s = segments_[segment];
    const auto end = static_cast<uint64_t>(std::max<int64_t>(ranks, 0));
    for (; s.next_rank < std::min(end, s.range.count); ++s.next_rank) {
      const uint64_t address = s.range.offset + s.next_rank;
      if (applied_or_licensed(address)) continue;
      submit(segment, address, now + review_time(address));
    }
  }

  /// Grants every application whose approval falls before `until`, in order of approval,
  /// appending them to `granted`.
  void grant_until(SimTime until, const LicenceQuota& quota, std::vector<LicenceGrant>& granted);

  /// Takes the licence of `address` (of `segment`) from `t` on, for good: it does not apply
  /// again. Nothing happens when it holds none at `t`.
  void revoke(uint32_t segment, uint64_t address, SimTime t);

  /// Expected wait from applying now to approval: the mean review time, or the time the quota
  /// needs for the applications ahead when that is longer.
  Duration expected_wait(Duration mean_review, const LicenceQuota& quota) const;

  // Per segment, since the start.
  uint64_t applications(uint32_t segment) const { return segments_[segment].applications; }
  /// Addresses holding a licence: those licensed at the start and those granted since.
  uint64_t licensed(uint32_t segment) const { return segments_[segment].licensed; }
  /// Licences granted on application in the run (revoked ones included).
  uint64_t granted(uint32_t segment) const {
    return segments_[segment].licensed + segments_[segment].revoked -
           segments_[segment].licensed_at_start;
  }
  /// Licences revoked in the run.
  uint64_t revoked(uint32_t segment) const { return segments_[segment].revoked; }
  /// Applications waiting for review or for the quota.
  uint64_t pending(uint32_t segment) const { return segments_[segment].pending; }
  uint64_t address_count(uint32_t segment) const { return segments_[segment].range.count; }
  size_t segment_count() const { return segments_.size(); }

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(segments_, licensed_from_, applied_, reviews_, sequence_, waiting_, last_approval_,
            period_, used_);
  }

 private:
  static constexpr SimTime kNever = SimTime::end_of_time();

  struct Segment {
    SegmentRange range;
    uint64_t next_rank = 0;  // ranks below it have applied or are licensed
    uint64_t applications = 0, licensed = 0, pending = 0;
    uint64_t licensed_at_start = 0;
    uint64_t revoked = 0;
    template <class Archive>
    void serialize(Archive& archive) {
      archive(range.offset, range.count, next_rank, applications, licensed, pending,
              licensed_at_start, revoked);
    }
  };
  struct Application {
    SimTime reviewed;
    uint64_t sequence = 0;
    uint64_t address = 0;
    uint32_t segment = 0;
    template <class Archive>
    void serialize(Archive& archive) {
      archive(reviewed, sequence, address, segment);
    }
  };
  static bool later(const Application& a, const Application& b) {
    return a.reviewed != b.reviewed ? a.reviewed > b.reviewed : a.sequence > b.sequence;
  }
  void submit(uint32_t segment, uint64_t address, SimTime reviewed);

  std::vector<Segment> segments_;
  std::vector<SimTime> licensed_from_;  // per address; kNever: unlicensed
  std::vector<bool> applied_;           // per address: has applied (pending or granted)
  std::vector<Application> reviews_;    // a min-heap on (reviewed, sequence)
  uint64_t sequence_ = 0;
  uint64_t waiting_ = 0;  // applications not yet granted, all segments
  // First come, first served under the quota: approvals never go back in time.
  SimTime last_approval_;
  int64_t period_ = 0;  // quota period of the last approval
  int64_t used_ = 0;    // approvals in it
};

}  // namespace gpumarket
