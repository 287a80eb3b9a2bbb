// What the model reports: per-tick and per-day series, and the run's summary indicators,
// all streamed through the Recorder.
#include "market_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/market/indicators.hpp"
#include "gpumarket/market/token_economy.hpp"

namespace gpumarket {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio_or_nan(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : kNaN;
}

bool in_window(Date day, Date from, Date to) { return day >= from && day < to; }

// Every series the model writes, in the order of the file; bridge series exist only
// when the scenario has bridges. A new series is a row here and its value in
// close_interval() or close_day().
// Time marks a group's time series; the others name what the columns are.
enum class Axis {
  None,
  Time,
  PerVenue,
  PerBridge,
  PerSegment,
  PerChain,
  PerVerifyingVenue,
  PerProver,
  PerHardwareSegment,
  PerReading
};
struct SeriesDefinition {
  SeriesId MarketMetrics::SeriesIds::*id;
  const char* group;
  const char* name;
  const char* unit;
  const char* description;
  Axis columns;
};
constexpr SeriesDefinition kSeries[] = {
    {&MarketMetrics::SeriesIds::time_h, "tick", "time_h", "h",
     "end of each tick interval, hours since start", Axis::Time},
    {&MarketMetrics::SeriesIds::capacity_pf, "tick", "capacity_pf", "PF",
     "capacity at the end of the tick", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::capacity_gpu, "tick", "capacity_gpu", "GPU",
     "capacity in GPU-equivalents (units.pf_per_gpu)", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::utilisation, "tick", "utilisation", "1",
     "time-average PF in use / PF of capacity", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::price, "tick", "price", "USD/(PF*h)", "price during the tick",
     Axis::PerVenue},
    {&MarketMetrics::SeriesIds::queue_length, "tick", "queue_length", "jobs",
     "time-average number of waiting jobs", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::jobs_waiting, "tick", "jobs_waiting", "jobs",
     "jobs waiting at the end of the tick", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::mean_wait_h, "tick", "mean_wait_h", "h",
     "mean wait of jobs that started during the tick", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::served_pfh, "tick", "served_pfh", "PF*h",
     "work of jobs completed during the tick", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::arrivals, "tick", "arrivals", "jobs",
     "jobs that joined the venue's line during the tick", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::completed, "tick", "completed", "jobs",
     "jobs that completed during the tick", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::abandoned, "tick", "abandoned", "jobs",
     "jobs that abandoned during the tick", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::revenue_usd, "tick", "revenue_usd", "USD",
     "compute bills of jobs that started during the tick", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::provider_count, "tick", "provider_count", "providers",
     "marketplace providers after entry and exit", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::mean_margin, "tick", "mean_margin", "USD/(PF*h)",
     "capacity-weighted rolling provider margin", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::token_usd, "tick", "token_usd", "USD",
     "price of the marketplace's token", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::fee_index, "tick", "fee_index", "USD/(PF*h)",
     "all-in cost per PF*h paid by public-chain jobs that started during the tick", Axis::None},
    {&MarketMetrics::SeriesIds::price_index, "tick", "decentralized_price_index", "USD/(PF*h)",
     "capacity-weighted mean marketplace price", Axis::None},
    {&MarketMetrics::SeriesIds::state_share, "tick", "state_share", "1",
     "share of the tick's completed work served by the alliance pool", Axis::None},
    {&MarketMetrics::SeriesIds::public_chain_served_pfh, "tick", "public_chain_served_pfh", "PF*h",
     "work of public-chain jobs completed during the tick", Axis::None},
    {&MarketMetrics::SeriesIds::hardware_index, "tick", "hardware_index", "1",
     "the segment's GPU hardware price index after the tick's step", Axis::PerHardwareSegment},
    {&MarketMetrics::SeriesIds::hardware_demand, "tick", "hardware_demand_pf_per_year", "PF/yr",
     "world demand for the segment's GPUs plus its share of the pool's purchases",
     Axis::PerHardwareSegment},
    {&MarketMetrics::SeriesIds::hardware_supply, "tick", "hardware_supply_pf_per_year", "PF/yr",
     "supply of the segment's GPUs, following demand with a lag", Axis::PerHardwareSegment},
    {&MarketMetrics::SeriesIds::bridge_volume_pfh, "tick", "bridge_volume_pfh", "PF*h",
     "work that entered the bridge during the tick", Axis::PerBridge},
    {&MarketMetrics::SeriesIds::bridge_fees_usd, "tick", "bridge_fees_usd", "USD",
     "bridge fees and proof costs paid during the tick", Axis::PerBridge},
    {&MarketMetrics::SeriesIds::bridge_backlog_h, "tick", "bridge_backlog_h", "h",
     "wait for the bridge's capacity at the end of the tick", Axis::PerBridge},
    {&MarketMetrics::SeriesIds::bridge_in_flight_pfh, "tick", "bridge_in_flight_pfh", "PF*h",
     "work in the bridge's queue or in transit", Axis::PerBridge},
    {&MarketMetrics::SeriesIds::priced_out, "tick", "priced_out", "jobs",
     "jobs that did not submit: every option cost more than their value", Axis::PerSegment},
    {&MarketMetrics::SeriesIds::day_time_h, "day", "time_h", "h",
     "end of each day, hours since start", Axis::Time},
    {&MarketMetrics::SeriesIds::daa, "day", "daa", "addresses",
     "daily active addresses: distinct addresses whose jobs arrived", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::chain_base_fee_wei, "tick", "chain_base_fee_wei", "wei/gas",
     "mean EIP-1559 base fee of the chain's blocks in the tick", Axis::PerChain},
    {&MarketMetrics::SeriesIds::chain_settlement_fee_usd, "tick", "chain_settlement_fee_usd", "USD",
     "cost of one settlement transaction at the end of the tick (base and priority fee)",
     Axis::PerChain},
    {&MarketMetrics::SeriesIds::chain_gas_used, "tick", "chain_gas_used", "gas",
     "gas used by the chain's blocks in the tick", Axis::PerChain},
    {&MarketMetrics::SeriesIds::chain_gas_limit, "tick", "chain_gas_limit", "gas",
     "gas limit summed over the chain's blocks in the tick", Axis::PerChain},
    {&MarketMetrics::SeriesIds::chain_max_block_gas, "tick", "chain_max_block_gas", "gas",
     "gas used by the fullest block in the tick", Axis::PerChain},
    {&MarketMetrics::SeriesIds::chain_background_share, "tick", "chain_background_share", "1",
     "share of the gas used that the background (not the model) used", Axis::PerChain},
    {&MarketMetrics::SeriesIds::chain_model_transactions, "tick", "chain_model_transactions",
     "transactions", "settlements, bridge messages and proof verifications the model made",
     Axis::PerChain},
    {&MarketMetrics::SeriesIds::chain_gas_token_usd, "tick", "chain_gas_token_usd", "USD",
     "price of the chain's gas token", Axis::PerChain},
    // Only when some venue verifies (a column per venue) and for prover pools.
    {&MarketMetrics::SeriesIds::installed_pfh, "tick", "installed_pfh", "PF*h",
     "capacity times time during the tick", Axis::PerVerifyingVenue},
    {&MarketMetrics::SeriesIds::delivered_pfh, "tick", "delivered_pfh", "PF*h",
     "work run during the tick, copies, re-executions and redone attempts included",
     Axis::PerVerifyingVenue},
    {&MarketMetrics::SeriesIds::verified_pfh, "tick", "verified_pfh", "PF*h",
     "work accepted by verification with a correct result during the tick",
     Axis::PerVerifyingVenue},
    {&MarketMetrics::SeriesIds::rejected, "tick", "rejected", "jobs",
     "attempts whose bad result verification caught during the tick", Axis::PerVerifyingVenue},
    {&MarketMetrics::SeriesIds::prover_backlog_h, "tick", "prover_backlog_h", "h",
     "wait for the prover pool of a proof joining at the end of the tick", Axis::PerProver},
    {&MarketMetrics::SeriesIds::prover_queue_length, "tick", "prover_queue_length", "proofs",
     "proofs waiting for the prover pool at the end of the tick", Axis::PerProver},
    {&MarketMetrics::SeriesIds::prover_proofs, "tick", "prover_proofs", "proofs",
     "proofs that joined the prover pool during the tick", Axis::PerProver},
    {&MarketMetrics::SeriesIds::prover_completed, "tick", "prover_completed", "proofs",
     "proofs the pool finished during the tick", Axis::PerProver},
    {&MarketMetrics::SeriesIds::prover_mean_wait_h, "tick", "prover_mean_wait_h", "h",
     "mean wait for the pool of the proofs that joined during the tick", Axis::PerProver},
    {&MarketMetrics::SeriesIds::prover_mean_proof_h, "tick", "prover_mean_proof_h", "h",
     "mean proving time of the proofs that joined during the tick", Axis::PerProver},
    {&MarketMetrics::SeriesIds::prover_price, "tick", "prover_price", "USD/(PF*h)",
     "proof cost per PF*h of proven work at the end of the tick", Axis::PerProver},
    {&MarketMetrics::SeriesIds::prover_gpu_hours, "tick", "prover_gpu_hours", "GPU*h",
     "prover GPU-hours of the proofs that joined during the tick", Axis::PerProver},
};

// The per-bridge series of Scenario::reports_bridge_detail(), after those of kSeries.
constexpr SeriesDefinition kBridgeDetailSeries[] = {
    {&MarketMetrics::SeriesIds::bridge_added_capacity_pf, "tick", "bridge_added_capacity_pf", "PF",
     "capacity public-chain jobs reach only over this bridge, at the tick's routing",
     Axis::PerBridge},
    {&MarketMetrics::SeriesIds::bridge_down, "tick", "bridge_down", "1",
     "fraction of the tick the bridge was down", Axis::PerBridge},
    {&MarketMetrics::SeriesIds::bridge_jobs_stranded, "tick", "bridge_jobs_stranded", "jobs",
     "jobs stranded on the bridge by an outage during the tick", Axis::PerBridge},
    {&MarketMetrics::SeriesIds::bridge_jobs_rerouted, "tick", "bridge_jobs_rerouted", "jobs",
     "jobs an outage sent back to their origin during the tick", Axis::PerBridge},
    {&MarketMetrics::SeriesIds::bridge_stranded_job_h, "tick", "bridge_stranded_job_h", "job*h",
     "job-hours spent stranded on the bridge during the tick", Axis::PerBridge},
    {&MarketMetrics::SeriesIds::bridge_mean_transit_h, "tick", "bridge_mean_transit_h", "h",
     "mean origin-to-venue time of the jobs the bridge delivered during the tick", Axis::PerBridge},
};

// The pool's procurement (docs/model.md, "Procurement"), after those of kSeries, only when
// the scenario has a pool.
constexpr SeriesDefinition kPoolSeries[] = {
    {&MarketMetrics::SeriesIds::pool_capacity_pf, "tick", "pool_capacity_pf", "PF",
     "the pool's installed capacity at the end of the tick, in each reading (units.precision, "
     "hpl_fp64)",
     Axis::PerReading},
    {&MarketMetrics::SeriesIds::pool_ordered_pf, "tick", "pool_ordered_pf", "PF",
     "capacity the pool ordered during the tick", Axis::None},
    {&MarketMetrics::SeriesIds::pool_delivered_pf, "tick", "pool_delivered_pf", "PF",
     "capacity delivered to the pool during the tick", Axis::None},
    {&MarketMetrics::SeriesIds::pool_cancelled_pf, "tick", "pool_cancelled_pf", "PF",
     "capacity in flight that sanctions shocks cancelled during the tick", Axis::None},
    {&MarketMetrics::SeriesIds::pool_spent_usd, "tick", "pool_hardware_spent_usd", "USD",
     "hardware money spent on the tick's orders", Axis::None},
    {&MarketMetrics::SeriesIds::pool_in_flight_pf, "tick", "pool_in_flight_pf", "PF",
     "capacity ordered and not yet delivered at the end of the tick", Axis::None},
    {&MarketMetrics::SeriesIds::pool_grey_premium, "tick", "pool_grey_premium", "1",
     "grey-market premium on the pool's orders at the tick (0 outside sanctions shocks)",
     Axis::None},
    {&MarketMetrics::SeriesIds::pool_purchase_rate, "tick", "pool_purchase_pf_per_year", "PF/yr",
     "the pool's demand on the hardware market: orders in flight over their lead times",
     Axis::None},
};

// Per-venue series of the marketplaces' opt-in price formation (docs/model.md, "Scarcity
// pricing", "Entry on a positive expected margin", "Revenue from bills") and token economy
// ("Token economy"): declared only when some marketplace uses one of those mechanisms, so
// that scenarios without them keep their outputs. NaN for venues that are not marketplaces.
constexpr SeriesDefinition kMarketplaceDetailSeries[] = {
    {&MarketMetrics::SeriesIds::provider_revenue_usd, "tick", "provider_revenue_usd", "USD",
     "USD paid to the marketplace's providers at the tick, net of the platform's fee, with "
     "emissions",
     Axis::PerVenue},
    {&MarketMetrics::SeriesIds::entrants, "tick", "entrants", "providers",
     "providers that entered the marketplace at the end of the tick", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::tokens_burned, "tick", "tokens_burned", "tokens",
     "tokens burned by users' payments (burn-and-mint; NaN otherwise)", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::tokens_minted, "tick", "tokens_minted", "tokens",
     "tokens minted to providers as emissions", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::token_supply, "tick", "token_supply", "tokens",
     "token supply after the tick's burn and mint (burn-and-mint; NaN otherwise)", Axis::PerVenue},
};

// Per-venue series of the alliance pool's operation (docs/model.md, "Pool operation"), NaN
// for venues that are not a pool. The subsidy whenever the scenario has a pool; latency and
// price factor when a pool uses congestion latency or utilisation targeting; the grants when
// a pool has research grants (each at the start or after a timeline step).
constexpr SeriesDefinition kPoolSubsidySeries[] = {
    {&MarketMetrics::SeriesIds::subsidy_usd, "tick", "subsidy_usd", "USD",
     "subsidy the state paid on the work the pool served during the tick: s / (1 - s) x its "
     "bills",
     Axis::PerVenue},
};
constexpr SeriesDefinition kPoolLoadSeries[] = {
    {&MarketMetrics::SeriesIds::pool_latency_h, "tick", "pool_latency_h", "h",
     "latency of the pool's routes for jobs routed at the end of the tick (congestion included)",
     Axis::PerVenue},
    {&MarketMetrics::SeriesIds::pool_price_factor, "tick", "pool_price_factor", "1",
     "utilisation-targeting factor on the pool's cost-based price for the next tick",
     Axis::PerVenue},
};
constexpr SeriesDefinition kResearchSeries[] = {
    {&MarketMetrics::SeriesIds::research_grants_usd, "tick", "research_grants_usd", "USD",
     "research grants the pool disbursed by the end of the tick (cumulative)", Axis::PerVenue},
    {&MarketMetrics::SeriesIds::open_source_grants_usd, "tick", "open_source_grants_usd", "USD",
     "the open-source share of them (cumulative)", Axis::PerVenue},
};

// Per-segment licence series (docs/model.md, "Licence applications"): declared only when the
// pool takes applications, so that scenarios without them keep their outputs.
constexpr SeriesDefinition kLicenceSeries[] = {
    {&MarketMetrics::SeriesIds::licensed_address_share, "tick", "licensed_address_share", "1",
     "share of the segment's addresses holding a licence at the end of the tick", Axis::PerSegment},
    {&MarketMetrics::SeriesIds::licence_applications, "tick", "licence_applications", "addresses",
     "addresses of the segment that applied for a licence during the tick", Axis::PerSegment},
    {&MarketMetrics::SeriesIds::licence_approvals, "tick", "licence_approvals", "addresses",
     "licences of the segment's addresses that took effect during the tick", Axis::PerSegment},
    {&MarketMetrics::SeriesIds::licence_queue_length, "tick", "licence_queue_length",
     "applications",
     "the segment's applications waiting for review or quota at the end of the tick",
     Axis::PerSegment},
};

// Whether some pool, at the start or after a timeline step, satisfies `test`.
template <class Test>
bool any_pool(const Scenario& scenario, const Test& test) {
  const auto any_in = [&](const std::vector<VenueParams>& venues) {
    return std::any_of(venues.begin(), venues.end(), [&](const VenueParams& v) {
      const auto* p = v.as<AlliancePoolParams>();
      return p != nullptr && test(*p);
    });
  };
  return any_in(scenario.venues) ||
         std::any_of(scenario.timeline.begin(), scenario.timeline.end(),
                     [&](const TimelineStep& step) { return any_in(step.state->venues); });
}

bool uses_price_formation_options(const MarketplaceParams& m) {
  return m.scarcity.slope > 0.0 || m.entry_exit.entry_rule != EntryExitParams::EntryRule::Rate ||
         m.revenue_source != RevenueSource::Demand;
}

// Whether some marketplace, at the start or after a timeline step, uses opt-in price
// formation or a token mechanism.
bool reports_marketplace_detail(const Scenario& scenario) {
  const auto any_in = [](const std::vector<VenueParams>& venues) {
    return std::any_of(venues.begin(), venues.end(), [](const VenueParams& v) {
      const auto* m = v.as<MarketplaceParams>();
      return m != nullptr && (uses_price_formation_options(*m) || uses_token_economy(*m));
    });
  };
  return any_in(scenario.venues) ||
         std::any_of(scenario.timeline.begin(), scenario.timeline.end(),
                     [&](const TimelineStep& step) { return any_in(step.state->venues); });
}

}  // namespace

