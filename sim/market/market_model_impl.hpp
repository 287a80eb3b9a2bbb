// The market model's state and event handlers, shared by the files that implement
// its parts: job flow (market_model.cpp), supply (market_supply.cpp), demand and
// routing (market_demand.cpp), and metrics (market_metrics.cpp).
#pragma once

#include <Eigen/Core>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/core/random.hpp"
#include "gpumarket/core/recorder.hpp"
#include "gpumarket/engine/simulation.hpp"
#include "gpumarket/market/bridge.hpp"
#include "gpumarket/market/daily_activity.hpp"
#include "gpumarket/market/demand_sampling.hpp"
#include "gpumarket/market/job_pool.hpp"
#include "gpumarket/market/market_model.hpp"
#include "gpumarket/market/routing.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "gpumarket/market/venue.hpp"

namespace gpumarket {

// Kinds of event, in the order they run when they share a time: parameter changes
// first, capacity freed before new work claims it, and the tick and the day boundary
// see the state after all job events.
inline constexpr Priority kTimelineChange = 0;
inline constexpr Priority kCompletion = 1;
inline constexpr Priority kAbandonment = 2;
inline constexpr Priority kVenueArrival = 3;
inline constexpr Priority kArrival = 4;
inline constexpr Priority kTick = 5;
inline constexpr Priority kDayEnd = 6;
inline constexpr Priority kWarmupEnd = 7;

inline constexpr uint32_t kNoBridge = UINT32_MAX;
inline constexpr uint32_t kNoRoute = UINT32_MAX;  // internal work: straight to the reserved pool

/// A venue at run time: the queue plus what its kind needs each tick.
struct VenueRuntime {
  Venue queue;
  VenueParams::Kind kind;
  size_t params_index;    // into Scenario::venues
  bool reserved = false;  // the pool's reserved share: internal work only
  std::optional<MarketplaceState> marketplace;
  RandomEngine supply_rng;  // providers' entry and attributes
  RandomEngine token_rng;
  double token_usd = 0;
  MarketplaceTickResult last_tick;  // for the series
};

/// A way to reach a venue: directly or through a bridge; its settlement (token or
/// sovereign currency) decides which job classes may take it.
struct Route {
  uint32_t venue;
  uint32_t bridge = kNoBridge;
  bool token_settled = true;
  std::string label;
};

struct SegmentRuntime {
  const Segment* params;
  ArrivalSampler arrivals;
  SizeSampler width;
  SizeSampler duration;
  ZipfSampler addresses;
  RandomEngine arrival_rng;
  RandomEngine size_rng;
  RandomEngine class_rng;
  uint64_t address_offset;
};

/// Money, in USD at the time of payment: paid = received + fees, always.
struct Ledger {
  double paid_usd = 0;             // by jobs
  double received_usd = 0;         // by venues (providers, pool, fixed venues)
  double platform_fees_usd = 0;    // marketplaces' take
  double bridge_fees_usd = 0;      // fixed + proportional
  double proof_costs_usd = 0;      // zero-knowledge provers
  double settlement_usd = 0;       // sovereign-settlement spreads and transaction costs
  double compliance_fees_usd = 0;  // licence fees for the pool

  double fees_usd() const {
    return platform_fees_usd + bridge_fees_usd + proof_costs_usd + settlement_usd +
           compliance_fees_usd;
  }
};

/// Totals over one tick interval (series) or the measurement window (summary).
struct FlowTotals {
  double public_chain_paid_usd = 0;  // all-in payments of public-chain jobs
  double public_chain_work_pfh = 0;  // their work
  double licensed_paid_usd = 0;      // the same, for licensed public-chain jobs
  double licensed_work_pfh = 0;
  double priced_out = 0;
  double completed_public_chain_pfh = 0;  // adoption: public-chain work served
};

/// Handles of the series the model writes (market_metrics.cpp declares them).
struct ModelSeriesIds {
  SeriesId time_h;
  // Per venue.
  SeriesId capacity_pf, capacity_gpu, utilisation, price, queue_length, jobs_waiting, mean_wait_h,
      served_pfh, arrivals, completed, abandoned, revenue_usd, provider_count, mean_margin,
      token_usd;
  // Market-wide.
  SeriesId hardware_index, fee_index, price_index, state_share, public_chain_served_pfh;
  // Per bridge.
  SeriesId bridge_volume_pfh, bridge_fees_usd, bridge_backlog_h, bridge_in_flight_pfh;
  // Per segment.
  SeriesId priced_out;
  // Per day.
  SeriesId day_time_h, daa;
};

class MarketModel::Impl final : public EventHandler {
 public:
  explicit Impl(const Scenario& scenario);
  RunTotals run(Recorder& recorder, const Progress& progress);
  void handle(Simulation& sim, const Event& event) override;

