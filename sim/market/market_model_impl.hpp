// The market model's state and event handlers, shared by the files that implement
// its parts: job flow (market_model.cpp), the supply tick (market_supply.cpp), demand and
// routing (market_demand.cpp). Venue kinds are VenueModels (venue_model.hpp) and what the
// run reports is MarketMetrics (market_metrics.hpp).
#pragma once

#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

#include "gpumarket/core/random.hpp"
#include "gpumarket/core/recorder.hpp"
#include "gpumarket/engine/simulation.hpp"
#include "gpumarket/market/bridge.hpp"
#include "gpumarket/market/chain.hpp"
#include "gpumarket/market/demand_sampling.hpp"
#include "gpumarket/market/hardware_market.hpp"
#include "gpumarket/market/job_pool.hpp"
#include "gpumarket/market/licence_office.hpp"
#include "gpumarket/market/market_model.hpp"
#include "gpumarket/market/prover_pool.hpp"
#include "gpumarket/market/routing.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "gpumarket/market/venue.hpp"
#include "market_metrics.hpp"
#include "row_log.hpp"
#include "venue_model.hpp"
#include "venue_verification.hpp"

namespace gpumarket {

// The order in which events that share a time run (each kind has its own handler below):
// parameter changes first, alone at their priority (a run continued from a checkpoint replaces
// the pending ones by its own scenario's, which must not reorder any other event), then a
// bridge going down or up (it changes what is open, like a parameter change), capacity freed
// before new work claims it, and the tick and the day boundary see the state after all job
// events.
inline constexpr Priority kTimelineChange = 0;
inline constexpr Priority kBridgeState = 1;
inline constexpr Priority kCompletion = 2;
inline constexpr Priority kAbandonment = 3;
inline constexpr Priority kVenueArrival = 4;
inline constexpr Priority kArrival = 5;
inline constexpr Priority kTick = 6;
inline constexpr Priority kDayEnd = 7;
inline constexpr Priority kWarmupEnd = 8;
// A finished proof ends a job's stay at a zk venue as a completion ends it elsewhere.
inline constexpr Priority kProofDone = kCompletion;

inline constexpr uint32_t kNoRoute = UINT32_MAX;  // internal work: straight to the reserved pool
// A venue or bridge without a prover pool.
inline constexpr uint32_t kNoProver = UINT32_MAX;

/// A way to reach a venue: directly or through a bridge; its settlement (token or
/// sovereign currency) decides which job classes may take it.
struct Route {
  uint32_t venue = 0;
  uint32_t bridge = kNoBridge;
  bool token_settled = true;
};

struct SegmentRuntime {
  const Segment* params = nullptr;
  ArrivalSampler arrivals;
  SizeSampler width;
  SizeSampler duration;
  ZipfSampler addresses;
  RandomEngine arrival_rng;
  RandomEngine size_rng;
  uint64_t address_offset = 0;
  /// Expected jobs over the licence planning horizon from the last planning time.
  double jobs_over_horizon = 0;
};

class MarketModel::Impl final {
 public:
  explicit Impl(const Scenario& scenario);
  RunTotals run(Recorder& recorder, const Progress& progress);
  void observe_arrivals(ArrivalObserver observer) { arrival_observer_ = std::move(observer); }

  // A run in stages (MarketModel's documentation); the state's parts are in market_state.cpp.
  void begin(Recorder& recorder, Progress progress, bool keep_rows);
  void advance_to(SimTime until) { sim_.run_until(std::min(until, horizon())); }
  RunTotals end();
  SimTime now() const { return sim_.now(); }
  std::string save_state();
  void resume(Recorder& recorder, Progress progress, const std::string& state, bool keep_rows);

 private:
  SimTime horizon() const { return SimTime::start() + scenario_.horizon; }
  /// Saves or loads (by the archive's direction) what changes as the run goes.
  template <class Archive>
  void run_state(Archive& archive);