MarketMetrics::MarketMetrics(const Scenario& scenario, Venues& venues,
                             const std::vector<Bridge>& bridges, uint64_t address_count)
    : scenario_(scenario),
      venues_(venues),
      bridges_(bridges),
      activity_(venues.size(), address_count),
      bridge_detail_(scenario.reports_bridge_detail()) {
  const size_t n = venues_.size();
  interval_areas_.assign(n, {});
  interval_counts_.assign(n, {});
  window_areas_.assign(n, {});
  window_counts_.assign(n, {});
  interval_payments_usd_.assign(n, 0.0);
  last_demand_pf_.assign(n, 0.0);
  interval_bridge_volume_pfh_.assign(bridges_.size(), 0.0);
  interval_bridge_fees_usd_.assign(bridges_.size(), 0.0);
  window_bridge_volume_before_pfh_.assign(bridges_.size(), 0.0);
  window_bridge_volume_after_pfh_.assign(bridges_.size(), 0.0);
  interval_priced_out_.assign(scenario_.segments.size(), 0.0);
  daa_before_sum_.assign(n, 0.0);
  daa_after_sum_.assign(n, 0.0);
  window_largest_.daa_before_day.assign(n, 0.0);
  window_largest_.daa_after_day.assign(n, 0.0);
  row_.reserve(std::max({n, bridges_.size(), scenario_.segments.size(), size_t{1}}));
  bridge_marks_.assign(bridges_.size(), {});
  for (const VenueParams& v : scenario_.venues) reports_verification_ |= v.verification.has_value();
  interval_delivered_pfh_.assign(n, 0.0);
  interval_verified_pfh_.assign(n, 0.0);
  interval_rejected_.assign(n, 0.0);
  window_installed_pfh_.assign(n, 0.0);
  window_delivered_pfh_.assign(n, 0.0);
  window_verified_pfh_.assign(n, 0.0);
  find_pool_procurement();
}

