// A FIFO of job slots in a growable ring buffer: push and pop are O(1), and once
// the ring has grown to the largest queue seen, it never allocates again.
#pragma once

#include <cstdint>
#include <vector>

#include "gpumarket/core/check.hpp"

namespace gpumarket {

class FifoRing {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  uint32_t front() const {
    GPUMARKET_CHECK(size_ > 0);
    return slots_[head_];
  }
  void pop_front() {
    GPUMARKET_CHECK(size_ > 0);
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
  }
  void push_back(uint32_t value) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) & (slots_.size() - 1)] = value;
    ++size_;
  }

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(slots_, head_, size_);
  }

 private:
  void grow() {
    std::vector<uint32_t> bigger(slots_.empty() ? 16 : 2 * slots_.size());
    for (size_t i = 0; i < size_; ++i) bigger[i] = slots_[(head_ + i) & (slots_.size() - 1)];
    slots_.swap(bigger);
    head_ = 0;
  }

  std::vector<uint32_t> slots_;  // capacity is a power of two
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace gpumarket
