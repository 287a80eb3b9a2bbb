// Scalar reference loops for the routing kernels: one job and one route at a time, written
// from the equations of routing.hpp as directly as possible, to check the Eigen kernels.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

#include "gpumarket/market/routing.hpp"

namespace gpumarket::reference {

inline double route_cost(const RouteTable& routes, const JobBatch& jobs, Eigen::Index j,
                         Eigen::Index r) {
  const bool usable = routes.open(r) && routes.allowed(jobs.job_class(j), r) &&
                      jobs.width_pf(j) <= routes.max_width_pf(r);
  if (!usable) return std::numeric_limits<double>::infinity();
  const double work = jobs.work_pfh(j);
  const double compute_bill = routes.price_usd_per_pf_hour(r) * work;
  const double fees = compute_bill * routes.proportional_fee(r) + routes.fixed_fee_usd(r);
  const double spread = compute_bill * routes.settlement_spread(r);
  const double proof_cost = routes.proof_cost_usd_per_pf_hour(r) * work;
  const double delay_h =
      routes.expected_wait_h(r) + routes.latency_h(r) + routes.proof_hours_per_pf_hour(r) * work;
  const double delay_cost = jobs.value_of_time_usd_per_pf_hour_per_hour(j) * work * delay_h;
  const double access_cost = routes.licence_gated(r) * jobs.access_cost_usd(j);
  const double cost = compute_bill + fees + spread + proof_cost + delay_cost + access_cost;
  // A refused job (probability d) gets nothing and loses K: surplus (1 − d)(V − C) − d·K.
  const double d = routes.detection_probability(r);
  const double value = jobs.value_usd_per_pf_hour(j) * work;
  const double surplus = (1.0 - d) * (value - cost) - d * jobs.licence_at_risk_usd(j);
  return d == 0.0 ? cost : value - surplus;
}

/// Logit probabilities of one job over its route costs; all zero when priced out.
inline std::vector<double> choice_probabilities(const std::vector<double>& cost, double value_usd,
                                                double beta) {
  std::vector<double> p(cost.size(), 0.0);
  double best = std::numeric_limits<double>::infinity();
  for (double c : cost) best = std::min(best, c);
  if (!(best <= value_usd)) return p;
  if (std::isinf(beta)) {
    for (size_t r = 0; r < cost.size(); ++r) {
      if (cost[r] == best) {
        p[r] = 1.0;
        break;
      }
    }
    return p;
  }
  double total = 0.0;
  for (size_t r = 0; r < cost.size(); ++r) {
    if (std::isinf(cost[r])) continue;
    p[r] = std::exp(-beta * (cost[r] - best) / value_usd);
    total += p[r];
  }
  for (double& x : p) x /= total;
  return p;
}

}  // namespace gpumarket::reference
