#include "gpumarket/engine/simulation.hpp"

#include <gtest/gtest.h>

#include <tuple>
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

// Two kinds of event, each handled by its own member function.
class TwoKinds {
 public:
  explicit TwoKinds(Simulation& sim) : sim_(sim) {}

  using Call = std::tuple<char, int64_t, uint32_t>;  // (kind, time in µs, arg)
  std::vector<Call> calls;

 private:
  void on_a(uint32_t arg) { calls.emplace_back('a', sim_.now().count_micros(), arg); }
  void on_b(uint32_t arg) { calls.emplace_back('b', sim_.now().count_micros(), arg); }

  Simulation& sim_;

 public:
  MethodHandler<TwoKinds, &TwoKinds::on_a> a{sim_, *this};
  MethodHandler<TwoKinds, &TwoKinds::on_b> b{sim_, *this};
};

TEST(Simulation, EachKindRunsItsOwnMethodWithItsArgInPriorityOrder) {
  Simulation sim;
  TwoKinds model(sim);
  EXPECT_NE(model.a.id(), model.b.id());
  // All at one time: priority alone orders them, whatever their kind, then insertion.
  sim.schedule_at(SimTime::micros(10), 2, model.a.id(), 1);
  sim.schedule_at(SimTime::micros(10), 0, model.b.id(), 2);
  sim.schedule_at(SimTime::micros(10), 1, model.b.id(), 3);
  sim.schedule_at(SimTime::micros(10), 0, model.a.id(), 4);
  sim.run_until(SimTime::micros(11));
  EXPECT_EQ(model.calls,
            (std::vector<TwoKinds::Call>{{'b', 10, 2}, {'a', 10, 4}, {'b', 10, 3}, {'a', 10, 1}}));
}

TEST(Simulation, ARestoredSimulationRunsTheRestAsTheOriginal) {
  Simulation original;
  TwoKinds model(original);
  for (uint32_t i = 0; i < 40; ++i) {
    original.schedule_at(SimTime::micros(static_cast<int64_t>(i % 7) * 10),
                         static_cast<Priority>(i % 3), i % 2 == 0 ? model.a.id() : model.b.id(), i);
  }
  original.run_until(SimTime::micros(30));
  const Simulation::State state = original.state();
  EXPECT_EQ(state.now, SimTime::micros(30));
  EXPECT_EQ(state.pending.size(), original.pending());

  Simulation restored;
  TwoKinds copy(restored);  // registers its handlers in the same order
  restored.restore(state);
  EXPECT_EQ(restored.now(), original.now());
  EXPECT_EQ(restored.events_processed(), original.events_processed());
  const size_t before = model.calls.size();
  original.run_until(SimTime::micros(100));
  restored.run_until(SimTime::micros(100));
  EXPECT_EQ(copy.calls,
            std::vector<TwoKinds::Call>(model.calls.begin() + static_cast<std::ptrdiff_t>(before),
                                        model.calls.end()));
  EXPECT_EQ(restored.events_processed(), original.events_processed());
}

}  // namespace
}  // namespace gpumarket
