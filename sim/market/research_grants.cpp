// Research grants from the pool's budget and their effect on the value of open-source work
// (docs/model.md, "Research grants").
#include "gpumarket/market/research_grants.hpp"

#include <algorithm>
#include <cmath>

namespace gpumarket {
namespace {

double hours_from_start(Date date, Date start) {
  return static_cast<double>(date.days_since_epoch() - start.days_since_epoch()) * kHoursPerDay;
}

}  // namespace

Date research_grants_from(const AlliancePoolParams& params, Date start) {
  if (params.research_grants && params.research_grants->from) return *params.research_grants->from;
  return params.capacity_ramp.empty() ? start : params.capacity_ramp.front().date;
}

double research_grants_disbursed_usd(const AlliancePoolParams& params, Date start, double hours) {
  if (!params.research_grants) return 0.0;
  const double from_h = hours_from_start(research_grants_from(params, start), start);
  const double to_h = hours_from_start(params.research_grants->to, start);
  const double elapsed = std::clamp((hours - from_h) / (to_h - from_h), 0.0, 1.0);
  return params.budget.usd(kResearchBudget) * elapsed;
}

double open_source_grants_usd(const AlliancePoolParams& params, Date start, double hours) {
  if (!params.research_grants) return 0.0;
  return params.research_grants->open_source_share *
         research_grants_disbursed_usd(params, start, hours);
}

double open_source_value_factor(const ResearchGrantParams& params, double grants_usd) {
  return 1.0 + params.effect * -std::expm1(-grants_usd / params.reference_usd);
}

void open_source_value_factors(const Scenario& scenario, double hours,
                               std::vector<double>& factors) {
  double factor = 1.0;
  for (const VenueParams& v : scenario.venues) {
    const auto* pool = v.as<AlliancePoolParams>();
    if (pool == nullptr || !pool->research_grants) continue;
    const double lagged_h = hours - pool->research_grants->lag.in_hours();
    factor *= open_source_value_factor(*pool->research_grants,
                                       open_source_grants_usd(*pool, scenario.start, lagged_h));
  }
  factors.resize(scenario.segments.size());
  for (size_t s = 0; s < factors.size(); ++s) {
    factors[s] = scenario.segments[s].demand.uses_open_source_models ? factor : 1.0;
  }
}

}  // namespace gpumarket
