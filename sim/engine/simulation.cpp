#include "gpumarket/engine/simulation.hpp"

#include "gpumarket/core/check.hpp"

namespace gpumarket {

HandlerId Simulation::add_handler(EventHandler& handler) {
  handlers_.push_back(&handler);
  return static_cast<HandlerId>(handlers_.size() - 1);
}

EventHandle Simulation::schedule_at(SimTime time, Priority priority, HandlerId handler,
                                    uint32_t arg) {
  GPUMARKET_CHECK_MSG(time >= now_, "event scheduled in the past");
  GPUMARKET_CHECK(handler < handlers_.size());
  return queue_.push(time, priority, handler, arg);
}

void Simulation::run_until(SimTime horizon) {
  GPUMARKET_CHECK(horizon >= now_);
  const int64_t limit = horizon.count_micros();
  Event event;
  for (const Event* next = queue_.peek(); next != nullptr && next->time_us < limit;
       next = queue_.peek()) {
    queue_.pop(event);
    now_ = event.time();
    ++events_processed_;
    handlers_[event.handler]->handle(*this, event);
  }
  now_ = horizon;
}

}  // namespace gpumarket
