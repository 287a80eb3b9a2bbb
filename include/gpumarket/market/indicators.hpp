// The summary indicators a run writes: each name, unit and meaning defined once, here.
// The model writes them (sim/market/market_metrics.cpp), the CLI's headline table, the
// tests and the comparisons read them by these definitions rather than by retyped names.
// docs/market.md explains each one.
#pragma once

#include <string>
#include <string_view>

namespace gpumarket {

struct IndicatorDefinition {
  std::string_view name;
  std::string_view unit;
  std::string_view description;
};

namespace indicator {

// Job flow and conservation.
inline constexpr IndicatorDefinition kJobsGenerated{"jobs_generated", "jobs",
                                                    "jobs the demand segments generated"};
inline constexpr IndicatorDefinition kJobsArrived{"jobs_arrived", "jobs",
                                                  "jobs that joined a venue's line"};
inline constexpr IndicatorDefinition kJobsCompleted{"jobs_completed", "jobs",
                                                    "jobs that finished service"};
inline constexpr IndicatorDefinition kJobsAbandoned{
    "jobs_abandoned", "jobs", "jobs that left after waiting past their patience"};
inline constexpr IndicatorDefinition kJobsPricedOut{
    "jobs_priced_out", "jobs",
    "jobs that did not submit because every option cost more than their value"};
inline constexpr IndicatorDefinition kJobsWaitingAtEnd{"jobs_waiting_at_end", "jobs",
                                                       "jobs waiting at the horizon"};
inline constexpr IndicatorDefinition kJobsInServiceAtEnd{"jobs_in_service_at_end", "jobs",
                                                         "jobs in service at the horizon"};
inline constexpr IndicatorDefinition kJobsInTransitAtEnd{
    "jobs_in_transit_at_end", "jobs",
    "jobs on a bridge or travelling to their venue at the horizon"};

// Queueing over the measurement window.
inline constexpr IndicatorDefinition kMeasuredHours{
    "measured_hours", "h", "length of the measurement window (horizon minus warm-up)"};
inline constexpr IndicatorDefinition kArrivalRate{"arrival_rate_per_hour", "1/h",
                                                  "arrivals at venues per hour in the window"};
inline constexpr IndicatorDefinition kMeanWait{
    "mean_wait_h", "h", "mean wait of jobs that started service in the window"};
inline constexpr IndicatorDefinition kMeanSojourn{
    "mean_sojourn_h", "h", "mean time in system of jobs that completed in the window"};
inline constexpr IndicatorDefinition kMeanQueueLength{"mean_queue_length", "jobs",
                                                      "time-average number of waiting jobs"};
inline constexpr IndicatorDefinition kMeanInSystem{
    "mean_in_system", "jobs", "time-average number of jobs waiting or in service"};
inline constexpr IndicatorDefinition kUtilisation{"utilisation", "1",
                                                  "PF*h in use / PF*h of capacity"};
inline constexpr IndicatorDefinition kServed{"served_pfh", "PF*h",
                                             "work of jobs completed in the window"};

// The articles' indicators.
inline constexpr IndicatorDefinition kPublicChainServed{
    "public_chain_served_pfh", "PF*h",
    "adoption: work of public-chain jobs completed in the window"};
inline constexpr IndicatorDefinition kPricedOutShare{
    "priced_out_share", "1", "priced-out jobs / (priced out + arrived) in the window"};
inline constexpr IndicatorDefinition kFeeIndex{"fee_index_usd_per_pfh", "USD/(PF*h)",
                                               "all-in cost per PF*h paid by public-chain jobs"};
inline constexpr IndicatorDefinition kLicensedFeeIndex{
    "licensed_fee_index_usd_per_pfh", "USD/(PF*h)",
    "all-in cost per PF*h paid by licensed public-chain jobs"};
inline constexpr IndicatorDefinition kAccessCostIndex{
    "access_cost_index_usd_per_pfh", "USD/(PF*h)",
    "total cost of access per PF*h: all-in payments plus amortised licence costs, all routed jobs"};
inline constexpr IndicatorDefinition kPublicChainAccessCostIndex{
    "public_chain_access_cost_index_usd_per_pfh", "USD/(PF*h)",
    "total cost of access per PF*h of public-chain jobs"};
inline constexpr IndicatorDefinition kSovereignAccessCostIndex{
    "sovereign_access_cost_index_usd_per_pfh", "USD/(PF*h)",
    "total cost of access per PF*h of sovereign jobs"};
inline constexpr IndicatorDefinition kDecentralizedPriceIndex{
    "decentralized_price_index_usd_per_pfh", "USD/(PF*h)",
    "mean over ticks of the capacity-weighted marketplace price"};
inline constexpr IndicatorDefinition kStateShare{
    "state_share", "1", "share of completed work served by the alliance pool"};
inline constexpr IndicatorDefinition kDecentralizedShare{
    "decentralized_share", "1", "share of completed work served by marketplaces"};
// Daily active addresses of indicators.daa_venue: the name is "<venue>" + suffix.
inline constexpr IndicatorDefinition kDaaBefore{
    "_daa_before", "addresses",
    "mean daily active addresses in the 'before' window (indicators.daa_before)"};
inline constexpr IndicatorDefinition kDaaAfter{
    "_daa_after", "addresses",
    "mean daily active addresses in the 'after' window (indicators.daa_after)"};
inline constexpr IndicatorDefinition kDaaChange{
    "_daa_change", "1", "relative change of daily active addresses, after vs before"};
inline constexpr IndicatorDefinition kBridgeVolumeBefore{
    "bridge_volume_before_pfh_per_day", "PF*h/day",
    "bridge volume per day before indicators.bridge_split"};
inline constexpr IndicatorDefinition kBridgeVolumeAfter{
    "bridge_volume_after_pfh_per_day", "PF*h/day",
    "bridge volume per day from indicators.bridge_split on"};

// Dominance of a headline indicator that sums or averages over a window (docs/output.md,
// "Dominance"): the largest share of its sum that came from one tick (one day for the DAA
// windows) or from one job; the name is "<indicator>" + suffix. A share near 1 means one draw
// decided the value.
inline constexpr IndicatorDefinition kLargestTickShare{
    "_largest_tick_share", "1", "largest share of the indicator's window sum from one tick"};
inline constexpr IndicatorDefinition kLargestDayShare{
    "_largest_day_share", "1", "largest share of the indicator's window sum from one day"};
inline constexpr IndicatorDefinition kLargestJobShare{
    "_largest_job_share", "1", "largest share of the indicator's window sum from one job"};

// Bridges and money: conservation totals.
inline constexpr IndicatorDefinition kBridgeVolume{"bridge_volume_pfh", "PF*h",
                                                   "work that entered any bridge"};
inline constexpr IndicatorDefinition kBridgeDelivered{"bridge_delivered_pfh", "PF*h",
                                                      "work bridges delivered to venues"};
inline constexpr IndicatorDefinition kBridgeInFlight{"bridge_in_flight_pfh", "PF*h",
                                                     "work on bridges at the horizon"};
inline constexpr IndicatorDefinition kMoneyPaid{"money_paid_usd", "USD", "paid by jobs"};
inline constexpr IndicatorDefinition kMoneyReceived{"money_received_usd", "USD",
                                                    "received by venues"};
inline constexpr IndicatorDefinition kMoneyFees{
    "money_fees_usd", "USD", "platform and bridge fees, proofs, settlement, licences"};
inline constexpr IndicatorDefinition kMoneyPlatformFees{"money_platform_fees_usd", "USD",
                                                        "marketplaces' take"};
inline constexpr IndicatorDefinition kMoneyBridgeFees{"money_bridge_fees_usd", "USD",
                                                      "bridge fixed and proportional fees"};
inline constexpr IndicatorDefinition kMoneyProofCosts{
    "money_proof_costs_usd", "USD", "zero-knowledge proving paid by bridged jobs"};
inline constexpr IndicatorDefinition kMoneySettlement{
    "money_settlement_usd", "USD", "settlement transactions and sovereign-settlement spreads"};
inline constexpr IndicatorDefinition kMoneyLicenceFees{
    "money_licence_fees_usd", "USD",
    "pool licences granted in the run: fee and compliance cost, paid at approval"};
inline constexpr IndicatorDefinition kLicencesGranted{"licences_granted", "addresses",
                                                      "licences granted on application in the run"};
inline constexpr IndicatorDefinition kLicensedAddresses{
    "licensed_addresses_end", "addresses",
    "addresses holding a licence at the horizon: licensed at the start or granted since"};
inline constexpr IndicatorDefinition kLicenceApplications{
    "licence_applications", "addresses", "addresses that applied for a licence in the run"};
// Written when a pool enforces its ban on tokenized access by detection (ban_evasion).
inline constexpr IndicatorDefinition kJobsCaughtEvading{
    "jobs_caught_evading", "jobs",
    "licensed jobs the pool caught paying by the banned token route and refused (also priced out)"};
inline constexpr IndicatorDefinition kLicencesRevoked{
    "licences_revoked", "addresses", "licences the pool revoked for evading its ban"};
// The alliance pool's operation (docs/model.md, "Pool operation"), over the whole run: the
// subsidy whenever the scenario has a pool, the grants when a pool has research_grants.
inline constexpr IndicatorDefinition kMoneySubsidy{
    "money_subsidy_usd", "USD",
    "subsidy the state paid on the work its pools served: s / (1 - s) x their bills"};
inline constexpr IndicatorDefinition kResearchGrants{
    "research_grants_usd", "USD", "research grants disbursed from the pools' budgets"};
inline constexpr IndicatorDefinition kOpenSourceGrants{
    "open_source_grants_usd", "USD", "the research grants that went to open-source AI"};
// Bridge reach and outages: written only when Scenario::reports_bridge_detail() (a bridge
// has outages, or indicators.bridge_detail), totals over the run and all bridges.
inline constexpr IndicatorDefinition kBridgeReturned{
    "bridge_returned_pfh", "PF*h", "work that outages sent back from bridges to its origin"};
inline constexpr IndicatorDefinition kBridgeDowntime{
    "bridge_downtime_h", "h", "hours bridges were down, summed over bridges"};
inline constexpr IndicatorDefinition kBridgeJobsStranded{
    "bridge_jobs_stranded", "jobs", "jobs that waited on a bridge for it to resume"};
inline constexpr IndicatorDefinition kBridgeStrandedJobHours{"bridge_stranded_job_h", "job*h",
                                                             "job-hours spent stranded on bridges"};
inline constexpr IndicatorDefinition kBridgeJobsRerouted{
    "bridge_jobs_rerouted", "jobs", "jobs an outage sent back to their origin to be routed again"};
inline constexpr IndicatorDefinition kBridgeMeanTransit{
    "bridge_mean_transit_h", "h",
    "mean time from origin to venue of the jobs bridges delivered (queue, transit, strandings)"};
inline constexpr IndicatorDefinition kEvents{"events", "events", "events the engine processed"};

// Block-space markets, per chain over the window: the name is "<chain>" + suffix.
inline constexpr IndicatorDefinition kChainMeanBaseFee{
    "_mean_base_fee_wei", "wei/gas", "mean EIP-1559 base fee over the chain's blocks"};
inline constexpr IndicatorDefinition kChainBlocksAboveTarget{
    "_blocks_above_target_share", "1", "share of the chain's blocks that used more than target"};
inline constexpr IndicatorDefinition kChainMeanSettlementFee{
    "_mean_settlement_fee_usd", "USD",
    "mean over ticks of one settlement transaction's cost on the chain"};
inline constexpr IndicatorDefinition kChainModelTransactions{
    "_model_transactions", "transactions",
    "settlements, bridge messages and proof verifications the model put on the chain"};
// Verified work, written only when some venue has a verification block: the name is
// "<venue>" + suffix (docs/model.md, "Verification").
inline constexpr IndicatorDefinition kInstalled{"_installed_pfh", "PF*h",
                                                "capacity times time in the window"};
inline constexpr IndicatorDefinition kDelivered{
    "_delivered_pfh", "PF*h", "work run in the window, copies, re-executions and redos included"};
inline constexpr IndicatorDefinition kVerified{
    "_verified_pfh", "PF*h", "work accepted by verification with a correct result in the window"};
inline constexpr IndicatorDefinition kVerifiedShare{"_verified_share", "1",
                                                    "verified / delivered work in the window"};
// Prover pools, written only when there are some: the name is "<venue or bridge>" + suffix
// (docs/model.md, "Prover pools").
inline constexpr IndicatorDefinition kJobsInProofAtEnd{
    "jobs_in_proof_at_end", "jobs", "jobs being proven at a zk venue at the horizon"};
inline constexpr IndicatorDefinition kProofs{"_proofs", "proofs",
                                             "proofs that joined the prover pool in the window"};
inline constexpr IndicatorDefinition kProofMeanWait{
    "_proof_mean_wait_h", "h", "mean wait for the prover pool of the window's proofs"};
inline constexpr IndicatorDefinition kProofMeanTime{"_proof_mean_h", "h",
                                                    "mean proving time of the window's proofs"};
inline constexpr IndicatorDefinition kProverLoad{
    "_prover_load", "1",
    "offered load: proving hours of the window's proofs / hours of the window (above 1: the "
    "backlog grows)"};

// The hardware market, per segment: the name is "<segment>" + suffix (docs/model.md,
// "Hardware markets").
inline constexpr IndicatorDefinition kHardwareIndexEnd{
    "_hardware_index_end", "1", "the segment's GPU hardware price index at the horizon"};
inline constexpr IndicatorDefinition kHardwareIndexMean{
    "_hardware_index_mean", "1", "the segment's index averaged over the window's ticks"};
// The pool's procurement, written when the scenario has a pool: the name is "<pool>" + suffix
// (docs/model.md, "Procurement"). Totals over the run, time 0 included.
inline constexpr IndicatorDefinition kPoolHardwareBudget{
    "_hardware_budget_usd", "USD", "the pool's hardware budget (budget × hardware share)"};
inline constexpr IndicatorDefinition kPoolHardwareSpent{
    "_hardware_spent_usd", "USD", "hardware money spent at ordering (never above the budget)"};
inline constexpr IndicatorDefinition kPoolHardwareLost{
    "_hardware_lost_usd", "USD", "money of orders cancelled by sanctions shocks (not refunded)"};
inline constexpr IndicatorDefinition kPoolOrdered{
    "_ordered_pf", "PF", "capacity ordered, the initial capacity included"};
inline constexpr IndicatorDefinition kPoolDelivered{"_delivered_pf", "PF", "capacity delivered"};
inline constexpr IndicatorDefinition kPoolCancelled{"_cancelled_pf", "PF",
                                                    "capacity cancelled by sanctions shocks"};
inline constexpr IndicatorDefinition kPoolInFlightAtEnd{"_in_flight_pf_at_end", "PF",
                                                        "capacity ordered, not yet delivered"};
inline constexpr IndicatorDefinition kPoolShocks{"_sanctions_shocks", "shocks",
                                                 "sanctions shocks during the run"};
inline constexpr IndicatorDefinition kPoolMeanUnitCost{"_mean_unit_cost_usd_per_pf", "USD/PF",
                                                       "hardware money spent / capacity ordered"};
// Installed capacity at the horizon and the capacity target, per reading: the name is
// "<pool>_" + "<precision>" + suffix (the scenario's units.precision and hpl_fp64).
inline constexpr IndicatorDefinition kPoolCapacityEnd{"_capacity_pf_at_end", "PF",
                                                      "installed capacity at the horizon"};
inline constexpr IndicatorDefinition kPoolTargetReached{
    "_target_reached", "1", "1 if installed capacity reached the target's PF by its date"};
inline constexpr IndicatorDefinition kPoolTargetFirstReached{
    "_target_first_reached_h", "h",
    "hours from the start until installed capacity first reached the target's PF (NaN: never)"};

/// The name of a per-venue indicator such as kDaaBefore: "<venue><suffix>".
inline std::string for_venue(std::string_view venue, const IndicatorDefinition& suffix) {
  return std::string(venue) + std::string(suffix.name);
}

/// The name of a per-chain indicator such as kChainMeanBaseFee: "<chain><suffix>".
inline std::string for_chain(std::string_view chain, const IndicatorDefinition& suffix) {
  return for_venue(chain, suffix);
}

/// Whether a summary value's name is this indicator's: the same, or for a per-venue
/// indicator (whose name is a suffix, "_..."), "<venue>" followed by it.
constexpr bool names(const IndicatorDefinition& indicator, std::string_view name) {
  return indicator.name.starts_with('_') ? name.ends_with(indicator.name) : name == indicator.name;
}

/// The indicators the articles watch, in the order headline tables show them (the CLI's
/// table after a run, `gpumarket compare --headline`).
inline constexpr const IndicatorDefinition* kArticleIndicators[] = {
    &kDecentralizedPriceIndex,
    &kFeeIndex,
    &kLicensedFeeIndex,
    &kAccessCostIndex,
    &kDaaBefore,
    &kDaaAfter,
    &kDaaChange,
    &kBridgeVolumeBefore,
    &kBridgeVolumeAfter,
    &kStateShare,
    &kDecentralizedShare,
    &kPublicChainServed,
    &kPricedOutShare,
};

}  // namespace indicator
}  // namespace gpumarket
