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

std::vector<Event> EventQueue::pending_events() const {
  std::vector<Event> events;
  events.reserve(size());
  // Slot 0 of a consumed top holds the event last popped: it is no longer pending.
  for (size_t i = top_consumed_ ? 1 : 0; i < size_; ++i) {
    const auto order = static_cast<uint64_t>(keys_[i]);
    if (cancelled_count_ != 0 && cancelled_contains(order & Event::kSequenceMask)) continue;
    events.push_back({SimTime::micros(time_of(keys_[i])), order,
                      static_cast<uint32_t>(payloads_[i] >> 32),
                      static_cast<uint32_t>(payloads_[i])});
  }
  return events;
}

void EventQueue::restore(std::span<const Event> events, uint64_t next_sequence) {
  GPUMARKET_CHECK(next_sequence >= 1 && next_sequence <= Event::kSequenceMask + 1);
  size_ = 0;
  top_consumed_ = false;
  std::fill(cancelled_slots_.begin(), cancelled_slots_.end(), 0);
  cancelled_count_ = 0;
  next_sequence_ = next_sequence;
  reserve(events.size());
  for (const Event& event : events) {
    GPUMARKET_CHECK(event.sequence() > 0 && event.sequence() < next_sequence);
    sift_up(size_++, make_key(event.time.count_micros(), event.order),
            (uint64_t{event.handler} << 32) | event.arg);
  }
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
