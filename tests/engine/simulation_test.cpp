#include "gpumarket/engine/simulation.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace gpumarket {
namespace {

// Records (time, arg) of every event it handles; arg 1 schedules a follow-up.
class Recording final : public EventHandler {
 public:
  void handle(Simulation& sim, const Event& event) override {
    seen.emplace_back(sim.now().count_micros(), event.arg);
    if (event.arg == 1) sim.schedule_after(Duration::micros(5), 0, id, 2);
  }
  HandlerId id = 0;
  std::vector<std::pair<int64_t, uint32_t>> seen;
};

TEST(Simulation, RunsEventsBeforeTheHorizonAndKeepsTheRest) {
  Simulation sim;
  Recording handler;
  handler.id = sim.add_handler(handler);
  sim.schedule_at(SimTime::micros(10), 0, handler.id, 1);
  sim.schedule_at(SimTime::micros(100), 0, handler.id, 3);
  sim.run_until(SimTime::micros(50));
  EXPECT_EQ(handler.seen, (std::vector<std::pair<int64_t, uint32_t>>{{10, 1}, {15, 2}}));
  EXPECT_EQ(sim.now().count_micros(), 50);
  EXPECT_EQ(sim.pending(), 1u);
  sim.run_until(SimTime::micros(200));
  EXPECT_EQ(handler.seen.back(), (std::pair<int64_t, uint32_t>{100, 3}));
  EXPECT_EQ(sim.events_processed(), 3u);
}

TEST(Simulation, AnEventScheduledBetweenRunsStillRunsInOrder) {
  Simulation sim;
  Recording handler;
  handler.id = sim.add_handler(handler);
  sim.schedule_at(SimTime::micros(100), 0, handler.id, 3);
  sim.run_until(SimTime::micros(50));
  sim.schedule_at(SimTime::micros(60), 0, handler.id, 4);
  sim.run_until(SimTime::micros(200));
  EXPECT_EQ(handler.seen, (std::vector<std::pair<int64_t, uint32_t>>{{60, 4}, {100, 3}}));
}

TEST(Simulation, CancelledEventsDoNotRun) {
  Simulation sim;
  Recording handler;
  handler.id = sim.add_handler(handler);
  const EventHandle handle = sim.schedule_at(SimTime::micros(10), 0, handler.id, 7);
  sim.cancel(handle);
  sim.run_until(SimTime::micros(20));
  EXPECT_TRUE(handler.seen.empty());
}

TEST(Simulation, EventAtTheHorizonWaitsForTheNextRun) {
  Simulation sim;
  Recording handler;
  handler.id = sim.add_handler(handler);
  sim.schedule_at(SimTime::micros(50), 0, handler.id, 9);
  sim.run_until(SimTime::micros(50));
  EXPECT_TRUE(handler.seen.empty());
  sim.run_until(SimTime::micros(51));
  EXPECT_EQ(handler.seen.size(), 1u);
}

}  // namespace
}  // namespace gpumarket
