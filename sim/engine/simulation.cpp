#include "gpumarket/engine/simulation.hpp"

#include "gpumarket/core/check.hpp"

namespace gpumarket {

HandlerId Simulation::add_handler(EventHandler& handler) {
  handlers_.push_back(&handler);
  return static_cast<HandlerId>(handlers_.size() - 1);
}

void Simulation::run_until(SimTime horizon) {
  GPUMARKET_CHECK(horizon >= now_);
  Event event;
  while (queue_.pop_before(horizon, event)) {
    now_ = event.time;
    ++events_processed_;
    handlers_[event.handler]->handle(*this, event);
  }
  now_ = horizon;
}

}  // namespace gpumarket
