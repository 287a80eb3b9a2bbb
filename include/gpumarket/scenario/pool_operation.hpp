// Parameters of the alliance pool's operation (docs/model.md, "Pool operation"): how its
// administered price responds to its load, the congestion latency that grows with it, the
// budget share that bounds the subsidy, and the research grants paid from the budget.
// Nested in AlliancePoolParams (supply.hpp); every default is sourced or an ASSUMPTION.
#pragma once

#include <optional>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/time.hpp"

namespace gpumarket {

/// How the pool sets its administered price each tick.
enum class PoolPriceRule {
  /// (amortisation × hardware index + energy) × (1 − subsidy), whatever the load.
  CostBased,
  /// The cost-based price times a factor m that an EIP-1559-style controller moves towards
  /// a target utilisation of the pool: m' = clamp(m·(1 + d·(u − u*)/u*), m_min, m_max).
  UtilisationTarget,
};

/// The utilisation-targeting controller (same update as a dynamic-fee marketplace's).
struct PoolUtilisationTargetParams {
  /// u*, in (0, 1]. calibration §4/§11: 0.7 (cluster traces sustain 0.62–0.75).
  double target_utilisation = 0.7;
  /// d = 1/D per tick, in (0, 1/4]. calibration §4/§11: D = 8 (EIP-1559's denominator); §11's
  /// bear case uses D = 4.
  double adjustment = 0.125;
  /// Bounds of the factor m on the cost-based price; m starts at 1, so m_min ≤ 1 ≤ m_max.
  /// ASSUMPTION: the state neither gives capacity away below a quarter of its cost nor
  /// charges more than 4× it (no sourced bound).
  double min_factor = 0.25;
  double max_factor = 4.0;
};

/// The pool's congestion latency, added to the venue's `latency` L_0:
///   L(u) = L_0 + min(L_max, L_c · u / (1 − u)),
/// u the pool's utilisation over the last tick (the M/M/1 delay factor ρ/(1 − ρ)).
/// Default L_c = 0: no congestion latency.
struct PoolCongestionParams {
  /// L_c. ASSUMPTION when set (no sourced figure): the article expects "latency spikes" when
  /// workloads are routed through state-owned data centres, without a number.
  Duration scale;
  /// L_max. ASSUMPTION: one day, a job that waits longer for the state's scheduler than for
  /// any queue it could join elsewhere.
  Duration max = Duration::days(1);

  bool enabled() const { return scale > Duration(); }
};

/// The research grants paid from the budget's research share (budget.hpp), disbursed
/// uniformly over [from, to]; the open-source share of them raises, after a lag, the value of
/// work for segments that use open-source models:
///   value × (1 + effect · (1 − exp(−G(t − lag) / reference_usd))),
/// G the cumulative open-source grants, USD (the effect saturates at 1 + effect).
struct ResearchGrantParams {
  /// Start of disbursement; absent: the pool's opening (its ramp's first date). ASSUMPTION.
  std::optional<Date> from;
  /// End of disbursement. ASSUMPTION: the end of 2027, when the article's 150 PF is reached.
  Date to = Date::from_ymd(2027, 12, 31);
  /// Share of the grants that goes to open-source AI frameworks, in [0, 1]. Article: "If even
  /// half of that research budget is allocated to open-source AI frameworks"; 0.5 is the
  /// scenario's reading of "half".
  double open_source_share = 0.5;
  /// Time from a grant to models that users can run. ASSUMPTION: 180 days.
  Duration lag = Duration::days(180);
  /// e: the largest relative rise of the value of work the grants can bring. ASSUMPTION: 0.2.
  double effect = 0.2;
  /// G_ref, USD: grants that bring 1 − 1/e ≈ 63 % of the effect. ASSUMPTION: $1 billion,
  /// about half the article's $1.8 billion open-source half of the research budget.
  double reference_usd = 1e9;
};

}  // namespace gpumarket
