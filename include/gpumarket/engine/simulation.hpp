// The simulation loop: a clock, the future-event set and a table of handlers that
// models register once. Events carry a handler index and one integer argument,
// so scheduling and dispatch never allocate.
#pragma once

#include <cstdint>
#include <vector>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/engine/event_queue.hpp"

namespace gpumarket {

class Simulation;

/// Something that reacts to events: a venue, an arrival process, the market tick...
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  /// Called at event.time(); `sim.now()` equals it. May schedule and cancel events.
  virtual void handle(Simulation& sim, const Event& event) = 0;
};

using HandlerId = uint32_t;

class Simulation {
 public:
  /// Registers a handler (not owned; it must outlive the run) and returns its id.
  HandlerId add_handler(EventHandler& handler);

  /// Schedules an event at `time`, which must not lie in the past.
  EventHandle schedule_at(SimTime time, Priority priority, HandlerId handler, uint32_t arg) {
    GPUMARKET_CHECK_MSG(time >= now_, "event scheduled in the past");
    GPUMARKET_CHECK(handler < handlers_.size());
    return queue_.push(time, priority, handler, arg);
  }
  EventHandle schedule_after(Duration delay, Priority priority, HandlerId handler, uint32_t arg) {
    return schedule_at(now_ + delay, priority, handler, arg);
  }
  void cancel(EventHandle handle) { queue_.cancel(handle); }

  /// Runs every event with time < `horizon` in order, then sets the clock to `horizon`.
  /// Events at or after the horizon stay pending.
  void run_until(SimTime horizon);

  SimTime now() const { return now_; }
  uint64_t events_processed() const { return events_processed_; }
  size_t pending() const { return queue_.size(); }
  void reserve(size_t events) { queue_.reserve(events); }

 private:
  EventQueue queue_;
  std::vector<EventHandler*> handlers_;
  SimTime now_;
  uint64_t events_processed_ = 0;
};

}  // namespace gpumarket
