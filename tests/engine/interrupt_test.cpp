// The interrupt flag that the CLI's signal handler sets, as the long loops see it.
#include "gpumarket/core/interrupt.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "gpumarket/engine/simulation.hpp"

namespace gpumarket {
namespace {

// Reschedules itself every microsecond, for ever: a tick that never ends.
class Endless final : public EventHandler {
 public:
  void handle(Simulation& sim, const Event& /*event*/) override {
    ++handled;
    if (handled == 1000) request_interrupt(SIGINT);  // as Ctrl-C would, in mid-tick
    sim.schedule_after(Duration::micros(1), 0, id, 0);
  }
  HandlerId id = 0;
  uint64_t handled = 0;
};

class InterruptTest : public testing::Test {
 protected:
  void TearDown() override { request_interrupt(0); }
};

TEST_F(InterruptTest, StopsEventDispatchWithinOnePollInterval) {
  Simulation sim;
  Endless handler;
  handler.id = sim.add_handler(handler);
  sim.schedule_at(SimTime::micros(0), 0, handler.id, 0);
  try {
    sim.run_until(SimTime::micros(1'000'000'000));
    FAIL() << "expected Interrupted";
  } catch (const Interrupted& interrupted) {
    EXPECT_EQ(interrupted.signal(), SIGINT);
    EXPECT_NE(std::string(interrupted.what()).find("while dispatching events at"),
              std::string::npos)
        << interrupted.what();
  }
  EXPECT_LE(handler.handled, kInterruptPollMask + 1);
}

TEST_F(InterruptTest, DoesNothingWithoutASignal) {
  EXPECT_EQ(interrupt_signal(), 0);
  EXPECT_NO_THROW(throw_if_interrupted("testing"));
  request_interrupt(SIGTERM);
  try {
    throw_if_interrupted("testing");
    FAIL() << "expected Interrupted";
  } catch (const Interrupted& interrupted) {
    EXPECT_EQ(interrupted.signal(), SIGTERM);
    EXPECT_EQ(std::string(interrupted.what()),
              "interrupted by signal 15 while testing; no output file was written");
  }
}

}  // namespace
}  // namespace gpumarket
