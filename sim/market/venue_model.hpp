// A venue kind at run time: what the run loop needs of a venue each tick and per job.
// Each kind lives in its own file (fixed_venue.cpp, alliance_pool.cpp,
// marketplace_venue.cpp); make_venue_models() in venue_factory.cpp is the only place
// that looks at which kind a venue is.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/market/venue.hpp"
#include "gpumarket/scenario/scenario.hpp"

namespace cereal {
class PortableBinaryOutputArchive;
class PortableBinaryInputArchive;
}  // namespace cereal

namespace gpumarket {

class PoolProcurement;

/// Which share of the market a venue's served work counts for.
enum class Sector { State, Decentralized, Other };

/// What the market tick tells every venue, after the hardware market has moved.
struct SupplyTick {
  SimTime now;
  double interval_h = 0;  // since the previous tick; 0 at the first
  /// The index of each hardware segment (HardwareMarketParams::segments' order).
  std::span<const double> hardware_index;
};

/// How a job reaches the venue: the route's kind, as far as access rules care.
struct RouteKind {
  bool bridged = false;
  bool token_settled = true;
  bool bridge_alliance_accepts = false;  // the bridge's settlement is accepted by the pool
  bool bridge_proves = false;            // the bridge proves every job's compute (ZK)
};

/// What a job pays the venue's side beyond its compute bill, USD.
struct VenueCharges {
  double platform_fee_usd = 0;  // kept by the venue's platform, out of the bill
  double settlement_usd = 0;    // currency conversion the venue requires
};

/// Values of the per-venue supply series; NaN where the kind has no such thing.
struct VenueSupplyState {
  double provider_count = std::numeric_limits<double>::quiet_NaN();
  double mean_margin_usd_per_pf_hour = std::numeric_limits<double>::quiet_NaN();
  double token_usd = std::numeric_limits<double>::quiet_NaN();
  /// Providers' receipts in the tick just closed, USD (MarketplaceTickResult).
  double provider_revenue_usd = std::numeric_limits<double>::quiet_NaN();
  double entrants = std::numeric_limits<double>::quiet_NaN();  // providers that entered
  // Token economy (token_economy.hpp), the last tick's (NaN where the marketplace has none).
  double tokens_burned = std::numeric_limits<double>::quiet_NaN();
  double tokens_minted = std::numeric_limits<double>::quiet_NaN();
  double token_supply_tokens = std::numeric_limits<double>::quiet_NaN();
  // The alliance pool's operation (docs/model.md, "Pool operation"), NaN elsewhere.
  double subsidy_usd = std::numeric_limits<double>::quiet_NaN();   // paid for the tick's work
  double latency_h = std::numeric_limits<double>::quiet_NaN();     // in force for the next tick
  double price_factor = std::numeric_limits<double>::quiet_NaN();  // on the cost-based price
  // Cumulative research grants disbursed, and their open-source share, USD (the public share).
  double research_grants_usd = std::numeric_limits<double>::quiet_NaN();
  double open_source_grants_usd = std::numeric_limits<double>::quiet_NaN();
};

class VenueModel {
 public:
  virtual ~VenueModel() = default;
  VenueModel(const VenueModel&) = delete;
  VenueModel& operator=(const VenueModel&) = delete;

  /// The queue: capacity, price, FIFO line and time integrals.
  Venue& queue() { return queue_; }
  const Venue& queue() const { return queue_; }
  const std::string& name() const { return queue_.name(); }
  /// Index of the venue's parameters in Scenario::venues.
  size_t params_index() const { return params_index_; }
  const VenueParams& params() const { return *params_; }

  /// The parameters in force from now on (a timeline step): same venue, other values.
  void set_params(const VenueParams& params) { params_ = &params; }

  virtual Sector sector() const = 0;
  /// True for capacity kept for the alliance's own work: no route leads here.
  virtual bool reserved_for_internal_work() const { return false; }
  /// True when a direct route settled in sovereign currency leads here, besides the token one.
  virtual bool has_sovereign_route() const { return false; }

  /// The rate at which the venue buys hardware, PF per year: its demand on the hardware
  /// market (include/gpumarket/market/hardware_market.hpp).
  virtual double hardware_purchase_pf_per_year() const { return 0.0; }
  /// The pool's hardware orders, on the venue that steps them; nullptr elsewhere.
  virtual PoolProcurement* pool_procurement() { return nullptr; }

  /// Sets capacity and price for the interval that starts at `tick.now`. `demand_pf` is the
  /// venue's demand in the interval just closed (time-average PF in use plus the width of
  /// the jobs waiting).
  virtual void update_supply(const SupplyTick& tick, double demand_pf) = 0;
  /// Accounts the interval that ends at `now`, before its series are written.
  virtual void close_interval(SimTime /*now*/) {}
  /// Delay between a job's decision and its arrival in the line, for jobs routed now.
  virtual Duration latency() const { return params().latency; }

  /// Whether a job of this origin and licence may take a route of this kind now.
  virtual bool admits(Origin /*origin*/, bool /*licensed*/, const RouteKind& /*route*/,
                      SimTime /*now*/) const {
    return true;
  }
  /// The probability that the venue detects and refuses a job on a route of this kind that
  /// it admits only by evading a ban (docs/model.md, "Evading the ban"); 0 elsewhere.
  virtual double detection_probability(const RouteKind& /*route*/) const { return 0.0; }
  /// Fraction of the compute bill a job on such a route pays to settle with the venue.
  virtual double settlement_spread(bool /*token_settled*/) const { return 0.0; }
  /// How long a job waits for its settlement before it reaches the venue.
  virtual Duration settlement_delay() const { return Duration(); }
  /// What a job on a route so settled pays beside its bill, when it starts.
  virtual VenueCharges charge(bool /*token_settled*/, double /*bill_usd*/) { return {}; }

  /// The licences the venue's routes require and their rules; null: open to all licences.
  virtual const LicensingParams* licensing() const { return nullptr; }

  virtual VenueSupplyState supply_state() const { return {}; }

  /// A run's state (checkpoints and forked sweeps, core/state_archive.hpp): the queue and what
  /// the kind adds; not the parameters, which the model sets again.
  virtual void save_state(cereal::PortableBinaryOutputArchive& archive) const;
  virtual void load_state(cereal::PortableBinaryInputArchive& archive);

 protected:
  VenueModel(std::string name, const VenueParams& params, size_t params_index)
      : queue_(std::move(name), 0.0, 0.0), params_(&params), params_index_(params_index) {}

 private:
  Venue queue_;
  const VenueParams* params_;
  size_t params_index_;
};

/// What building a venue needs beyond its parameters.
struct VenueBuildContext {
  uint64_t seed = 0;
  Date start;                  // time 0
  uint64_t address_count = 0;  // addresses of every segment: licences are per address
  const HardwareMarketParams* hardware = nullptr;  // the segments venues' indices refer to
};

/// The run-time venues of the scenario's venues, in order. A pool gives two: its public
/// share, then its reserved share (named "<name>_reserved").
std::vector<std::unique_ptr<VenueModel>> make_venue_models(const Scenario& scenario,
                                                           const VenueBuildContext& context);

// One per kind, called by make_venue_models().
std::unique_ptr<VenueModel> make_fixed_venue(const VenueParams& params, size_t params_index);
void add_alliance_pool(const VenueParams& params, size_t params_index,
                       const VenueBuildContext& context,
                       std::vector<std::unique_ptr<VenueModel>>& venues);
std::unique_ptr<VenueModel> make_marketplace_venue(const VenueParams& params, size_t params_index,
                                                   const VenueBuildContext& context);

}  // namespace gpumarket