  // Job flow (market_model.cpp).
  void on_arrival(uint32_t slot);
  void on_venue_arrival(uint32_t slot);
  void start(uint32_t slot);
  void on_completion(uint32_t slot);
  void complete(uint32_t slot);
  void on_abandonment(uint32_t slot);
  void start_waiting_jobs(uint32_t venue);
  void charge(Job& job);
  void on_tick(uint32_t /*unused*/);
  void close_interval(SimTime now);
  void on_timeline_change(uint32_t step);
  void on_warmup_end(uint32_t /*unused*/);

  // Verification and provers (market_verification.cpp).
  void build_verification();
  void set_verification_params();
  /// Draws the job's attempt at its venue, then it joins the line or starts.
  void join_venue(uint32_t slot);
  /// After the compute (or the proof) of an attempt: accept, redo or lose it.
  void finish_attempt(uint32_t slot);
  void on_proof_done(uint32_t slot);

  // Supply (market_supply.cpp).
  void update_supply(SimTime now, double interval_h);

  // Demand and routing (market_demand.cpp).
  void build_segments();
  void build_routes();
  void refresh_route_table(SimTime now);
  void generate_arrivals(SimTime t0, SimTime t1);

  // Licences (market_licences.cpp).
  void build_licences();
  /// The licensing rules in force (the pool's), or null when no venue requires a licence.
  const LicensingParams* licensing() const;
  /// Unlicensed addresses decide whether to apply, on the route table of `now`.
  void plan_licences(SimTime now);
  /// Grants the licences that take effect before `until`, and records their cost.
  void grant_licences(SimTime until);
  /// a_j: the amortised licence cost a job of `address` carries on licence-gated routes.
  double access_cost_usd(const SegmentRuntime& segment, uint32_t address) const;
  /// K: what a licence costs over the planning horizon, which a licensed job evading the ban
  /// risks; 0 without licensing.
  double licence_at_risk_usd() const;
  /// Whether the job routed to `route` is caught evading a ban (one draw on the enforcement
  /// stream, only on such a route); a caught job's address loses its licence.
  bool caught_evading(const Job& job, int route);

  void on_day_end(uint32_t /*unused*/);
  RunTotals finish();

  // Bridge outages and the jobs in flight on bridges (bridge_outages.cpp). The argument of
  // the bridge events is the bridge's index, with kPauseBit set for a scheduled pause.
  static constexpr uint32_t kPauseBit = uint32_t{1} << 31;
  void schedule_outages();
  void on_bridge_down(uint32_t arg);
  void on_bridge_up(uint32_t arg);
  void board_bridge(uint32_t slot, uint32_t bridge, Duration transit);
  void leave_bridge(uint32_t slot, uint32_t bridge);
  void return_to_origin(uint32_t slot);
  void take_returned_jobs(SimTime now);
  bool reroutes(uint32_t bridge) const {
    return scenario_.bridges[bridge].outages.on_outage == BridgeOutageParams::Policy::Reroute;
  }
  void update_bridge_reach();
  // Block-space markets (market_chains.cpp).
  void build_chains();
  void resolve_chains();
  void advance_chains(SimTime now);
  double settlement_fee_usd() const;
  double bridge_gas_usd(uint32_t bridge) const;
  void record_settlement();
  void record_bridge_message(uint32_t bridge);
  void record_proof_verification(uint32_t bridge);

