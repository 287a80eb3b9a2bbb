// The future-event set: a cache-aligned 4-ary min-heap of 16-byte keys ordered by
// (time, priority, insertion sequence), with payloads beside it and lazy cancellation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/time.hpp"

namespace gpumarket {

/// Order among events at the same time: ascending (0 first), then insertion order.
/// A priority is not an event kind: a kind is a handler (see Simulation::add_handler),
/// and events of different kinds may share a priority.
using Priority = uint8_t;

/// Identifies a scheduled event so that it can be cancelled.
struct EventHandle {
  uint64_t sequence = 0;
};

/// An event as handed to its handler.
struct Event {
  SimTime time;
  // Priority in the top 8 bits, insertion sequence in the low 56: one integer
  // comparison orders (priority, sequence), and the sequence makes the order total.
  uint64_t order = 0;
  uint32_t handler = 0;  // the event's kind: an index into the simulation's handler table
  uint32_t arg = 0;      // handler-defined, e.g. a job slot

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
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  EventHandle push(SimTime time, Priority priority, uint32_t handler, uint32_t arg) {
    GPUMARKET_CHECK(next_sequence_ <= Event::kSequenceMask);
    const uint64_t sequence = next_sequence_++;
    const Key key = make_key(time.count_micros(), (uint64_t{priority} << 56) | sequence);
    const uint64_t payload = (uint64_t{handler} << 32) | arg;
    if (top_consumed_) {
      // The event last popped still occupies the root: the new one takes its place
      // with one pass down the heap instead of a removal and an insertion.
      top_consumed_ = false;
      sift_up(descend(0, size_), key, payload);
    } else {
      if (size_ == capacity_) [[unlikely]]
        grow();
      sift_up(size_++, key, payload);
    }
    return EventHandle{sequence};
  }

  /// Marks a pending event as cancelled. Cancelling an event that already ran or was
  /// already cancelled is a bug.
  void cancel(EventHandle handle);

  /// Removes the earliest live event into `out`; false when none is left.
  bool pop(Event& out) { return pop_before(SimTime::end_of_time(), out); }

  /// Removes the earliest live event into `out` if its time is before `limit`.
  bool pop_before(SimTime limit, Event& out) {
    if (top_consumed_) {
      top_consumed_ = false;
      remove_top();
    }
    const Key limit_key = make_key(limit.count_micros(), 0);
    while (size_ != 0) [[likely]] {
        const Key top = keys_[0];
        // Every pending key is at or after `limit_key` ⇔ the smallest is: one 128-bit compare.
        if (top >= limit_key) return false;
        const uint64_t order = static_cast<uint64_t>(top);
        if (cancelled_count_ != 0) [[unlikely]] {
          if (cancelled_take(order & Event::kSequenceMask)) {
            remove_top();
            continue;
          }
        }
        const uint64_t payload = payloads_[0];
        out.time = SimTime::micros(time_of(top));
        out.order = order;
        out.handler = static_cast<uint32_t>(payload >> 32);
        out.arg = static_cast<uint32_t>(payload);
        // Removal is deferred: handlers usually schedule an event next, and push() then
        // reuses the root slot.
        top_consumed_ = true;
        return true;
      }
    return false;
  }

  /// The live events still pending, in no particular order: with next_sequence(), all that
  /// decides what pops from here on (the heap's layout and the cancelled events do not).
  std::vector<Event> pending_events() const;
  /// The sequence number the next push takes.
  uint64_t next_sequence() const { return next_sequence_; }
  /// Replaces the contents by `events` (as pending_events gave them; their sequences are kept,
  /// so handles to them stay valid) and continues numbering at `next_sequence`, so that the
  /// queue pops and numbers as the one they came from.
  void restore(std::span<const Event> events, uint64_t next_sequence);

  /// Live (not cancelled) events still pending.
  size_t size() const { return size_ - top_consumed_ - cancelled_count_; }
  bool empty() const { return size() == 0; }
  void reserve(size_t events);

 private:
  // (time, priority, sequence) as one unsigned 128-bit integer: time with its sign bit
  // flipped in the high half, so that unsigned order is signed time order, and the
  // order word in the low half. A comparison is then cmp+sbb, with no branch.
  __extension__ using Key = unsigned __int128;

  static constexpr size_t kArity = 4;
  // Slot i of the heap lives at storage index i + kPad. The children of i, 4i+1..4i+4,
  // then live at 4(i+1)..4(i+1)+3: four keys in one aligned 64-byte cache line.
  static constexpr size_t kPad = kArity - 1;
  static constexpr uint64_t kSignBit = uint64_t{1} << 63;

  static Key make_key(int64_t time_us, uint64_t order) {
    return (Key{static_cast<uint64_t>(time_us) ^ kSignBit} << 64) | order;
  }
  static int64_t time_of(Key key) {
    return static_cast<int64_t>(static_cast<uint64_t>(key >> 64) ^ kSignBit);
  }

  void sift_up(size_t hole, Key key, uint64_t payload) {
    while (hole > 0) {
      const size_t parent = (hole - 1) / kArity;
      if (!(key < keys_[parent])) break;
      keys_[hole] = keys_[parent];
      payloads_[hole] = payloads_[parent];
      hole = parent;
    }
    keys_[hole] = key;
    payloads_[hole] = payload;
  }

  // Floyd's deletion: move a hole at the root down to a leaf along the smaller
  // children, among slots [0, n), without comparing against the element that will
  // fill it; the caller then sifts that element up from the returned leaf. Elements
  // that fill the hole (the heap's last one, or a new event) almost always belong
  // near the bottom, so this saves one comparison per level over a classic sift-down.
  size_t descend(size_t hole, size_t n) {
    while (true) {
      const size_t first = hole * kArity + 1;
      size_t best = first;
      if (first + kArity <= n) [[likely]] {
        // A full family: a branch-free tournament of four.
        const size_t a = keys_[first + 1] < keys_[first] ? first + 1 : first;
        const size_t b = keys_[first + 3] < keys_[first + 2] ? first + 3 : first + 2;
        best = keys_[b] < keys_[a] ? b : a;
      } else if (first < n) {
        for (size_t child = first + 1; child < n; ++child) {
          if (keys_[child] < keys_[best]) best = child;
        }
      } else {
        return hole;
      }
      keys_[hole] = keys_[best];
      payloads_[hole] = payloads_[best];
      hole = best;
    }
  }

  void remove_top() {
    const size_t n = --size_;
    if (n == 0) return;
    sift_up(descend(0, n), keys_[n], payloads_[n]);
  }

  void grow();

  // Open-addressing set of cancelled sequence numbers (linear probing,
  // backward-shift deletion). Fixed-size slots: no allocation per cancel.
  bool cancelled_contains(uint64_t sequence) const;
  void cancelled_insert(uint64_t sequence);
  /// Erases `sequence` if present; returns whether it was.
  bool cancelled_take(uint64_t sequence);
  void cancelled_erase_at(size_t hole);
  void cancelled_grow();

  Key* keys_ = nullptr;           // heap slot i at keys_[i]; storage starts kPad before
  uint64_t* payloads_ = nullptr;  // handler << 32 | arg, parallel to keys_
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool top_consumed_ = false;  // the root was popped but still occupies slot 0
  uint64_t next_sequence_ = 1;
  std::vector<uint64_t> cancelled_slots_;  // 0 marks an empty slot; sequences start at 1
  size_t cancelled_count_ = 0;
};

}  // namespace gpumarket
