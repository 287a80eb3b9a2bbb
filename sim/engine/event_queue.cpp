#include "gpumarket/engine/event_queue.hpp"

#include <algorithm>
#include <new>

namespace gpumarket {
namespace {
constexpr size_t kInitialCancelSlots = 64;
constexpr size_t kInitialCapacity = 64;
constexpr std::align_val_t kCacheLine{64};

size_t slot_of(uint64_t sequence, size_t mask) {
  // Fibonacci hashing spreads consecutive sequence numbers over the table.
  return static_cast<size_t>((sequence * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
}

template <typename T>
T* allocate_aligned(size_t count) {
  return static_cast<T*>(::operator new(count * sizeof(T), kCacheLine));
}
}  // namespace

EventQueue::EventQueue() : cancelled_slots_(kInitialCancelSlots, 0) { reserve(kInitialCapacity); }

EventQueue::~EventQueue() {
  if (keys_ != nullptr) {
    ::operator delete(keys_ - kPad, kCacheLine);
    ::operator delete(payloads_, kCacheLine);
  }
}

void EventQueue::reserve(size_t events) {
  if (events <= capacity_) return;
  // Key and uint64_t are trivially copyable, so raw storage plus memcpy-like copies suffice.
  Key* keys = allocate_aligned<Key>(events + kPad) + kPad;
  auto* payloads = allocate_aligned<uint64_t>(events);
  if (keys_ != nullptr) {
    std::copy(keys_, keys_ + size_, keys);
    std::copy(payloads_, payloads_ + size_, payloads);
    ::operator delete(keys_ - kPad, kCacheLine);
    ::operator delete(payloads_, kCacheLine);
  }
  keys_ = keys;
  payloads_ = payloads;
  capacity_ = events;
}

void EventQueue::grow() { reserve(capacity_ * 2); }

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

bool EventQueue::cancelled_take(uint64_t sequence) {
  const size_t mask = cancelled_slots_.size() - 1;
  for (size_t i = slot_of(sequence, mask);; i = (i + 1) & mask) {
    if (cancelled_slots_[i] == sequence) {
      cancelled_erase_at(i);
      return true;
    }
    if (cancelled_slots_[i] == 0) return false;
  }
}

void EventQueue::cancelled_erase_at(size_t hole) {
  const size_t mask = cancelled_slots_.size() - 1;
  // Backward-shift deletion keeps every probe chain unbroken without tombstones.
  for (size_t next = (hole + 1) & mask; cancelled_slots_[next] != 0; next = (next + 1) & mask) {
    const size_t home = slot_of(cancelled_slots_[next], mask);
    const bool movable =
        hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
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