void MarketMetrics::attach_chains(const std::vector<Chain>& chains) {
  chains_ = &chains;
  chain_window_.assign(chains.size(), {});
  row_.reserve(std::max(row_.capacity(), chains.size()));
}

void MarketMetrics::attach_provers(std::vector<ProverPool>& provers,
                                   std::vector<std::string> names) {
  provers_ = &provers;
  prover_names_ = std::move(names);
  window_provers_.assign(provers.size(), {});
  row_.reserve(std::max(row_.capacity(), provers.size()));
}

void MarketMetrics::on_payment(const JobPayment& payment) {
  const double received = payment.bill_usd - payment.platform_fee_usd;
  const double fees = payment.platform_fee_usd + payment.bridge_fee_usd + payment.proof_usd +
                      payment.settlement_usd;
  const double paid = received + fees;
  ledger_.paid_usd += paid;
  ledger_.received_usd += received;
  ledger_.platform_fees_usd += payment.platform_fee_usd;
  ledger_.bridge_fees_usd += payment.bridge_fee_usd;
  ledger_.proof_costs_usd += payment.proof_usd;
  ledger_.settlement_usd += payment.settlement_usd;
  interval_payments_usd_[payment.venue] += payment.bill_usd;
  if (payment.bridge != kNoBridge) {
    interval_bridge_fees_usd_[payment.bridge] += payment.bridge_fee_usd + payment.proof_usd;
  }
  // The fee index is what running a job costs; the cost of access adds the licence's
  // cost amortised over the address's expected jobs.
  if (payment.public_chain) {
    interval_flow_.public_chain_paid_usd += paid;
    interval_flow_.public_chain_work_pfh += payment.work_pfh;
    largest_job_.public_chain_paid_usd = std::max(largest_job_.public_chain_paid_usd, paid);
    if (payment.licensed) {
      interval_flow_.licensed_paid_usd += paid;
      interval_flow_.licensed_work_pfh += payment.work_pfh;
      largest_job_.licensed_paid_usd = std::max(largest_job_.licensed_paid_usd, paid);
    }
  }
  const int origin = payment.public_chain ? 0 : 1;
  interval_flow_.access_usd[origin] += paid + payment.access_usd;
  interval_flow_.access_work_pfh[origin] += payment.work_pfh;
  largest_job_.access_usd = std::max(largest_job_.access_usd, paid + payment.access_usd);
}

void MarketMetrics::on_licence_granted(uint32_t /*segment*/, double cost_usd) {
  ledger_.paid_usd += cost_usd;
  ledger_.compliance_fees_usd += cost_usd;
}