 private:
  // Job flow (market_model.cpp).
  void on_arrival(uint32_t slot);
  void on_venue_arrival(uint32_t slot);
  void start(uint32_t slot);
  void on_completion(uint32_t slot);
  void on_abandonment(uint32_t slot);
  void start_waiting_jobs(uint32_t venue);
  void charge(Job& job);
  void on_tick(SimTime now);
  void on_timeline_change(uint32_t step);

  // Supply (market_supply.cpp).
  void build_venues();
  void update_supply(SimTime now, double interval_hours);
  const VenueParams& venue_params(const VenueRuntime& venue) const;

  // Demand and routing (market_demand.cpp).
  void build_segments_and_routes();
  void refresh_route_table(SimTime now);
  void generate_arrivals(SimTime t0, SimTime t1);

  // Metrics (market_metrics.cpp).
  void declare_series();
  void absorb(SimTime now);
  void close_interval(SimTime now);
  void on_day_end(SimTime now);
  RunTotals finish_summary();

  Scenario scenario_;        // a copy: callers may pass a temporary
  const Scenario* current_;  // parameters in force: scenario_ or a timeline state
  Simulation sim_;
  HandlerId handler_ = 0;
  JobPool jobs_;

  std::vector<VenueRuntime> venues_;
  std::vector<Bridge> bridges_;
  std::vector<Route> routes_;
  std::vector<SegmentRuntime> segments_;
  RouteTable route_table_;
  JobBatch batch_;
  RoutingResult routing_;
  std::vector<uint32_t> batch_slots_;
  std::vector<int> batch_classes_;
  std::vector<double> arrival_times_h_;
  RandomEngine routing_rng_;
  double hardware_index_ = 1.0;
  int64_t pool_ = -1;                   // index of the pool's public venue, or -1
  int64_t pool_reserved_ = -1;          // index of the pool's reserved venue, or -1
  SimTime licensed_access_from_;        // licensed jobs may use the pool from then on
  std::vector<bool> address_licensed_;  // addresses that paid the pool's licence fee

  // Metrics.
  Recorder* recorder_ = nullptr;
  const Progress* progress_ = nullptr;
  ModelSeriesIds ids_{};
  DailyActivity activity_;
  std::vector<double> row_;
  std::vector<VenueAreas> interval_areas_, window_areas_;
  std::vector<VenueCounts> interval_counts_, window_counts_;
  std::vector<double> interval_payments_usd_;  // per venue: compute bills of jobs started
  // Per venue, the demand of the last closed interval: time-average PF in use plus the
  // width of the jobs waiting. The marketplaces clear on it.
  std::vector<double> last_demand_pf_;
  std::vector<double> interval_bridge_volume_pfh_, interval_bridge_fees_usd_;
  std::vector<double> window_bridge_volume_before_pfh_, window_bridge_volume_after_pfh_;
  std::vector<double> interval_priced_out_;  // per segment
  FlowTotals interval_flow_, window_flow_;
  std::vector<double> daa_before_sum_, daa_after_sum_;
  double daa_before_days_ = 0, daa_after_days_ = 0;
  double price_index_sum_ = 0, price_index_ticks_ = 0;
  double served_state_pfh_ = 0, served_decentralized_pfh_ = 0, served_other_pfh_ = 0;
  SimTime interval_start_;
  SimTime last_absorb_;
  double window_hours_ = 0;
  double bridge_hours_before_ = 0, bridge_hours_after_ = 0;
  uint64_t jobs_in_transit_ = 0;
  Ledger ledger_;
  RunTotals totals_;
};

}  // namespace gpumarket
