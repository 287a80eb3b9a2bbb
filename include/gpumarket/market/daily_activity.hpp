// Daily active addresses per venue: an address is active on a venue on a day when one
// of its jobs arrives there that day. One stamp per (venue, address) makes marking O(1)
// with no allocation after construction.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace gpumarket {

class DailyActivity {
 public:
  DailyActivity(size_t venues, size_t addresses)
      : addresses_(addresses), last_day_(venues * addresses, 0), counts_(venues, 0) {}

  /// Marks `address` active on `venue` on day `day` (days count from 0).
  void mark(size_t venue, size_t address, int64_t day) {
    uint32_t& stamp = last_day_[venue * addresses_ + address];
    const auto day_plus_one = static_cast<uint32_t>(day + 1);  // 0 means "never"
    if (stamp != day_plus_one) {
      stamp = day_plus_one;
      ++counts_[venue];
    }
  }

  /// Active addresses per venue since the last call, which resets them.
  const std::vector<double>& take_counts(std::vector<double>& out) {
    out.assign(counts_.begin(), counts_.end());
    std::fill(counts_.begin(), counts_.end(), 0);
    return out;
  }

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(last_day_, counts_);
  }

 private:
  size_t addresses_;
  std::vector<uint32_t> last_day_;
  std::vector<int64_t> counts_;
};

}  // namespace gpumarket