void MarketMetrics::declare_series(Recorder& recorder) {
  recorder_ = &recorder;
  std::vector<std::string> venue_names, bridge_names, segment_names, chain_names, hardware_names;
  for (const HardwareSegmentParams& h : scenario_.hardware.segments)
    hardware_names.push_back(h.name);
  for (const auto& v : venues_) venue_names.push_back(v->name());
  for (const BridgeParams& b : scenario_.bridges) bridge_names.push_back(b.name);
  for (const Segment& s : scenario_.segments) segment_names.push_back(s.name);
  if (chains_ != nullptr) {
    for (const Chain& c : *chains_) chain_names.push_back(c.params().name);
  }
  const std::vector<std::string> none;
  auto declare = [&](const SeriesDefinition& series) {
    const std::vector<std::string>& columns =
        series.columns == Axis::PerVenue             ? venue_names
        : series.columns == Axis::PerBridge          ? bridge_names
        : series.columns == Axis::PerSegment         ? segment_names
        : series.columns == Axis::PerChain           ? chain_names
        : series.columns == Axis::PerVerifyingVenue  ? venue_names
        : series.columns == Axis::PerProver          ? prover_names_
        : series.columns == Axis::PerHardwareSegment ? hardware_names
        : series.columns == Axis::PerReading         ? readings_
                                                     : none;
    if (series.columns == Axis::PerBridge && bridge_names.empty()) return;
    if (series.columns == Axis::PerChain && chain_names.empty()) return;
    if (series.columns == Axis::PerVerifyingVenue && !reports_verification_) return;
    if (series.columns == Axis::PerProver && prover_names_.empty()) return;
    // Verifying venues' columns are the venues, so their series share the venue axis.
    const char* axis = series.columns == Axis::PerVenue || series.columns == Axis::PerVerifyingVenue
                           ? "venue"
                       : series.columns == Axis::PerBridge          ? "bridge"
                       : series.columns == Axis::PerSegment         ? "segment"
                       : series.columns == Axis::PerChain           ? "chain"
                       : series.columns == Axis::PerProver          ? "prover"
                       : series.columns == Axis::PerHardwareSegment ? "hardware_segment"
                       : series.columns == Axis::PerReading         ? "precision"
                                                                    : "";
    ids_.*series.id =
        recorder_->declare_series({series.group, series.name, series.unit, series.description,
                                   columns, axis, series.columns == Axis::Time});
  };
  for (const SeriesDefinition& series : kSeries) declare(series);
  if (procurement_ != nullptr) {
    for (const SeriesDefinition& series : kPoolSeries) declare(series);
  }
  if (bridge_detail_) {
    for (const SeriesDefinition& series : kBridgeDetailSeries) declare(series);
  }
  marketplace_detail_ = reports_marketplace_detail(scenario_);
  if (marketplace_detail_) {
    for (const SeriesDefinition& series : kMarketplaceDetailSeries) declare(series);
  }
  pool_reports_.subsidy = any_pool(scenario_, [](const AlliancePoolParams&) { return true; });
  pool_reports_.load = any_pool(scenario_, [](const AlliancePoolParams& p) {
    return p.congestion_latency.enabled() || p.price_rule != PoolPriceRule::CostBased;
  });
  pool_reports_.grants = any_pool(
      scenario_, [](const AlliancePoolParams& p) { return p.research_grants.has_value(); });
  if (pool_reports_.subsidy) declare(kPoolSubsidySeries[0]);
  if (pool_reports_.load) {
    for (const SeriesDefinition& series : kPoolLoadSeries) declare(series);
  }
  if (pool_reports_.grants) {
    for (const SeriesDefinition& series : kResearchSeries) declare(series);
  }
  licence_detail_ = licences_ != nullptr && any_pool(scenario_, [](const AlliancePoolParams& p) {
                      return p.licensing.applications.has_value();
                    });
  evasion_checked_ = licences_ != nullptr && any_pool(scenario_, [](const AlliancePoolParams& p) {
                       return p.licensing.ban_tokenized_access &&
                              p.licensing.ban_detection_probability.has_value();
                     });
  if (licence_detail_) {
    for (const SeriesDefinition& series : kLicenceSeries) declare(series);
    applications_mark_.assign(licences_->segment_count(), 0);
    granted_mark_.assign(licences_->segment_count(), 0);
  }
}

// Moves every venue's integrals and counts up to `now` into the current interval, and
// into the run's totals once the warm-up is over.
void MarketMetrics::absorb(SimTime now) {
  const bool measuring = last_absorb_ >= SimTime::start() + scenario_.warmup;
  for (size_t v = 0; v < venues_.size(); ++v) {
    Venue& queue = venues_[v]->queue();
    queue.advance(now);
    const VenueAreas areas = queue.take_areas();
    const VenueCounts counts = queue.take_counts();
    interval_areas_[v].add(areas);
    interval_counts_[v].add(counts);
    if (measuring) {
      window_areas_[v].add(areas);
      window_counts_[v].add(counts);
    }
  }
  if (measuring) window_h_ += (now - last_absorb_).in_hours();
  last_absorb_ = now;
}

void MarketMetrics::scalar(SeriesId id, double value) {
  recorder_->append(id, std::span<const double>(&value, 1));
}

void MarketMetrics::write_venue_series(double hours) {
  const SeriesIds& ids = ids_;
  const size_t n = venues_.size();
  per(ids.capacity_pf, n, [&](size_t v) { return venues_[v]->queue().capacity_pf(); });
  per(ids.capacity_gpu, n,
      [&](size_t v) { return venues_[v]->queue().capacity_pf() / scenario_.pf_per_gpu; });
  per(ids.utilisation, n, [&](size_t v) {
    return ratio_or_nan(interval_areas_[v].in_use_pfh, interval_areas_[v].capacity_pfh);
  });
  per(ids.price, n, [&](size_t v) { return venues_[v]->queue().price_usd_per_pf_hour(); });
  per(ids.queue_length, n,
      [&](size_t v) { return ratio_or_nan(interval_areas_[v].waiting_job_h, hours); });
  per(ids.jobs_waiting, n,
      [&](size_t v) { return static_cast<double>(venues_[v]->queue().waiting()); });
  per(ids.mean_wait_h, n, [&](size_t v) {
    return ratio_or_nan(interval_counts_[v].wait_h,
                        static_cast<double>(interval_counts_[v].started));
  });
  per(ids.served_pfh, n, [&](size_t v) { return interval_counts_[v].served_pfh; });
  per(ids.arrivals, n, [&](size_t v) { return static_cast<double>(interval_counts_[v].arrived); });
  per(ids.completed, n,
      [&](size_t v) { return static_cast<double>(interval_counts_[v].completed); });
  per(ids.abandoned, n,
      [&](size_t v) { return static_cast<double>(interval_counts_[v].abandoned); });
  per(ids.revenue_usd, n, [&](size_t v) { return interval_payments_usd_[v]; });
  per(ids.provider_count, n, [&](size_t v) { return venues_[v]->supply_state().provider_count; });
  per(ids.mean_margin, n,
      [&](size_t v) { return venues_[v]->supply_state().mean_margin_usd_per_pf_hour; });
  per(ids.token_usd, n, [&](size_t v) { return venues_[v]->supply_state().token_usd; });
  if (marketplace_detail_) {
    per(ids.provider_revenue_usd, n,
        [&](size_t v) { return venues_[v]->supply_state().provider_revenue_usd; });
    per(ids.entrants, n, [&](size_t v) { return venues_[v]->supply_state().entrants; });
    per(ids.tokens_burned, n, [&](size_t v) { return venues_[v]->supply_state().tokens_burned; });
    per(ids.tokens_minted, n, [&](size_t v) { return venues_[v]->supply_state().tokens_minted; });
    per(ids.token_supply, n,
        [&](size_t v) { return venues_[v]->supply_state().token_supply_tokens; });
  }
  write_pool_operation_series();
}

