#include "gpumarket/engine/simulation.hpp"

#include "gpumarket/core/check.hpp"

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

void Simulation::run_until(SimTime horizon) {
  GPUMARKET_CHECK(horizon >= now_);
  Event event;
  while (queue_.pop_before(horizon, event)) {
    now_ = event.time;
    ++events_processed_;
    const Handler& handler = handlers_[event.handler];
    handler.function(handler.target, *this, event);
  }
  now_ = horizon;
}

}  // namespace gpumarket
