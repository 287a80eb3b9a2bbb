// How the market's plain structs are saved and loaded in a run's state (checkpoints and
// forked sweeps); the classes with private state have `serialize` members. One function per
// struct serves both directions, listing every member.
#pragma once

#include "gpumarket/core/state_archive.hpp"
#include "gpumarket/market/chain.hpp"
#include "gpumarket/market/hardware_market.hpp"
#include "gpumarket/market/job_pool.hpp"
#include "gpumarket/market/market_model.hpp"
#include "gpumarket/market/pool_operation.hpp"
#include "gpumarket/market/pool_procurement.hpp"
#include "gpumarket/market/prover_pool.hpp"
#include "gpumarket/market/routing.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "gpumarket/market/venue.hpp"
#include "market_metrics.hpp"

namespace gpumarket {

template <class Archive>
void serialize(Archive& archive, VenueAreas& areas) {
  archive(areas.waiting_job_h, areas.in_system_job_h, areas.in_use_pfh, areas.waiting_pfh,
          areas.capacity_pfh);
}
template <class Archive>
void serialize(Archive& archive, VenueBilling& billing) {
  archive(billing.billed_usd, billing.in_use_pfh);
}
template <class Archive>
void serialize(Archive& archive, VenueCounts& counts) {
  archive(counts.arrived, counts.started, counts.completed, counts.abandoned, counts.wait_h,
          counts.sojourn_h, counts.served_pfh);
}
template <class Archive>
void serialize(Archive& archive, Job& job) {
  archive(job.arrival, job.service, job.width_pf, job.billed_usd_per_pf_hour, job.segment,
          job.venue, job.route, job.address, job.state, job.public_chain, job.licensed,
          job.access_usd, job.abandonment, job.transit, job.reaches_venue, job.in_flight_index,
          job.copies, job.re_execution, job.verdict);
}
template <class Archive>
void serialize(Archive& archive, ChainInterval& interval) {
  archive(interval.blocks, interval.gas_used, interval.gas_limit, interval.background_gas_used,
          interval.model_gas_used, interval.max_block_gas_used, interval.base_fee_wei_sum,
          interval.blocks_above_target, interval.model_transactions);
}
template <class Archive>
void serialize(Archive& archive, ProverInterval& interval) {
  archive(interval.proofs, interval.wait_h, interval.proof_h, interval.gpu_hours, interval.work_pfh,
          interval.completed);
}
template <class Archive>
void serialize(Archive& archive, HardwareSegmentState& segment) {
  archive(segment.trend, segment.supply_pf_per_year, segment.demand_pf_per_year, segment.index);
}
template <class Archive>
void serialize(Archive& archive, SubsidyAccount& account) {
  archive(account.paid_usd, account.last_tick_usd);
}
template <class Archive>
void serialize(Archive& archive, ProcurementFlows& flows) {
  archive(flows.ordered_pf, flows.delivered_pf, flows.cancelled_pf, flows.spent_usd, flows.lost_usd,
          flows.orders, flows.shocks);
}
template <class Archive>
void serialize(Archive& archive, ProviderAttributes& provider) {
  archive(provider.capacity_pf, provider.energy_usd_per_pf_hour, provider.capex_usd_per_pf_hour,
          provider.ask_markup);
}
template <class Archive>
void serialize(Archive& archive, ProviderPopulation& providers) {
  archive(providers.capacity_pf, providers.energy_usd_per_pf_hour, providers.capex_usd_per_pf_hour,
          providers.ask_markup, providers.rolling_margin_usd_per_pf_hour,
          providers.negative_margin_ticks, providers.token_ask_tokens_per_pf_hour,
          providers.unpaid_tokens);
}
template <class Archive>
void serialize(Archive& archive, UniformAllocation& allocation) {
  archive(allocation.price_usd_per_pf_hour, allocation.below, allocation.at);
}
// The workspace too: a rule may leave in it what the next tick reads (the kept asks).
template <class Archive>
void serialize(Archive& archive, SupplyWorkspace& workspace) {
  archive(workspace.ask_usd_per_pf_hour, workspace.used_pf, workspace.uniform, workspace.exit_mask,
          workspace.ask_capacity, workspace.candidate_ask, workspace.candidate_capacity,
          workspace.entrants, workspace.ask_token_usd, workspace.keep_asks, workspace.asks_kept,
          workspace.paid_usd_per_pf_hour);
}
template <class Archive>
void serialize(Archive& archive, MarketplaceState& state) {
  archive(state.providers, state.posted_price_usd_per_pf_hour, state.token_usd_at_quote,
          state.recent_utilisation, state.workspace, state.repricing_rng, state.token_asks_anchored,
          state.hours_since_payment, state.tokens_owed, state.token_supply_tokens,
          state.net_burn_log_impact);
}
template <class Archive>
void serialize(Archive& archive, MarketplaceTickResult& tick) {
  archive(tick.price_usd_per_pf_hour, tick.capacity_pf, tick.used_pf, tick.unserved_pf,
          tick.utilisation, tick.payments_usd, tick.fees_usd, tick.provider_revenue_usd,
          tick.mean_margin_usd_per_pf_hour, tick.provider_count, tick.entrants, tick.exits,
          tick.tokens_burned, tick.tokens_minted, tick.token_supply_tokens, tick.repriced);
}
template <class Archive>
void serialize(Archive& archive, RouteTable& table) {
  archive(table.price_usd_per_pf_hour, table.fixed_fee_usd, table.proportional_fee,
          table.settlement_spread, table.proof_cost_usd_per_pf_hour, table.proof_hours_per_pf_hour,
          table.expected_wait_h, table.latency_h, table.max_width_pf, table.licence_gated,
          table.detection_probability, table.open, table.allowed);
}
template <class Archive>
void serialize(Archive& archive, Ledger& ledger) {
  archive(ledger.paid_usd, ledger.received_usd, ledger.platform_fees_usd, ledger.bridge_fees_usd,
          ledger.proof_costs_usd, ledger.settlement_usd, ledger.compliance_fees_usd);
}
template <class Archive>
void serialize(Archive& archive, RunTotals& totals) {
  archive(totals.jobs_generated, totals.jobs_arrived, totals.jobs_completed, totals.jobs_abandoned,
          totals.jobs_priced_out, totals.jobs_waiting, totals.jobs_in_service,
          totals.jobs_in_transit, totals.money_paid_usd, totals.money_received_usd,
          totals.money_fees_usd, totals.bridge_volume_pfh, totals.bridge_delivered_pfh,
          totals.bridge_in_flight_pfh, totals.events, totals.jobs_in_proof);
}

}  // namespace gpumarket