void MarketMetrics::write_pool_operation_series() {
  const SeriesIds& ids = ids_;
  const size_t n = venues_.size();
  if (pool_reports_.subsidy) {
    per(ids.subsidy_usd, n, [&](size_t v) { return venues_[v]->supply_state().subsidy_usd; });
    for (size_t v = 0; v < n; ++v) {
      const double paid = row_[v];
      if (!std::isnan(paid)) subsidy_paid_usd_ += paid;
    }
  }
  if (pool_reports_.load) {
    per(ids.pool_latency_h, n, [&](size_t v) { return venues_[v]->supply_state().latency_h; });
    per(ids.pool_price_factor, n,
        [&](size_t v) { return venues_[v]->supply_state().price_factor; });
  }
  if (pool_reports_.grants) {
    per(ids.research_grants_usd, n,
        [&](size_t v) { return venues_[v]->supply_state().research_grants_usd; });
    per(ids.open_source_grants_usd, n,
        [&](size_t v) { return venues_[v]->supply_state().open_source_grants_usd; });
  }
}

void MarketMetrics::write_pool_operation_summary() {
  using namespace indicator;
  if (pool_reports_.subsidy) put(kMoneySubsidy, subsidy_paid_usd_);
  if (!pool_reports_.grants) return;
  double disbursed = 0.0, open_source = 0.0;
  for (const auto& venue : venues_) {
    const VenueSupplyState state = venue->supply_state();
    if (!std::isnan(state.research_grants_usd)) disbursed += state.research_grants_usd;
    if (!std::isnan(state.open_source_grants_usd)) open_source += state.open_source_grants_usd;
  }
  put(kResearchGrants, disbursed);
  put(kOpenSourceGrants, open_source);
}

void MarketMetrics::close_interval(SimTime now, const HardwareMarket& hardware) {
  const bool measuring = interval_start_ >= SimTime::start() + scenario_.warmup;
  absorb(now);
  const double hours = (now - interval_start_).in_hours();
  const SeriesIds& ids = ids_;
  const size_t n = venues_.size();
  scalar(ids.time_h, now.in_hours());
  write_venue_series(hours);

  // Market-wide.
  SectorTotals sectors;
  for (size_t v = 0; v < n; ++v) {
    const Venue& queue = venues_[v]->queue();
    const double served = interval_counts_[v].served_pfh;
    switch (venues_[v]->sector()) {
      case Sector::State:
        sectors.state_pfh += served;
        break;
      case Sector::Decentralized:
        sectors.decentralized_pfh += served;
        sectors.weighted_price += queue.capacity_pf() * queue.price_usd_per_pf_hour();
        sectors.marketplace_capacity += queue.capacity_pf();
        break;
      case Sector::Other:
        sectors.other_pfh += served;
        break;
    }
  }
  const double price_index = ratio_or_nan(sectors.weighted_price, sectors.marketplace_capacity);
  const double served_pfh = sectors.state_pfh + sectors.decentralized_pfh + sectors.other_pfh;
  scalar(ids.fee_index,
         ratio_or_nan(interval_flow_.public_chain_paid_usd, interval_flow_.public_chain_work_pfh));
  scalar(ids.price_index, price_index);
  scalar(ids.state_share, ratio_or_nan(sectors.state_pfh, served_pfh));
  scalar(ids.public_chain_served_pfh, interval_flow_.completed_public_chain_pfh);
  write_hardware_series(hardware, measuring);
  write_pool_series(now.in_hours());
  per(ids.bridge_volume_pfh, bridges_.size(),
      [&](size_t b) { return interval_bridge_volume_pfh_[b]; });
  per(ids.bridge_fees_usd, bridges_.size(), [&](size_t b) { return interval_bridge_fees_usd_[b]; });
  per(ids.bridge_backlog_h, bridges_.size(), [&](size_t b) { return bridges_[b].backlog_h(now); });
  per(ids.bridge_in_flight_pfh, bridges_.size(),
      [&](size_t b) { return bridges_[b].in_flight_pfh(); });
  per(ids.priced_out, scenario_.segments.size(), [&](size_t s) { return interval_priced_out_[s]; });
  if (licence_detail_) write_licence_series();
  if (bridge_detail_) write_bridge_detail(now, hours);
  write_chain_series(measuring);
  write_verification_series(now, measuring);

  if (measuring) accumulate_window(sectors, price_index, hours);
  reset_interval(now, hours);
}

void MarketMetrics::accumulate_window(const SectorTotals& sectors, double price_index,
                                      double hours) {
  if (!std::isnan(price_index)) {
    price_index_sum_ += price_index;
    price_index_ticks_ += 1;
    window_largest_.price_index_tick = std::max(window_largest_.price_index_tick, price_index);
  }
  served_state_pfh_ += sectors.state_pfh;
  served_decentralized_pfh_ += sectors.decentralized_pfh;
  served_other_pfh_ += sectors.other_pfh;
  window_flow_.public_chain_paid_usd += interval_flow_.public_chain_paid_usd;
  window_flow_.public_chain_work_pfh += interval_flow_.public_chain_work_pfh;
  window_flow_.licensed_paid_usd += interval_flow_.licensed_paid_usd;
  window_flow_.licensed_work_pfh += interval_flow_.licensed_work_pfh;
  for (int o = 0; o < 2; ++o) {
    window_flow_.access_usd[o] += interval_flow_.access_usd[o];
    window_flow_.access_work_pfh[o] += interval_flow_.access_work_pfh[o];
  }
  window_flow_.completed_public_chain_pfh += interval_flow_.completed_public_chain_pfh;
  for (double p : interval_priced_out_) window_flow_.priced_out += p;
  const FlowTotals& flow = interval_flow_;
  WindowLargest& largest = window_largest_;
  largest.fee.add_tick(flow.public_chain_paid_usd, largest_job_.public_chain_paid_usd);
  largest.licensed_fee.add_tick(flow.licensed_paid_usd, largest_job_.licensed_paid_usd);
  largest.access.add_tick(flow.access_usd[0] + flow.access_usd[1], largest_job_.access_usd);
  largest.public_chain_served.add_tick(flow.completed_public_chain_pfh,
                                       largest_job_.public_chain_served_pfh);
  const bool after_split =
      interval_start_ >= midnight_of(scenario_.indicators.bridge_split, scenario_.start);
  double bridge_tick_pfh = 0;
  for (size_t b = 0; b < bridges_.size(); ++b) {
    (after_split ? window_bridge_volume_after_pfh_ : window_bridge_volume_before_pfh_)[b] +=
        interval_bridge_volume_pfh_[b];
    bridge_tick_pfh += interval_bridge_volume_pfh_[b];
  }
  (after_split ? largest.bridge_after : largest.bridge_before)
      .add_tick(bridge_tick_pfh, largest_job_.bridge_pfh);
  (after_split ? bridge_hours_after_ : bridge_hours_before_) += hours;
}

