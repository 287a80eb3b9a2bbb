#include "gpumarket/engine/event_queue.hpp"


namespace gpumarket {
namespace {
constexpr size_t kInitialCancelSlots = 64;

size_t slot_of(uint64_t sequence, size_t mask) {
  // Fibonacci hashing spreads consecutive sequence numbers over the table.
  return static_cast<size_t>((sequence * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
}
}  // namespace

EventQueue::EventQueue() : cancelled_slots_(kInitialCancelSlots, 0) {}

void EventQueue::cancel(EventHandle handle) {
  GPUMARKET_CHECK(handle.sequence > 0 && handle.sequence < next_sequence_);
  GPUMARKET_CHECK_MSG(!cancelled_contains(handle.sequence), "event cancelled twice");
  cancelled_insert(handle.sequence);
}

bool EventQueue::cancelled_contains(uint64_t sequence) const {
  const size_t mask = cancelled_slots_.size() - 1;
  for (size_t i = slot_of(sequence, mask);; i = (i + 1) & mask) {
    if (cancelled_slots_[i] == sequence) return true;
    if (cancelled_slots_[i] == 0) return false;
  }
}

void EventQueue::cancelled_insert(uint64_t sequence) {
  if (2 * (cancelled_count_ + 1) > cancelled_slots_.size()) cancelled_grow();
  const size_t mask = cancelled_slots_.size() - 1;
  size_t i = slot_of(sequence, mask);
  while (cancelled_slots_[i] != 0) i = (i + 1) & mask;
  cancelled_slots_[i] = sequence;
  ++cancelled_count_;
}

void EventQueue::cancelled_erase(uint64_t sequence) {
  const size_t mask = cancelled_slots_.size() - 1;
  size_t hole = slot_of(sequence, mask);
  while (cancelled_slots_[hole] != sequence) hole = (hole + 1) & mask;
  // Backward-shift deletion keeps every probe chain unbroken without tombstones.
  for (size_t next = (hole + 1) & mask; cancelled_slots_[next] != 0; next = (next + 1) & mask) {
    const size_t home = slot_of(cancelled_slots_[next], mask);
    const bool movable = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
    if (movable) {
      cancelled_slots_[hole] = cancelled_slots_[next];
      hole = next;
    }
  }
  cancelled_slots_[hole] = 0;
  --cancelled_count_;
}

void EventQueue::cancelled_grow() {
  std::vector<uint64_t> old(cancelled_slots_.size() * 2, 0);
  old.swap(cancelled_slots_);
  cancelled_count_ = 0;
  for (uint64_t sequence : old) {
    if (sequence != 0) cancelled_insert(sequence);
  }
}

}  // namespace gpumarket
