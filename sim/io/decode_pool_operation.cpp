// Decoders of the pool's operation (include/gpumarket/scenario/pool_operation.hpp): its price
// rule and utilisation target, its congestion latency, the budget share bounding its subsidy
// and its research grants.
#include <algorithm>
#include <string>
#include <utility>

#include "scenario_decode.hpp"

namespace gpumarket::scenario_decode {
namespace {

void decode_utilisation_target(MapReader r, PoolUtilisationTargetParams& t) {
  t.target_utilisation = r.optional_number("target_utilisation", t.target_utilisation);
  t.adjustment = r.optional_number("adjustment", t.adjustment);
  t.min_factor = r.optional_number("min_factor", t.min_factor, Check::Positive);
  t.max_factor = r.optional_number("max_factor", t.max_factor, Check::Positive);
  r.finish();
  if (!(t.target_utilisation > 0.0 && t.target_utilisation <= 1.0)) {
    fail_expected(r, "target_utilisation", "a number in (0, 1]");
  }
  // Up to 1/4: calibration §11's bear case runs the pool's controller at D = 4; a larger step
  // lets the price oscillate.
  if (!(t.adjustment > 0.0 && t.adjustment <= 0.25)) {
    fail_expected(r, "adjustment", "a number in (0, 0.25]");
  }
  // The factor starts at 1, the cost-based price.
  if (t.min_factor > 1.0) fail_expected(r, "min_factor", "a factor no higher than 1");
  if (t.max_factor < 1.0) fail_expected(r, "max_factor", "a factor no lower than 1");
}

void decode_congestion_latency(MapReader r, PoolCongestionParams& c) {
  c.scale = r.optional_duration("scale", c.scale, Check::NonNegative);
  c.max = r.optional_duration("max", c.max, Check::Positive);
  r.finish();
}

void decode_research_grants(MapReader r, ResearchGrantParams& g, Date opens) {
  if (r.has("from")) g.from = r.date("from");
  g.to = r.has("to") ? r.date("to") : g.to;
  g.open_source_share = r.optional_fraction("open_source_share", g.open_source_share);
  g.lag = r.optional_duration("lag", g.lag, Check::NonNegative);
  g.effect = r.optional_number("effect", g.effect, Check::NonNegative);
  g.reference_usd = r.optional_number("reference_usd", g.reference_usd, Check::Positive);
  r.finish();
  const Date from = g.from.value_or(opens);
  if (!(g.to > from)) {
    r.fail(r.has("to") ? "to" : "from", "expected the end of disbursement (to, " +
                                            g.to.to_string() + ") after its start (from, " +
                                            from.to_string() +
                                            (g.from ? ")" : ", the pool's opening)"));
  }
}

std::string share_names(const AllianceBudgetParams& budget) {
  std::string out;
  for (const BudgetShare& s : budget.split) out += (out.empty() ? "" : ", ") + s.name;
  return out;
}

}  // namespace

void decode_pool_operation(MapReader& r, AlliancePoolParams& p) {
  const std::string rule =
      r.optional_enumeration("price_rule", "cost", {"cost", "utilisation_target"});
  p.price_rule =
      rule == "utilisation_target" ? PoolPriceRule::UtilisationTarget : PoolPriceRule::CostBased;
  if (auto t = r.optional_map("utilisation_target"))
    decode_utilisation_target(std::move(*t), p.utilisation_target);
  if (auto c = r.optional_map("congestion_latency"))
    decode_congestion_latency(std::move(*c), p.congestion_latency);
  if (r.has("subsidy_budget")) {
    p.subsidy_budget = r.name("subsidy_budget");
    const bool known =
        std::any_of(p.budget.split.begin(), p.budget.split.end(),
                    [&](const BudgetShare& s) { return s.name == p.subsidy_budget; });
    if (!known) {
      fail_expected(r, "subsidy_budget",
                    "the name of a share of budget.split (" + share_names(p.budget) + ")");
    }
  }
  if (auto g = r.optional_map("research_grants")) {
    // The decoded ramp is never empty: its first date is the pool's opening.
    decode_research_grants(std::move(*g), p.research_grants.emplace(),
                           p.capacity_ramp.front().date);
  }
}

}  // namespace gpumarket::scenario_decode
