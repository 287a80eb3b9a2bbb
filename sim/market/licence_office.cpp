#include "gpumarket/market/licence_office.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "gpumarket/core/check.hpp"

namespace gpumarket {

int64_t ranks_above(double threshold, double exponent, double normaliser, int64_t count) {
  if (!(threshold > 0.0)) return count;
  if (exponent == 0.0) return 1.0 / normaliser > threshold ? count : 0;
  // (k + 1)^(−s) > threshold·Z  ⇔  k + 1 < x = (threshold·Z)^(−1/s): the ranks k ≤ ⌈x⌉ − 2.
  const double x = std::pow(threshold * normaliser, -1.0 / exponent);
  if (!(x > 1.0)) return 0;
  if (x > static_cast<double>(count)) return count;
  return std::min(count, static_cast<int64_t>(std::ceil(x)) - 1);
}

LicenceOffice::LicenceOffice(const std::vector<SegmentRange>& segments) {
  uint64_t addresses = 0;
  for (const SegmentRange& range : segments) {
    segments_.push_back(Segment{range});
    addresses = std::max(addresses, range.offset + range.count);
  }
  licensed_from_.assign(addresses, kNever);
  applied_.assign(addresses, false);
}

void LicenceOffice::license_at_start(uint32_t segment, const std::vector<bool>& licensed) {
  Segment& s = segments_[segment];
  GPUMARKET_CHECK(licensed.size() == s.range.count && s.applications == 0);
  for (uint64_t k = 0; k < s.range.count; ++k) {
    if (!licensed[k] || licensed_from_[s.range.offset + k] != kNever) continue;
    licensed_from_[s.range.offset + k] = SimTime::start();
    ++s.licensed_at_start;
    ++s.licensed;
  }
}

void LicenceOffice::submit(uint32_t segment, uint64_t address, SimTime reviewed) {
  applied_[address] = true;
  Segment& s = segments_[segment];
  ++s.applications;
  ++s.pending;
  ++waiting_;
  reviews_.push_back(Application{reviewed, sequence_++, address, segment});
  std::push_heap(reviews_.begin(), reviews_.end(), later);
}

void LicenceOffice::grant_until(SimTime until, const LicenceQuota& quota,
                                std::vector<LicenceGrant>& granted) {
  const int64_t per = quota.per.count_micros();
  while (!reviews_.empty()) {
    const Application& next = reviews_.front();
    SimTime at = std::max(next.reviewed, last_approval_);
    int64_t period = period_, used = used_;
    if (quota.limits()) {
      // Approvals never go back in time, so `at` is in the last approval's period or later.
      const int64_t at_period = at.count_micros() / per;
      if (at_period > period) {
        period = at_period;
        used = 0;
      }
      if (used >= quota.approvals) {
        ++period;
        used = 0;
        at = SimTime::start() + Duration::micros(period * per);
      }
    }
    if (at >= until) break;  // settled at a later tick, with the same result
    period_ = period;
    used_ = used + 1;
    last_approval_ = at;
    licensed_from_[next.address] = at;
    Segment& s = segments_[next.segment];
    --s.pending;
    ++s.licensed;
    --waiting_;
    granted.push_back({next.segment, at});
    std::pop_heap(reviews_.begin(), reviews_.end(), later);
    reviews_.pop_back();
  }
}

Duration LicenceOffice::expected_wait(Duration mean_review, const LicenceQuota& quota) const {
  if (!quota.limits()) return mean_review;
  const double quota_h =
      static_cast<double>(waiting_) * quota.per.in_hours() / static_cast<double>(quota.approvals);
  return std::max(mean_review, Duration::hours(quota_h));
}

void LicenceOffice::revoke(uint32_t segment, uint64_t address, SimTime t) {
  if (!holds(address, t)) return;
  licensed_from_[address] = kNever;
  applied_[address] = true;
  --segments_[segment].licensed;
  ++segments_[segment].revoked;
}

}  // namespace gpumarket
