// The simulation loop: a clock, the future-event set and a table of handlers that
// models register once, one per kind of event. Events carry a handler index and one
// integer argument, so scheduling and dispatch never allocate.
#pragma once

#include <cstdint>
#include <vector>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/engine/event_queue.hpp"

namespace gpumarket {

class Simulation;

/// Reacts to one kind of event: an arrival, a completion, the market tick... The
/// handler is the kind; an event's priority only orders it among events at its time.
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  /// Called at event.time; `sim.now()` equals it. May schedule and cancel events.
  virtual void handle(Simulation& sim, const Event& event) = 0;
};

using HandlerId = uint32_t;

class Simulation {
 public:
  /// Registers a handler (not owned; it must outlive the run) and returns its id, the
  /// event kind that schedule_at takes.
  HandlerId add_handler(EventHandler& handler);

  /// The same for a plain function called as `function(target, sim, event)`: what
  /// MethodHandler registers, one indirect call per event with no virtual dispatch.
  using HandlerFunction = void (*)(void* target, Simulation& sim, const Event& event);
  HandlerId add_handler(HandlerFunction function, void* target);

  /// Schedules an event of kind `handler` at `time`, which must not lie in the past.
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

  /// What a checkpoint keeps of the loop: the clock, the event counter and the pending events.
  struct State {
    SimTime now;
    uint64_t events_processed = 0;
    uint64_t next_sequence = 1;
    std::vector<Event> pending;  // in no particular order
  };
  State state() const {
    return {now_, events_processed_, queue_.next_sequence(), queue_.pending_events()};
  }
  /// Continues from `state`, taken from a simulation whose handlers were registered in the
  /// same order: its events then pop, at the same times and in the same order, to the same
  /// handlers.
  void restore(const State& state);

  SimTime now() const { return now_; }
  uint64_t events_processed() const { return events_processed_; }
  size_t pending() const { return queue_.size(); }
  void reserve(size_t events) { queue_.reserve(events); }

 private:
  EventQueue queue_;
  struct Handler {
    HandlerFunction function;
    void* target;
  };
  std::vector<Handler> handlers_;
  SimTime now_;
  uint64_t events_processed_ = 0;
};

/// Makes a member function `void Model::method(uint32_t arg)` the handler of one event
/// kind, registered with the simulation on construction. The method reads the event's
/// time as `now()`. Declare one per kind as a member of the model, after the methods and
/// the Simulation it registers with; the model then holds no switch over kinds:
///
///   class Station {
///    public:
///     explicit Station(Simulation& sim) : sim_(sim) {
///       sim_.schedule_at(SimTime::start(), kArrivalPriority, arrival_.id(), 0);
///     }
///
///    private:
///     void on_arrival(uint32_t customer);  // may schedule departure_.id() events
///     void on_departure(uint32_t server);
///
///     Simulation& sim_;
///     MethodHandler<Station, &Station::on_arrival> arrival_{sim_, *this};
///     MethodHandler<Station, &Station::on_departure> departure_{sim_, *this};
///   };
///
/// Registering allocates only the table's slot; the table keeps the model's address (the
/// model must not move), and dispatch is one indirect call to a function that calls the
/// method directly, with no virtual call between.
template <class Model, void (Model::*Method)(uint32_t arg)>
class MethodHandler {
 public:
  MethodHandler(Simulation& sim, Model& model) : id_(sim.add_handler(&call, &model)) {}

  /// The event kind to schedule for this method.
  HandlerId id() const { return id_; }

 private:
  static void call(void* model, Simulation& /*sim*/, const Event& event) {
    (static_cast<Model*>(model)->*Method)(event.arg);
  }

  HandlerId id_;
};

}  // namespace gpumarket