void MarketMetrics::reset_interval(SimTime now, double hours) {
  const size_t n = venues_.size();
  for (size_t v = 0; v < n; ++v) {
    last_demand_pf_[v] =
        hours > 0 ? (interval_areas_[v].in_use_pfh + interval_areas_[v].waiting_pfh) / hours : 0.0;
  }
  interval_areas_.assign(n, {});
  interval_counts_.assign(n, {});
  std::fill(interval_payments_usd_.begin(), interval_payments_usd_.end(), 0.0);
  std::fill(interval_bridge_volume_pfh_.begin(), interval_bridge_volume_pfh_.end(), 0.0);
  std::fill(interval_bridge_fees_usd_.begin(), interval_bridge_fees_usd_.end(), 0.0);
  std::fill(interval_priced_out_.begin(), interval_priced_out_.end(), 0.0);
  interval_flow_ = {};
  largest_job_ = {};
  interval_start_ = now;
}

void MarketMetrics::close_day(SimTime now) {
  const int64_t day = now.count_micros() / Duration::kMicrosPerDay - 1;
  const Date date = Date::from_days(scenario_.start.days_since_epoch() + day);
  activity_.take_counts(row_);
  const double time_h = now.in_hours();
  recorder_->append(ids_.day_time_h, std::span<const double>(&time_h, 1));
  recorder_->append(ids_.daa, row_);
  const IndicatorParams& ind = scenario_.indicators;
  WindowLargest& largest = window_largest_;
  if (in_window(date, ind.daa_before_from, ind.daa_before_to)) {
    for (size_t v = 0; v < row_.size(); ++v) {
      daa_before_sum_[v] += row_[v];
      largest.daa_before_day[v] = std::max(largest.daa_before_day[v], row_[v]);
    }
    daa_before_days_ += 1;
  }
  if (in_window(date, ind.daa_after_from, ind.daa_after_to)) {
    for (size_t v = 0; v < row_.size(); ++v) {
      daa_after_sum_[v] += row_[v];
      largest.daa_after_day[v] = std::max(largest.daa_after_day[v], row_[v]);
    }
    daa_after_days_ += 1;
  }
}

void MarketMetrics::write_summary(RunTotals& totals, const HardwareMarket& hardware) {
  VenueAreas areas;
  VenueCounts counts;
  for (size_t v = 0; v < venues_.size(); ++v) {
    areas.add(window_areas_[v]);
    counts.add(window_counts_[v]);
    totals.jobs_waiting += static_cast<uint64_t>(venues_[v]->queue().waiting());
    totals.jobs_in_service += static_cast<uint64_t>(venues_[v]->queue().in_service());
  }
  totals.money_paid_usd = ledger_.paid_usd;
  totals.money_received_usd = ledger_.received_usd;
  totals.money_fees_usd = ledger_.fees_usd();
  for (const Bridge& b : bridges_) {
    totals.bridge_volume_pfh += b.volume_pfh();
    totals.bridge_delivered_pfh += b.delivered_pfh();
    totals.bridge_in_flight_pfh += b.in_flight_pfh();
  }
  write_flow_summary(totals, areas, counts);
  write_indicator_summary(counts);
  write_money_summary(totals);
  write_hardware_summary(hardware);
  write_pool_summary();
  if (bridge_detail_) write_bridge_detail_summary();
  write_chain_summary();
  write_verification_summary(totals);
}

void MarketMetrics::put(const IndicatorDefinition& indicator, double value) {
  recorder_->add_summary({std::string(indicator.name), value, std::string(indicator.unit),
                          std::string(indicator.description)});
}

void MarketMetrics::write_flow_summary(const RunTotals& totals, const VenueAreas& areas,
                                       const VenueCounts& counts) {
  using namespace indicator;
  const double hours = window_h_;
  put(kJobsGenerated, static_cast<double>(totals.jobs_generated));
  put(kJobsArrived, static_cast<double>(totals.jobs_arrived));
  put(kJobsCompleted, static_cast<double>(totals.jobs_completed));
  put(kJobsAbandoned, static_cast<double>(totals.jobs_abandoned));
  put(kJobsPricedOut, static_cast<double>(totals.jobs_priced_out));
  put(kJobsWaitingAtEnd, static_cast<double>(totals.jobs_waiting));
  put(kJobsInServiceAtEnd, static_cast<double>(totals.jobs_in_service));
  put(kJobsInTransitAtEnd, static_cast<double>(totals.jobs_in_transit));
  put(kMeasuredHours, hours);
  put(kArrivalRate, static_cast<double>(counts.arrived) / hours);
  put(kMeanWait, ratio_or_nan(counts.wait_h, static_cast<double>(counts.started)));
  put(kMeanSojourn, ratio_or_nan(counts.sojourn_h, static_cast<double>(counts.completed)));
  put(kMeanQueueLength, areas.waiting_job_h / hours);
  put(kMeanInSystem, areas.in_system_job_h / hours);
  put(kUtilisation, ratio_or_nan(areas.in_use_pfh, areas.capacity_pfh));
  put(kServed, counts.served_pfh);
}

void MarketMetrics::write_indicator_summary(const VenueCounts& counts) {
  using namespace indicator;
  put(kPublicChainServed, window_flow_.completed_public_chain_pfh);
  put(kPricedOutShare, ratio_or_nan(window_flow_.priced_out,
                                    window_flow_.priced_out + static_cast<double>(counts.arrived)));
  put(kFeeIndex,
      ratio_or_nan(window_flow_.public_chain_paid_usd, window_flow_.public_chain_work_pfh));
  put(kLicensedFeeIndex,
      ratio_or_nan(window_flow_.licensed_paid_usd, window_flow_.licensed_work_pfh));
  const double* access = window_flow_.access_usd;
  const double* access_work = window_flow_.access_work_pfh;
  put(kAccessCostIndex, ratio_or_nan(access[0] + access[1], access_work[0] + access_work[1]));
  put(kPublicChainAccessCostIndex, ratio_or_nan(access[0], access_work[0]));
  put(kSovereignAccessCostIndex, ratio_or_nan(access[1], access_work[1]));
  put(kDecentralizedPriceIndex, ratio_or_nan(price_index_sum_, price_index_ticks_));
  const double served_total = served_state_pfh_ + served_decentralized_pfh_ + served_other_pfh_;
  put(kStateShare, ratio_or_nan(served_state_pfh_, served_total));
  put(kDecentralizedShare, ratio_or_nan(served_decentralized_pfh_, served_total));
  for (size_t v = 0; v < venues_.size(); ++v) {
    const std::string& name = venues_[v]->name();
    if (name != scenario_.indicators.daa_venue) continue;
    const double before = ratio_or_nan(daa_before_sum_[v], daa_before_days_);
    const double after = ratio_or_nan(daa_after_sum_[v], daa_after_days_);
    put({for_venue(name, kDaaBefore), kDaaBefore.unit, kDaaBefore.description}, before);
    put({for_venue(name, kDaaAfter), kDaaAfter.unit, kDaaAfter.description}, after);
    put({for_venue(name, kDaaChange), kDaaChange.unit, kDaaChange.description},
        after / before - 1.0);
  }
  double before = 0, after = 0;
  for (size_t b = 0; b < bridges_.size(); ++b) {
    before += window_bridge_volume_before_pfh_[b];
    after += window_bridge_volume_after_pfh_[b];
  }
  put(kBridgeVolumeBefore, ratio_or_nan(kHoursPerDay * before, bridge_hours_before_));
  put(kBridgeVolumeAfter, ratio_or_nan(kHoursPerDay * after, bridge_hours_after_));
  write_dominance_summary(before, after);
}