  Scenario scenario_;        // a copy: callers may pass a temporary
  const Scenario* current_;  // parameters in force: scenario_ or a timeline state
  Simulation sim_;
  // One handler per kind of event: the simulation's handler table dispatches them.
  MethodHandler<Impl, &Impl::on_arrival> arrival_{sim_, *this};
  MethodHandler<Impl, &Impl::on_venue_arrival> venue_arrival_{sim_, *this};
  MethodHandler<Impl, &Impl::on_completion> completion_{sim_, *this};
  MethodHandler<Impl, &Impl::on_abandonment> abandonment_{sim_, *this};
  MethodHandler<Impl, &Impl::on_tick> tick_{sim_, *this};
  MethodHandler<Impl, &Impl::on_day_end> day_end_{sim_, *this};
  MethodHandler<Impl, &Impl::on_timeline_change> timeline_change_{sim_, *this};
  MethodHandler<Impl, &Impl::on_warmup_end> warmup_end_{sim_, *this};
  MethodHandler<Impl, &Impl::on_bridge_down> bridge_down_{sim_, *this};
  MethodHandler<Impl, &Impl::on_bridge_up> bridge_up_{sim_, *this};
  MethodHandler<Impl, &Impl::on_proof_done> proof_done_{sim_, *this};
  JobPool jobs_;

  std::vector<SegmentRuntime> segments_;
  uint64_t address_count_ = 0;
  // Licences: the office, the venue whose licensing rules apply, the review-time stream, when
  // addresses next reconsider, the representative jobs they price and their costs.
  std::unique_ptr<LicenceOffice> licences_;
  uint32_t licensing_venue_ = kNoRoute;
  RandomEngine licence_rng_;
  RandomEngine enforcement_rng_;  // the pool's checks of jobs that evade the ban
  SimTime next_licence_planning_;
  JobBatch planning_batch_;
  Eigen::ArrayXXd planning_cost_;
  std::vector<LicenceGrant> licence_grants_;
  ArrivalObserver arrival_observer_;
  std::vector<std::unique_ptr<VenueModel>> venues_;
  uint32_t internal_venue_ = kNoRoute;  // where internal work goes: the pool's reserved share
  std::vector<Bridge> bridges_;
  std::vector<Route> routes_;
  RouteTable route_table_;
  JobBatch batch_;
  RoutingResult routing_;
  std::vector<uint32_t> batch_slots_;
  std::vector<int> batch_classes_;
  std::vector<double> arrival_times_h_;
  // Per segment, the factor on its value of work at this tick (research_grants.hpp).
  std::vector<double> value_factor_;
  RandomEngine routing_rng_;
  HardwareMarket hardware_;
  SimTime last_tick_;

  Progress progress_;
  RowLog rows_;  // what the indicators write goes through it to the run's recorder
  std::unique_ptr<MarketMetrics> metrics_;
  uint64_t jobs_in_transit_ = 0;
  RunTotals totals_;

  // Per bridge: the slots of the jobs in its queue or in transit (a job knows its index),
  // and the outage stream. Jobs an outage sent back wait in returned_jobs_ for the next tick.
  std::vector<std::vector<uint32_t>> bridge_jobs_;
  std::vector<RandomEngine> outage_rngs_;
  std::vector<uint32_t> returned_jobs_;
  // Each route's venue and bridge, each venue's capacity and each bridge's added capacity:
  // the contiguous inputs and output of bridge_added_capacity.
  std::vector<uint32_t> route_venue_, route_bridge_;
  std::vector<double> venue_capacity_pf_, bridge_added_pf_;
  bool bridge_detail_ = false;  // Scenario::reports_bridge_detail
  std::vector<Chain> chains_;
  uint32_t settlement_chain_ = kNoChain;  // of current_->routing.settlement_chain
  std::vector<uint32_t> bridge_chain_;    // per bridge, of its `chain`
  // Verification (per venue) and prover pools: the venues' with scheme zk, then the bridges'.
  std::vector<VenueVerification> verification_;
  std::vector<ProverPool> provers_;
  std::vector<std::string> prover_names_;  // the owning venue's or bridge's name
  std::vector<uint32_t> venue_prover_;     // per venue: index in provers_, or kNoProver
  std::vector<uint32_t> bridge_prover_;    // per bridge: index in provers_, or kNoProver
  uint64_t jobs_in_proof_ = 0;
};

}  // namespace gpumarket
