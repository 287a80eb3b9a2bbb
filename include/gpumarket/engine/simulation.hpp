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
/// It lives inside the model, so registering allocates only the table's slot, and
/// dispatch is one virtual call like any EventHandler. The simulation keeps its
/// address: it can be neither copied nor moved.
template <class Model, void (Model::*Method)(uint32_t arg)>
class MethodHandler final : public EventHandler {
 public:
  MethodHandler(Simulation& sim, Model& model) : model_(model), id_(sim.add_handler(*this)) {}
  MethodHandler(const MethodHandler&) = delete;
  MethodHandler& operator=(const MethodHandler&) = delete;

  /// The event kind to schedule for this method.
  HandlerId id() const { return id_; }

  void handle(Simulation&, const Event& event) override { (model_.*Method)(event.arg); }

 private:
  Model& model_;
  HandlerId id_;
};

}  // namespace gpumarket
