#include "gpumarket/engine/simulation.hpp"

#include <string>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/interrupt.hpp"

namespace gpumarket {

HandlerId Simulation::add_handler(EventHandler& handler) {
  return add_handler(
      [](void* target, Simulation& sim, const Event& event) {
        static_cast<EventHandler*>(target)->handle(sim, event);
      },
      &handler);
}

HandlerId Simulation::add_handler(HandlerFunction function, void* target) {
  handlers_.push_back(Handler{function, target});
  return static_cast<HandlerId>(handlers_.size() - 1);
}

void Simulation::restore(const State& state) {
  for (const Event& event : state.pending) {
    GPUMARKET_CHECK(event.handler < handlers_.size() && event.time >= state.now);
  }
  queue_.restore(state.pending, state.next_sequence);
  now_ = state.now;
  events_processed_ = state.events_processed;
}

void Simulation::run_until(SimTime horizon) {
  GPUMARKET_CHECK(horizon >= now_);
  Event event;
  while (queue_.pop_before(horizon, event)) {
    now_ = event.time;
    ++events_processed_;
    if ((events_processed_ & kInterruptPollMask) == 0 && interrupt_signal() != 0) {
      throw_if_interrupted("dispatching events at " + std::to_string(now_.in_hours()) + " h");
    }
    const Handler& handler = handlers_[event.handler];
    handler.function(handler.target, *this, event);
  }
  now_ = horizon;
}

}  // namespace gpumarket
