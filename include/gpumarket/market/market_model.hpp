// The market model: builds venues and demand from a Scenario, drives them with the
// event loop and reports to a Recorder. `main()` and sweeps run scenarios through it.
#pragma once

#include <functional>
#include <memory>

#include "gpumarket/core/recorder.hpp"
#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket {

/// Headline numbers of a finished run; every one is also written to the recorder's summary.
/// Conservation: jobs_generated = priced_out + completed + abandoned + waiting +
/// in_service + in_transit + in_proof; money_paid = money_received + money_fees; bridge_volume =
/// bridge_delivered + bridge_in_flight.
struct RunTotals {
  uint64_t jobs_generated = 0;
  uint64_t jobs_arrived = 0;  // joined a venue's line
  uint64_t jobs_completed = 0;
  uint64_t jobs_abandoned = 0;
  uint64_t jobs_priced_out = 0;
  uint64_t jobs_waiting = 0;     // at the horizon
  uint64_t jobs_in_service = 0;  // at the horizon
  uint64_t jobs_in_transit = 0;  // at the horizon: on a bridge or travelling to a venue
  double money_paid_usd = 0;
  double money_received_usd = 0;
  double money_fees_usd = 0;
  double bridge_volume_pfh = 0;
  double bridge_delivered_pfh = 0;
  double bridge_in_flight_pfh = 0;
  uint64_t events = 0;
  uint64_t jobs_in_proof = 0;  // at the horizon: computed, being proven at a zk venue
};

class MarketModel {
 public:
  /// Where a run is, as a progress display needs it: read off the clock and the event
  /// counter, so reporting costs nothing per event.
  struct ProgressState {
    double fraction = 0;  // of the horizon simulated
    SimTime now;          // simulated time since the scenario's start
    uint64_t events = 0;  // events processed so far
  };
  /// Called once per tick.
  using Progress = std::function<void(const ProgressState& state)>;

  /// `scenario` must have passed validation (io/scenario_loader does it).
  explicit MarketModel(const Scenario& scenario);
  ~MarketModel();
  MarketModel(const MarketModel&) = delete;
  MarketModel& operator=(const MarketModel&) = delete;

  /// Runs to the horizon, streaming series and the summary to `recorder` (after
  /// `recorder.begin()`; the caller calls `finish()`).
  RunTotals run(Recorder& recorder, const Progress& progress = {});

  /// A routed job as it is generated, for tests and traces.
  struct JobArrival {
    uint32_t segment = 0;
    uint64_t address = 0;  // global address index
    SimTime at;
    bool licensed = false;
  };
  using ArrivalObserver = std::function<void(const JobArrival& arrival)>;
  /// Calls `observer` for every job routed from now on (internal work is not routed).
  void observe_arrivals(ArrivalObserver observer);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpumarket
