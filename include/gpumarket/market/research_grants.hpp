// The pool's research grants (docs/model.md, "Research grants"): the budget's research share
// disbursed uniformly over a period, a share of it to open-source AI, and the value of work
// it adds, after a lag, for segments that use open-source models. Pure functions of the
// parameters in force and the time: a timeline step re-plans the schedule as if its values
// had held from the start.
#pragma once

#include <vector>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket {

/// When disbursement starts: `from`, or the pool's opening (its ramp's first date), or the
/// scenario's start for a pool without a ramp.
Date research_grants_from(const AlliancePoolParams& params, Date start);

/// R · clamp((t − from) / (to − from), 0, 1), USD disbursed by `hours` after `start`, with
/// R = budget.usd("research"); 0 without research grants. Never above R.
double research_grants_disbursed_usd(const AlliancePoolParams& params, Date start, double hours);

/// The open-source share of what was disbursed by `hours`, USD.
double open_source_grants_usd(const AlliancePoolParams& params, Date start, double hours);

/// 1 + e · (1 − exp(−G / G_ref)): the factor on the value of work of G USD of open-source
/// grants; exactly 1 at G = 0.
double open_source_value_factor(const ResearchGrantParams& params, double grants_usd);

/// Per segment, the factor on its value of work at `hours`: for segments that use open-source
/// models, the product over the scenario's pools with research grants of
/// open_source_value_factor at G(t − lag); exactly 1 for the others and before the lag.
void open_source_value_factors(const Scenario& scenario, double hours,
                               std::vector<double>& factors);

}  // namespace gpumarket