// Each share is the largest contribution over the sum it is a part of (the indicator's
// numerator): for a mean over ticks the tick's value over their sum; for a work-weighted mean
// such as the fee index, the job's or the tick's payments over the window's payments.
void MarketMetrics::write_dominance_summary(double bridge_before_pfh, double bridge_after_pfh) {
  using namespace indicator;
  const auto put_share = [&](const IndicatorDefinition& of, const std::string& indicator_name,
                             double largest, double sum) {
    put({indicator_name + std::string(of.name), of.unit, of.description},
        ratio_or_nan(largest, sum));
  };
  const auto put_shares = [&](const IndicatorDefinition& indicator, const Largest& largest,
                              double sum) {
    const std::string name(indicator.name);
    put_share(kLargestTickShare, name, largest.tick, sum);
    put_share(kLargestJobShare, name, largest.job, sum);
  };
  const WindowLargest& largest = window_largest_;
  put_share(kLargestTickShare, std::string(kDecentralizedPriceIndex.name), largest.price_index_tick,
            price_index_sum_);
  put_shares(kFeeIndex, largest.fee, window_flow_.public_chain_paid_usd);
  put_shares(kLicensedFeeIndex, largest.licensed_fee, window_flow_.licensed_paid_usd);
  put_shares(kAccessCostIndex, largest.access,
             window_flow_.access_usd[0] + window_flow_.access_usd[1]);
  put_shares(kPublicChainServed, largest.public_chain_served,
             window_flow_.completed_public_chain_pfh);
  put_shares(kBridgeVolumeBefore, largest.bridge_before, bridge_before_pfh);
  put_shares(kBridgeVolumeAfter, largest.bridge_after, bridge_after_pfh);
  for (size_t v = 0; v < venues_.size(); ++v) {
    const std::string& name = venues_[v]->name();
    if (name != scenario_.indicators.daa_venue) continue;
    put_share(kLargestDayShare, for_venue(name, kDaaBefore), largest.daa_before_day[v],
              daa_before_sum_[v]);
    put_share(kLargestDayShare, for_venue(name, kDaaAfter), largest.daa_after_day[v],
              daa_after_sum_[v]);
  }
}

void MarketMetrics::write_money_summary(const RunTotals& totals) {
  using namespace indicator;
  put(kBridgeVolume, totals.bridge_volume_pfh);
  put(kBridgeDelivered, totals.bridge_delivered_pfh);
  put(kBridgeInFlight, totals.bridge_in_flight_pfh);
  put(kMoneyPaid, ledger_.paid_usd);
  put(kMoneyReceived, ledger_.received_usd);
  put(kMoneyFees, ledger_.fees_usd());
  put(kMoneyPlatformFees, ledger_.platform_fees_usd);
  put(kMoneyBridgeFees, ledger_.bridge_fees_usd);
  put(kMoneyProofCosts, ledger_.proof_costs_usd);
  put(kMoneySettlement, ledger_.settlement_usd);
  put(kMoneyLicenceFees, ledger_.compliance_fees_usd);
  write_pool_operation_summary();
  write_licence_summary();
  put(kEvents, static_cast<double>(totals.events));
}

// Applications and approvals are the changes of the office's cumulative counts.
void MarketMetrics::write_licence_series() {
  const LicenceOffice& office = *licences_;
  const size_t n = office.segment_count();
  const auto segment = [](size_t s) { return static_cast<uint32_t>(s); };
  per(ids_.licensed_address_share, n, [&](size_t s) {
    return ratio_or_nan(static_cast<double>(office.licensed(segment(s))),
                        static_cast<double>(office.address_count(segment(s))));
  });
  per(ids_.licence_applications, n, [&](size_t s) {
    return static_cast<double>(office.applications(segment(s)) - applications_mark_[s]);
  });
  per(ids_.licence_approvals, n,
      [&](size_t s) { return static_cast<double>(office.granted(segment(s)) - granted_mark_[s]); });
  per(ids_.licence_queue_length, n,
      [&](size_t s) { return static_cast<double>(office.pending(segment(s))); });
  for (size_t s = 0; s < n; ++s) {
    applications_mark_[s] = office.applications(segment(s));
    granted_mark_[s] = office.granted(segment(s));
  }
}

void MarketMetrics::write_licence_summary() {
  using namespace indicator;
  double granted = 0, applications = 0, licensed = 0;
  if (licences_ != nullptr) {
    for (uint32_t s = 0; s < licences_->segment_count(); ++s) {
      granted += static_cast<double>(licences_->granted(s));
      applications += static_cast<double>(licences_->applications(s));
      licensed += static_cast<double>(licences_->licensed(s));
    }
  }
  put(kLicencesGranted, granted);
  put(kLicenceApplications, applications);
  put(kLicensedAddresses, licensed);
  if (evasion_checked_) {
    double revoked = 0;
    for (uint32_t s = 0; s < licences_->segment_count(); ++s) {
      revoked += static_cast<double>(licences_->revoked(s));
    }
    put(kJobsCaughtEvading, static_cast<double>(jobs_caught_evading_));
    put(kLicencesRevoked, revoked);
  }
}

// Each series is the change over the interval of a bridge's cumulative count or integral.
void MarketMetrics::write_bridge_detail(SimTime now, double hours) {
  const SeriesIds& ids = ids_;
  const size_t nb = bridges_.size();
  per(ids.bridge_added_capacity_pf, nb, [&](size_t b) { return bridges_[b].added_capacity_pf(); });
  per(ids.bridge_down, nb, [&](size_t b) {
    return ratio_or_nan(bridges_[b].downtime_h(now) - bridge_marks_[b].downtime_h, hours);
  });
  per(ids.bridge_jobs_stranded, nb, [&](size_t b) {
    return static_cast<double>(bridges_[b].jobs_stranded() - bridge_marks_[b].stranded);
  });
  per(ids.bridge_jobs_rerouted, nb, [&](size_t b) {
    return static_cast<double>(bridges_[b].jobs_rerouted() - bridge_marks_[b].rerouted);
  });
  per(ids.bridge_stranded_job_h, nb,
      [&](size_t b) { return bridges_[b].stranded_job_h(now) - bridge_marks_[b].stranded_job_h; });
  per(ids.bridge_mean_transit_h, nb, [&](size_t b) {
    return ratio_or_nan(
        bridges_[b].transit_h() - bridge_marks_[b].transit_h,
        static_cast<double>(bridges_[b].jobs_delivered() - bridge_marks_[b].delivered));
  });
  for (size_t b = 0; b < nb; ++b) {
    const Bridge& bridge = bridges_[b];
    bridge_marks_[b] = {bridge.downtime_h(now), bridge.stranded_job_h(now),
                        bridge.transit_h(),     bridge.jobs_stranded(),
                        bridge.jobs_rerouted(), bridge.jobs_delivered()};
  }
}

