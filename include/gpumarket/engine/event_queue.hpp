// The future-event set: a 4-ary min-heap of small POD events ordered by
// (time, priority, insertion sequence), with lazy cancellation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/time.hpp"

namespace gpumarket {

/// Kinds of event that share a time run in ascending priority (0 first).
using Priority = uint8_t;

/// Identifies a scheduled event so that it can be cancelled.
struct EventHandle {
  uint64_t sequence = 0;
};

struct Event {
  int64_t time_us;
  // Priority in the top 8 bits, insertion sequence in the low 56: one integer
  // comparison orders (priority, sequence), and the sequence makes the order total.
  uint64_t order;
  uint32_t handler;  // index into the simulation's handler table
  uint32_t arg;      // handler-defined, e.g. a job slot

  SimTime time() const { return SimTime::micros(time_us); }
  Priority priority() const { return static_cast<Priority>(order >> 56); }
  uint64_t sequence() const { return order & kSequenceMask; }

  static constexpr uint64_t kSequenceMask = (uint64_t{1} << 56) - 1;
};

/// Min-heap of events. push and pop are O(log n) and allocate only when the heap
/// outgrows its capacity, so the steady state performs no allocation. Cancelled
/// events stay in the heap and are dropped when they reach the top.
class EventQueue {
 public:
  EventQueue();

  EventHandle push(SimTime time, Priority priority, uint32_t handler, uint32_t arg) {
    GPUMARKET_CHECK(next_sequence_ <= Event::kSequenceMask);
    const uint64_t sequence = next_sequence_++;
    heap_.push_back(
        Event{time.count_micros(), (uint64_t{priority} << 56) | sequence, handler, arg});
    sift_up(heap_.size() - 1);
    return EventHandle{sequence};
  }

  /// Marks a pending event as cancelled. Cancelling an event that already ran or was
  /// already cancelled is a bug.
  void cancel(EventHandle handle);

  /// Removes the earliest live event into `out`; false when none is left.
  bool pop(Event& out) { return pop_before(INT64_MAX, out); }

  /// Removes the earliest live event into `out` if its time is before `limit_us`.
  bool pop_before(int64_t limit_us, Event& out) {
    while (!heap_.empty()) {
      const Event& top = heap_.front();
      if (cancelled_count_ != 0 && cancelled_contains(top.sequence())) {
        cancelled_erase(top.sequence());
        remove_top();
        continue;
      }
      if (top.time_us >= limit_us) return false;
      out = top;
      remove_top();
      return true;
    }
    return false;
  }

  /// Live (not cancelled) events still pending.
  size_t size() const { return heap_.size() - cancelled_count_; }
  bool empty() const { return size() == 0; }
  void reserve(size_t events) { heap_.reserve(events); }

 private:
  static constexpr size_t kArity = 4;

  // Bitwise rather than short-circuit operators: the comparison compiles without
  // branches, which matters because child selection in sift_down is unpredictable.
  static bool before(const Event& a, const Event& b) {
    return (a.time_us < b.time_us) | ((a.time_us == b.time_us) & (a.order < b.order));
  }

  void sift_up(size_t index) {
    const Event moving = heap_[index];
    while (index > 0) {
      const size_t parent = (index - 1) / kArity;
      if (!before(moving, heap_[parent])) break;
      heap_[index] = heap_[parent];
      index = parent;
    }
    heap_[index] = moving;
  }

  void sift_down(size_t index) {
    const size_t n = heap_.size();
    const Event moving = heap_[index];
    while (true) {
      const size_t first = index * kArity + 1;
      if (first >= n) break;
      const size_t last = first + kArity < n ? first + kArity : n;
      size_t best = first;
      for (size_t child = first + 1; child < last; ++child) {
        if (before(heap_[child], heap_[best])) best = child;
      }
      if (!before(heap_[best], moving)) break;
      heap_[index] = heap_[best];
      index = best;
    }
    heap_[index] = moving;
  }

  void remove_top() {
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (heap_.size() > 1) sift_down(0);
  }

  // Open-addressing set of cancelled sequence numbers (linear probing,
  // backward-shift deletion). Fixed-size slots: no allocation per cancel.
  bool cancelled_contains(uint64_t sequence) const;
  void cancelled_insert(uint64_t sequence);
  void cancelled_erase(uint64_t sequence);
  void cancelled_grow();

  std::vector<Event> heap_;
  uint64_t next_sequence_ = 1;
  std::vector<uint64_t> cancelled_slots_;  // 0 marks an empty slot; sequences start at 1
  size_t cancelled_count_ = 0;
};

}  // namespace gpumarket
