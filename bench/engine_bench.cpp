// Events per second of the engine (event queue + dispatch) on an M/M/c workload:
// Poisson arrivals, c servers, exponential service, FIFO waiting line.
#include <benchmark/benchmark.h>

#include <boost/random/exponential_distribution.hpp>
#include <cstdint>
#include <vector>

#include "gpumarket/core/random.hpp"
#include "gpumarket/engine/simulation.hpp"

namespace gpumarket {
namespace {

class MmcStation final : public EventHandler {
 public:
  MmcStation(Simulation& sim, int servers, double arrival_rate_per_hour,
             double service_rate_per_hour)
      : sim_(sim),
        servers_(servers),
        interarrival_(arrival_rate_per_hour),
        service_(service_rate_per_hour),
        rng_(make_stream(1, "bench/mmc")),
        id_(sim_.add_handler(*this)) {
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
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(sim.events_processed()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EngineMmc)->Args({1, 90})->Args({4, 90})->Args({16, 80})->Args({64, 95});

// M/M/c+M (Erlang A): every arriving job starts a patience timer, cancelled when it
// starts service, and abandons the queue if the timer fires first. With patience much
// longer than the typical wait, most timers are cancelled: the load exercises lazy
// cancellation (the set of cancelled sequences and the skipping of dead heap entries).
class ErlangAStation final : public EventHandler {
 public:
  ErlangAStation(Simulation& sim, int servers, double arrival_rate_per_hour,
                 double service_rate_per_hour, double abandonment_rate_per_hour)
      : sim_(sim),
        servers_(servers),
        interarrival_(arrival_rate_per_hour),
        service_(service_rate_per_hour),
        patience_(abandonment_rate_per_hour),
        rng_(make_stream(1, "bench/erlang_a")),
        timers_(kMaxJobs),
        id_(sim_.add_handler(*this)) {
    sim_.schedule_at(SimTime::start(), kArrival, id_, 0);
  }

  void handle(Simulation& sim, const Event& event) override {
    switch (event.priority()) {
      case kArrival: {
        sim.schedule_after(Duration::hours(interarrival_(rng_)), kArrival, id_, 0);
        GPUMARKET_CHECK(next_job_ - head_ < kMaxJobs);
        const uint32_t job = next_job_++;
        timers_[job % kMaxJobs] =
            sim.schedule_after(Duration::hours(patience_(rng_)), kAbandonment, id_, job % kMaxJobs);
        if (busy_ < servers_) {
          ++busy_;
          start_service(sim, job);
        }
        break;
      }
      case kAbandonment:
        // The waiting line keeps its FIFO order: the job is marked gone and
        // skipped when it reaches the head.
        timers_[event.arg].sequence = 0;
        ++abandoned_;
        break;
      default:  // kDeparture
        while (head_ != next_job_ && timers_[head_ % kMaxJobs].sequence == 0) ++head_;
        if (head_ != next_job_) {
          start_service(sim, head_++);
        } else {
          --busy_;
        }
    }
  }

  uint64_t cancelled() const { return cancelled_; }
  uint64_t abandoned() const { return abandoned_; }

 private:
  static constexpr Priority kDeparture = 0;
  static constexpr Priority kAbandonment = 1;
  static constexpr Priority kArrival = 2;
  static constexpr uint32_t kMaxJobs = 1u << 16;  // ring of job slots

  void start_service(Simulation& sim, uint32_t job) {
    EventHandle& timer = timers_[job % kMaxJobs];
    sim.cancel(timer);
    timer.sequence = 0;
    ++cancelled_;
    sim.schedule_after(Duration::hours(service_(rng_)), kDeparture, id_, 0);
  }

  Simulation& sim_;
  int servers_;
  int busy_ = 0;
  boost::random::exponential_distribution<double> interarrival_;
  boost::random::exponential_distribution<double> service_;
  boost::random::exponential_distribution<double> patience_;
  RandomEngine rng_;
  // Jobs [head_, next_job_) are the waiting line, with gaps: a job whose timer is
  // sequence 0 has started service or abandoned.
  std::vector<EventHandle> timers_;
  uint32_t next_job_ = 0;
  uint32_t head_ = 0;
  uint64_t cancelled_ = 0;
  uint64_t abandoned_ = 0;
  HandlerId id_ = 0;
};

// Arguments: servers c, utilisation rho in percent. Mean patience 20 times the mean service.
void BM_EngineErlangACancelHeavy(benchmark::State& state) {
  const int servers = static_cast<int>(state.range(0));
  const double rho = static_cast<double>(state.range(1)) / 100.0;
  Simulation sim;
  ErlangAStation station(sim, servers, rho * servers, 1.0, 0.05);
  SimTime horizon = SimTime::start();
  for (auto _ : state) {
    horizon = horizon + Duration::hours(1000.0);
    sim.run_until(horizon);
  }
  const auto events = static_cast<double>(sim.events_processed());
  state.SetItemsProcessed(static_cast<int64_t>(sim.events_processed()));
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  // Cancelled events per processed one: about 0.5 when nearly every job is served.
  state.counters["cancelled/event"] = static_cast<double>(station.cancelled()) / events;
  state.counters["abandoned/job"] = static_cast<double>(station.abandoned()) /
                                    static_cast<double>(station.abandoned() + station.cancelled());
}
BENCHMARK(BM_EngineErlangACancelHeavy)->Args({4, 90})->Args({64, 95});

}  // namespace
}  // namespace gpumarket