void MarketMetrics::write_bridge_detail_summary() {
  using namespace indicator;
  const SimTime horizon = SimTime::start() + scenario_.horizon;
  double returned = 0, downtime = 0, stranded_job_h = 0, transit_h = 0;
  double stranded = 0, rerouted = 0, delivered = 0;
  for (const Bridge& b : bridges_) {
    returned += b.returned_pfh();
    downtime += b.downtime_h(horizon);
    stranded_job_h += b.stranded_job_h(horizon);
    transit_h += b.transit_h();
    stranded += static_cast<double>(b.jobs_stranded());
    rerouted += static_cast<double>(b.jobs_rerouted());
    delivered += static_cast<double>(b.jobs_delivered());
  }
  put(kBridgeReturned, returned);
  put(kBridgeDowntime, downtime);
  put(kBridgeJobsStranded, stranded);
  put(kBridgeStrandedJobHours, stranded_job_h);
  put(kBridgeJobsRerouted, rerouted);
  put(kBridgeMeanTransit, ratio_or_nan(transit_h, delivered));
}

}  // namespace gpumarket

namespace gpumarket {

void MarketMetrics::write_chain_series(bool measuring) {
  if (chains_ == nullptr || chains_->empty()) return;
  const std::vector<Chain>& chains = *chains_;
  const size_t n = chains.size();
  auto settlement_fee = [&](size_t c) {
    return chains[c].fee_usd(chains[c].params().gas.settlement_gas);
  };
  per(ids_.chain_base_fee_wei, n, [&](size_t c) {
    const ChainInterval& i = chains[c].last_interval();
    return ratio_or_nan(i.base_fee_wei_sum, static_cast<double>(i.blocks));
  });
  per(ids_.chain_settlement_fee_usd, n, settlement_fee);
  per(ids_.chain_gas_used, n, [&](size_t c) { return chains[c].last_interval().gas_used; });
  per(ids_.chain_gas_limit, n, [&](size_t c) { return chains[c].last_interval().gas_limit; });
  per(ids_.chain_max_block_gas, n,
      [&](size_t c) { return chains[c].last_interval().max_block_gas_used; });
  per(ids_.chain_background_share, n, [&](size_t c) {
    const ChainInterval& i = chains[c].last_interval();
    return ratio_or_nan(i.background_gas_used, i.gas_used);
  });
  per(ids_.chain_model_transactions, n,
      [&](size_t c) { return static_cast<double>(chains[c].last_interval().model_transactions); });
  per(ids_.chain_gas_token_usd, n, [&](size_t c) { return chains[c].gas_token_usd(); });
  if (!measuring) return;
  for (size_t c = 0; c < n; ++c) {
    const ChainInterval& i = chains[c].last_interval();
    ChainWindow& w = chain_window_[c];
    w.base_fee_wei_sum += i.base_fee_wei_sum;
    w.blocks += static_cast<double>(i.blocks);
    w.blocks_above_target += static_cast<double>(i.blocks_above_target);
    w.settlement_fee_usd_sum += settlement_fee(c);
    w.ticks += 1;
    w.model_transactions += static_cast<double>(i.model_transactions);
  }
}

void MarketMetrics::write_chain_summary() {
  if (chains_ == nullptr) return;
  using namespace indicator;
  for (size_t c = 0; c < chains_->size(); ++c) {
    const std::string& name = (*chains_)[c].params().name;
    const ChainWindow& w = chain_window_[c];
    auto put_for = [&](const IndicatorDefinition& d, double value) {
      put({for_chain(name, d), d.unit, d.description}, value);
    };
    put_for(kChainMeanBaseFee, ratio_or_nan(w.base_fee_wei_sum, w.blocks));
    put_for(kChainBlocksAboveTarget, ratio_or_nan(w.blocks_above_target, w.blocks));
    put_for(kChainMeanSettlementFee, ratio_or_nan(w.settlement_fee_usd_sum, w.ticks));
    put_for(kChainModelTransactions, w.model_transactions);
  }
}

}  // namespace gpumarket

namespace gpumarket {

void MarketMetrics::write_verification_series(SimTime now, bool measuring) {
  const SeriesIds& ids = ids_;
  if (reports_verification_) {
    const size_t n = venues_.size();
    per(ids.installed_pfh, n, [&](size_t v) { return interval_areas_[v].capacity_pfh; });
    per(ids.delivered_pfh, n, [&](size_t v) { return interval_delivered_pfh_[v]; });
    per(ids.verified_pfh, n, [&](size_t v) { return interval_verified_pfh_[v]; });
    per(ids.rejected, n, [&](size_t v) { return interval_rejected_[v]; });
    for (size_t v = 0; v < n; ++v) {
      if (measuring) {
        window_installed_pfh_[v] += interval_areas_[v].capacity_pfh;
        window_delivered_pfh_[v] += interval_delivered_pfh_[v];
        window_verified_pfh_[v] += interval_verified_pfh_[v];
      }
      interval_delivered_pfh_[v] = interval_verified_pfh_[v] = interval_rejected_[v] = 0.0;
    }
  }
  if (provers_ == nullptr || provers_->empty()) return;
  std::vector<ProverPool>& pools = *provers_;
  const size_t count = pools.size();
  per(ids.prover_backlog_h, count, [&](size_t p) { return pools[p].backlog_h(now); });
  per(ids.prover_queue_length, count,
      [&](size_t p) { return static_cast<double>(pools[p].waiting(now)); });
  // Taken once per pool; the columns below read the taken counts.
  interval_provers_.resize(count);
  for (size_t p = 0; p < count; ++p) interval_provers_[p] = pools[p].take_interval(now);
  per(ids.prover_proofs, count, [&](size_t p) { return interval_provers_[p].proofs; });
  per(ids.prover_completed, count, [&](size_t p) { return interval_provers_[p].completed; });
  per(ids.prover_mean_wait_h, count, [&](size_t p) {
    return ratio_or_nan(interval_provers_[p].wait_h, interval_provers_[p].proofs);
  });
  per(ids.prover_mean_proof_h, count, [&](size_t p) {
    return ratio_or_nan(interval_provers_[p].proof_h, interval_provers_[p].proofs);
  });
  per(ids.prover_price, count, [&](size_t p) { return pools[p].price_usd_per_pf_hour(now); });
  per(ids.prover_gpu_hours, count, [&](size_t p) { return interval_provers_[p].gpu_hours; });
  if (measuring) {
    for (size_t p = 0; p < count; ++p) window_provers_[p].add(interval_provers_[p]);
  }
}

void MarketMetrics::write_verification_summary(const RunTotals& totals) {
  using namespace indicator;
  auto put_for = [&](const std::string& owner, const IndicatorDefinition& suffix, double value) {
    put({for_venue(owner, suffix), suffix.unit, suffix.description}, value);
  };
  for (size_t v = 0; reports_verification_ && v < venues_.size(); ++v) {
    const std::string& name = venues_[v]->name();
    put_for(name, kInstalled, window_installed_pfh_[v]);
    put_for(name, kDelivered, window_delivered_pfh_[v]);
    put_for(name, kVerified, window_verified_pfh_[v]);
    put_for(name, kVerifiedShare, ratio_or_nan(window_verified_pfh_[v], window_delivered_pfh_[v]));
  }
  if (prover_names_.empty()) return;
  put(kJobsInProofAtEnd, static_cast<double>(totals.jobs_in_proof));
  for (size_t p = 0; p < prover_names_.size(); ++p) {
    const ProverInterval& w = window_provers_[p];
    put_for(prover_names_[p], kProofs, w.proofs);
    put_for(prover_names_[p], kProofMeanWait, ratio_or_nan(w.wait_h, w.proofs));
    put_for(prover_names_[p], kProofMeanTime, ratio_or_nan(w.proof_h, w.proofs));
    put_for(prover_names_[p], kProverLoad, ratio_or_nan(w.proof_h, window_h_));
  }
}

}  // namespace gpumarket
