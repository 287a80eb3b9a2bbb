// The alliance pool's operation, as free functions (docs/model.md, "Pool operation"): the
// utilisation-targeting factor on its administered price, its congestion latency, and the
// fiscal cost of its subsidy with the budget share that may bound it. The pool's venue
// (sim/market/alliance_pool.cpp) holds the state they update once per tick.
#pragma once

#include "gpumarket/core/time.hpp"
#include "gpumarket/market/venue.hpp"
#include "gpumarket/scenario/supply.hpp"

namespace gpumarket {

// ---------------------------------------------------------------------------------------
// Price (pool_price.cpp)

/// The factor on the cost-based price for the next tick: unchanged (1 from the start) under
/// the cost-based rule; under utilisation targeting
///   m' = clamp(m · (1 + clamp(d · (u − u*) / u*, −d, d)), m_min, m_max),
/// the dynamic fee's update (utilisation_target_step), `utilisation` the pool's over the tick.
double next_pool_price_factor(const AlliancePoolParams& params, double factor, double utilisation);

/// The pool's utilisation over a tick of `hours` from the work its bills integrate:
/// in_use / (capacity × hours), clamped to [0, 1]; 0 without capacity.
double pool_utilisation(const VenueBilling& billing, double capacity_pf, double hours);

// ---------------------------------------------------------------------------------------
// Latency (pool_latency.cpp)

/// The congestion latency min(L_max, L_c · u / (1 − u)); L_max at u ≥ 1; 0 when disabled.
Duration pool_congestion_latency(const PoolCongestionParams& params, double utilisation);

// ---------------------------------------------------------------------------------------
// Subsidy (pool_subsidy.cpp)

/// What the state pays on the work billed at a price subsidised at `subsidy_rate`: the bills
/// cover (1 − s) of the unsubsidised price, so the state pays s / (1 − s) × bills, USD.
double subsidy_usd(double subsidy_rate, double billed_usd);

/// The bound on the cumulative subsidy: budget.usd(subsidy_budget), USD; infinite when
/// subsidy_budget is empty.
double subsidy_bound_usd(const AlliancePoolParams& params);

/// The subsidy rate in force once the state has paid `paid_usd`: subsidy_rate while some of
/// the bound is left, 0 (the price at full cost) once it is spent.
double subsidy_rate_in_force(const AlliancePoolParams& params, double paid_usd);

/// The cumulative subsidy and what the last tick added to it.
struct SubsidyAccount {
  double paid_usd = 0;       // since the start, never above subsidy_bound_usd
  double last_tick_usd = 0;  // paid for the work of the tick just closed

  /// Pays the subsidy on `billed_usd` of work billed at `subsidy_rate`, up to what the bound
  /// leaves. Jobs already running when the bound is reached keep their subsidised bill; what
  /// the bound cannot cover of their subsidy is not paid from it.
  void pay(const AlliancePoolParams& params, double subsidy_rate, double billed_usd);
};

}  // namespace gpumarket
