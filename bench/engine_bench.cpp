// Events per second of the engine (event queue + dispatch) on an M/M/c workload:
// Poisson arrivals, c servers, exponential service, FIFO waiting line.
#include <benchmark/benchmark.h>

#include <boost/random/exponential_distribution.hpp>
#include <vector>

#include "gpumarket/core/random.hpp"
#include "gpumarket/engine/simulation.hpp"

namespace gpumarket {
namespace {

class MmcStation final : public EventHandler {
 public:
  MmcStation(Simulation& sim, int servers, double arrival_rate_per_hour, double service_rate_per_hour)
      : sim_(sim),
        servers_(servers),
        interarrival_(arrival_rate_per_hour),
        service_(service_rate_per_hour),
        rng_(make_stream(1, "bench/mmc")) {
    id_ = sim_.add_handler(*this);
    sim_.schedule_at(SimTime::start(), kArrival, id_, 0);
  }

  void handle(Simulation& sim, const Event& event) override {
    if (event.priority() == kArrival) {
      sim.schedule_after(Duration::hours(interarrival_(rng_)), kArrival, id_, 0);
      if (busy_ < servers_) {
        ++busy_;
        sim.schedule_after(Duration::hours(service_(rng_)), kDeparture, id_, 0);
      } else {
        ++waiting_;
      }
    } else if (waiting_ > 0) {
      --waiting_;
      sim.schedule_after(Duration::hours(service_(rng_)), kDeparture, id_, 0);
    } else {
      --busy_;
    }
  }

 private:
  static constexpr Priority kDeparture = 0;
  static constexpr Priority kArrival = 1;
  Simulation& sim_;
  int servers_;
  int busy_ = 0;
  int64_t waiting_ = 0;
  boost::random::exponential_distribution<double> interarrival_;
  boost::random::exponential_distribution<double> service_;
  RandomEngine rng_;
  HandlerId id_ = 0;
};

// Arguments: servers c, utilisation rho in percent.
void BM_EngineMmc(benchmark::State& state) {
  const int servers = static_cast<int>(state.range(0));
  const double rho = static_cast<double>(state.range(1)) / 100.0;
  Simulation sim;
  MmcStation station(sim, servers, rho * servers, 1.0);
  SimTime horizon = SimTime::start();
  for (auto _ : state) {
    horizon = horizon + Duration::hours(1000.0);
    sim.run_until(horizon);
  }
  state.SetItemsProcessed(static_cast<int64_t>(sim.events_processed()));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(sim.events_processed()),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EngineMmc)->Args({1, 90})->Args({4, 90})->Args({16, 80})->Args({64, 95});

}  // namespace
}  // namespace gpumarket
