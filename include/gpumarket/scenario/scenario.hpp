// A scenario as plain structs: what io/scenario_loader reads from YAML and what the
// market model is built from. Every field is documented in scenarios/README.md
// (meaning, unit, default); the loader validates all of it before a run starts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/scenario/chain.hpp"
#include "gpumarket/scenario/demand.hpp"
#include "gpumarket/scenario/supply.hpp"
#include "gpumarket/scenario/verification.hpp"

namespace gpumarket {

/// A venue with a fixed number of identical servers and a fixed price: the M/M/c
/// ground truth of the engine, and a stand-in for a centralised cloud.
struct FixedVenueParams {
  int64_t servers = 1;
  double pf_per_server = 1.0;
  double price_usd_per_pf_hour = 0.0;
};

/// What sort of venue it is, with that kind's parameters.
using VenueKindParams = std::variant<FixedVenueParams, AlliancePoolParams, MarketplaceParams>;

/// A place where jobs run: what every venue has, and its kind's parameters.
struct VenueParams {
  std::string name;
  VenueKindParams kind;
  /// False: reachable only through a bridge that connects it (e.g. low-cost farms on
  /// another chain).
  bool direct_access = true;
  /// Delay between a job's decision and its arrival in the venue's line (provisioning).
  Duration latency;
  /// How the venue checks results; absent: no check and no verification output.
  std::optional<VerificationParams> verification;

  /// The kind's parameters if the venue is of kind `Kind`, else nullptr.
  template <class Kind>
  const Kind* as() const {
    return std::get_if<Kind>(&kind);
  }
};

/// A stream of jobs.
struct Segment {
  std::string name;
  SegmentDemandParams demand;
  /// The alliance's own work: served only by the pool's reserved share, never routed
  /// elsewhere and never priced out.
  bool internal = false;
};

/// A scheduled pause of a bridge: closed from `from`'s midnight to `to`'s midnight.
struct BridgePause {
  Date from;
  Date to;
};

/// Random failures and scheduled pauses of a bridge (docs/model.md, "Bridge outages").
/// While down the bridge is closed to routing; what happens to the jobs on it is `on_outage`.
struct BridgeOutageParams {
  enum class Policy {
    /// Jobs in the bridge's queue or in transit wait: their arrival is delayed by the downtime.
    Strand,
    /// Jobs in the bridge's queue or in transit return to their origin and are routed again
    /// at the next tick over the routes then open (or are priced out).
    Reroute,
  };
  /// Outage starts per year of up time (a Poisson process while the bridge is up); 0: none.
  /// calibration §9/§10 put a catastrophic exploit of a given bridge at 0.5–3 %/yr
  /// (ASSUMPTION there); the default is no outages, so that scenarios opt in.
  double rate_per_year = 0.0;
  /// Mean of the exponential outage duration. ASSUMPTION: 7 days, a bridge halted after an
  /// exploit until it is patched (no sourced figure).
  Duration mean_duration = Duration::days(7);
  Policy on_outage = Policy::Strand;
  std::vector<BridgePause> pauses;  // in addition to the random outages; may overlap them

  bool enabled() const { return rate_per_year > 0.0 || !pauses.empty(); }
};

/// A cross-chain bridge that carries public-chain jobs to the venues it connects.
struct BridgeParams {
  std::string name;
  Date open;                               // opens at this date's midnight
  double capacity_jobs_per_hour = 1000.0;  // jobs it can pass per hour; beyond that, a queue
  double fee_fixed_usd = 0.02;
  double fee_proportional = 0.001;  // fraction of the compute bill
  Duration latency = Duration::seconds(90);
  /// Zero-knowledge verification: proving compute = proof_overhead × the job's work
  /// (0: no proof). Paid at prover_price and taking overhead × work / prover_pf hours.
  double proof_overhead = 0.0;
  double prover_price_usd_per_pf_hour = 2.0;
  double prover_pf = 1.0;
  std::vector<std::string> connects;  // venue names
  /// Whether the alliance pool accepts work through this bridge (settled in sovereign
  /// currency by the bridge, so the tokenized-access ban does not apply).
  bool alliance_accepts = false;
  BridgeOutageParams outages;
  /// The chain its messages and proof verifications go on (a ChainParams name); empty:
  /// none, their gas is not modelled.
  std::string chain;
  /// A finite prover pool that proves every bridged job (replaces proof_overhead,
  /// prover_price_usd_per_pf_hour and prover_pf, which must then stay unset).
  std::optional<ProverParams> prover;

  /// Whether every job crossing it is proven (and its proof verified on its chain).
  bool proves() const { return proof_overhead > 0.0 || prover.has_value(); }
};

struct RoutingParams {
  /// Logit scale β on cost relative to the job's value; infinite: cheapest option.
  double logit_scale = 20.0;
  /// On-chain settlement transaction per job that pays in tokens, USD.
  double settlement_tx_usd = 0.01;
  /// The chain that settles token-paid jobs (a ChainParams name): their settlement costs
  /// its gas at its base fee instead of settlement_tx_usd. Empty: settlement_tx_usd.
  std::string settlement_chain;
};

/// Which dates the headline indicators compare.
struct IndicatorParams {
  std::string daa_venue = "golem";
  Date daa_before_from = Date::from_ymd(2026, 6, 1);
  Date daa_before_to = Date::from_ymd(2026, 7, 1);
  Date daa_after_from = Date::from_ymd(2026, 9, 1);
  Date daa_after_to = Date::from_ymd(2026, 10, 1);
  Date bridge_split = Date::from_ymd(2026, 9, 1);  // ICB v2 opens in Q3 2026
  /// Write the per-bridge reach and outage series and totals (docs/market.md) even when no
  /// bridge has outages; off by default so that the outputs of existing scenarios stay as
  /// they are.
  bool bridge_detail = false;
};

struct Scenario;

/// A dated parameter change: from `at` on, the model runs with `state`'s parameters
/// (same venues, segments and bridges; only values differ).
struct TimelineStep {
  SimTime at;
  std::string label;  // e.g. "2026-06-15: venues.alliance.pool.subsidy_rate=0.4"
  std::shared_ptr<const Scenario> state;
};

struct Scenario {
  std::string name;
  std::string description;
  uint64_t seed = 1;
  Date start;  // time 0
  Duration horizon = Duration::days(365);
  Duration tick = Duration::hours(1);    // market tick and time-series sampling interval
  Duration warmup;                       // summary statistics ignore [0, warmup)
  std::string precision = "fp16_dense";  // what "PF" means in this scenario
  double pf_per_gpu = 0.989;             // H100 SXM FP16 dense (calibration §2)
  /// PF of one GPU-equivalent in the HPL-FP64 reading, to report capacity in both readings.
  /// calibration §2: an H100 runs HPL at 55–59 TF.
  double hpl_fp64_pf_per_gpu = 0.057;
  std::vector<VenueParams> venues;
  std::vector<Segment> segments;
  std::vector<BridgeParams> bridges;
  RoutingParams routing;
  HardwareMarketParams hardware;
  IndicatorParams indicators;
  std::vector<TimelineStep> timeline;  // in time order

  /// Whether the run writes the per-bridge reach and outage outputs.
  bool reports_bridge_detail() const {
    if (indicators.bridge_detail) return true;
    for (const BridgeParams& b : bridges) {
      if (b.outages.enabled()) return true;
    }
    return false;
  }
  std::vector<ChainParams> chains;  // block-space markets; none: fixed settlement costs
};

}  // namespace gpumarket
