// The market model: builds venues and demand from a Scenario, drives them with the
// event loop and reports to a Recorder. `main()` and sweeps run scenarios through it.
#pragma once

#include <functional>
#include <memory>
#include <string>

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

  /// The same run in stages, for checkpoints and forked sweeps: begin() (or resume()), then
  /// advance_to() as often as needed, then end(), which runs to the horizon and returns what
  /// run() would: a run is the same, bit for bit, however it is cut. With `keep_rows` the
  /// model keeps the rows it has written, so that a saved state carries them.
  void begin(Recorder& recorder, Progress progress = {}, bool keep_rows = false);
  /// Runs the events before `until` (at most the horizon) and stops the clock there.
  void advance_to(SimTime until);
  SimTime now() const;
  RunTotals end();
  /// The run's state where advance_to stopped, as portable bytes (core/state_archive.hpp):
  /// every event pending, every random stream, the jobs, venues, providers, tokens, chains,
  /// bridges and provers, the indicators' accumulators and, with `keep_rows`, the rows
  /// written so far.
  std::string save_state();
  /// Instead of begin(): continues the run whose state `save_state` gave, with this model's
  /// scenario. That scenario must have the saved run's history up to the state's date (the
  /// same scenario without the timeline steps from that date on, and the seed:
  /// io/scenario_prefix.hpp); its own later steps apply. The rows written before the date (if
  /// the saved run kept them) go to `recorder` first. With `keep_rows` the continued run keeps
  /// them and its own, so that it can save its state again.
  void resume(Recorder& recorder, const std::string& state, Progress progress = {},
              bool keep_rows = false);

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
