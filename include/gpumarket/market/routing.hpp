// Routing of a batch of arriving jobs over the routes open to them: the all-in cost
// matrix (jobs × routes), multinomial-logit choice probabilities, and the draw.
// A route is a venue reached directly or through a bridge (docs/demand.md §4).
//
// Cost of route r for job j, USD (docs/demand.md §4):
//
//   C_jr = p_r·W_j·(1 + f_r + s_r) + F_r + k_r·W_j + θ_j·W_j·(w_r + l_r + h_r·W_j) + g_r·a_j
//
//   W_j  work, PF·h                      p_r  price, USD per PF·h
//   θ_j  value of time, USD per PF·h     f_r  proportional fee, fraction of the compute bill
//        of work per hour of delay       s_r  settlement spread, fraction of the compute bill
//                                        F_r  fixed fee, USD
//                                        k_r  proof cost, USD per PF·h of work (ZK prover)
//                                        h_r  proof time, hours per PF·h of work
//                                        w_r  expected wait, hours;  l_r  latency, hours
//   a_j  access cost, USD: the job's share  g_r  1 on a licence-gated route, 0 elsewhere
//        of its address's licence
//
// and C_jr = +inf when the route is closed, not allowed for the job's class (licence, ban),
// or narrower than the job (width_j > max width_r). On a route where the venue detects and
// refuses a job with probability d_r (evading a ban; docs/model.md, "Evading the ban"), a
// refused job gets nothing, pays nothing and loses its address's licence, worth K_j: its
// expected surplus (1 − d_r)(V_j − C_jr) − d_r·K_j is that of the cost
//
//   C'_jr = (1 − d_r)·C_jr + d_r·(V_j + K_j).
//
// Choice, with V_j = v_j·W_j the job's value (v_j its value per PF·h):
//   priced out (route −1)  when min_r C_jr > V_j (always when no route is allowed);
//   otherwise P_jr = exp(−β·(C_jr − min_r C_jr)/V_j) / Σ_r' exp(−β·(C_jr' − min_r C_jr')/V_j),
// a multinomial logit in cost relative to the job's value, so β is unitless: two routes
// whose costs differ by 1% of the job's value have odds exp(−β/100). β = 0 is uniform over
// the allowed routes; β = +inf puts probability 1 on the cheapest route, the lowest route
// index among equals.
#pragma once

#include <Eigen/Core>
#include <limits>

#include "gpumarket/core/random.hpp"
#include "gpumarket/scenario/demand.hpp"

namespace gpumarket {

/// The standard job classes: origin × licence. Row job_class(...) of RouteTable::allowed
/// says which routes such jobs may use.
inline constexpr int kJobClassCount = 4;
constexpr int job_class(Origin origin, bool licensed) {
  return 2 * static_cast<int>(origin) + (licensed ? 1 : 0);
}

/// The routes of a market, one entry per route in every column (struct of arrays).
/// A default-constructed route is free, instant, open and allowed to every class.
struct RouteTable {
  explicit RouteTable(Eigen::Index routes = 0, Eigen::Index job_classes = kJobClassCount);

  Eigen::Index size() const { return price_usd_per_pf_hour.size(); }

  Eigen::ArrayXd price_usd_per_pf_hour;        // p, USD per PF·h, ≥ 0
  Eigen::ArrayXd fixed_fee_usd;                // F, USD per job, ≥ 0 (e.g. bridge fixed fee)
  Eigen::ArrayXd proportional_fee;             // f, fraction of p·W, ≥ 0 (bridge, platform)
  Eigen::ArrayXd settlement_spread;            // s, fraction of p·W, ≥ 0 (FX, token rail)
  Eigen::ArrayXd proof_cost_usd_per_pf_hour;   // k, USD per PF·h of work, ≥ 0
  Eigen::ArrayXd proof_hours_per_pf_hour;      // h, hours per PF·h of work, ≥ 0
  Eigen::ArrayXd expected_wait_h;              // w, hours, ≥ 0
  Eigen::ArrayXd latency_h;                    // l, hours, ≥ 0 (bridge, provisioning)
  Eigen::ArrayXd max_width_pf;                 // widest job the route can take, PF (+inf: any)
  Eigen::ArrayXd licence_gated;                // g: 1 where the job's access cost a applies, else 0
  Eigen::ArrayXd detection_probability;        // d: a job is refused with it (evading a ban)
  Eigen::Array<bool, Eigen::Dynamic, 1> open;  // false: closed to all (bridge not yet open)
  /// allowed(c, r): jobs of class c may use route r. Rows: job classes; columns: routes.
  Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> allowed;
};

/// A batch of arriving jobs, one entry per job in every column (struct of arrays).
struct JobBatch {
  explicit JobBatch(Eigen::Index jobs = 0);

  Eigen::Index size() const { return work_pfh.size(); }
  /// Resizes every column; the contents are then unspecified, but for access costs and
  /// licences at risk of 0.
  void resize(Eigen::Index jobs);

  Eigen::ArrayXd work_pfh;                                // W, PF·h, > 0
  Eigen::ArrayXd width_pf;                                // PF, > 0
  Eigen::ArrayXd value_usd_per_pf_hour;                   // v, USD per PF·h, > 0
  Eigen::ArrayXd value_of_time_usd_per_pf_hour_per_hour;  // θ, ≥ 0
  Eigen::ArrayXi job_class;                               // row of RouteTable::allowed
  Eigen::ArrayXd access_cost_usd;  // a, USD, ≥ 0: paid on licence-gated routes (amortised licence)
  Eigen::ArrayXd licence_at_risk_usd;  // K, USD, ≥ 0: the licence a refused evasion loses
};

inline constexpr double kBetaArgmin = std::numeric_limits<double>::infinity();

/// The jobs × routes cost matrix C (USD) of the header comment; +inf where not allowed.
/// `cost` is resized to jobs × routes.
void route_costs(const RouteTable& routes, const JobBatch& jobs, Eigen::ArrayXXd& cost);

/// Logit choice probabilities (header comment) from a cost matrix and each job's value
/// V_j = v_j·W_j (USD, > 0). Rows sum to 1, or are all 0 for a priced-out job. β ≥ 0,
/// +inf allowed. `probability` is resized to the shape of `cost`.
void choice_probabilities(const Eigen::Ref<const Eigen::ArrayXXd>& cost,
                          const Eigen::Ref<const Eigen::ArrayXd>& value_usd, double beta,
                          Eigen::ArrayXXd& probability);

/// Draws each job's route from its row of `probability` by inversion of exactly one uniform
/// per job (priced-out jobs included, so the stream's use does not depend on prices).
/// route(j) is the column index, or −1 for a row of zeros (priced out).
void choose_routes(const Eigen::Ref<const Eigen::ArrayXXd>& probability, RandomEngine& engine,
                   Eigen::ArrayXi& route);

/// Everything one batch's routing computes; reused across batches.
struct RoutingResult {
  Eigen::ArrayXXd cost;         // jobs × routes, USD
  Eigen::ArrayXXd probability;  // jobs × routes
  Eigen::ArrayXd value_usd;     // V_j
  Eigen::ArrayXi route;         // chosen route, −1: priced out
};

/// route_costs, choice_probabilities and choose_routes in turn.
void route_jobs(const RouteTable& routes, const JobBatch& jobs, double beta, RandomEngine& engine,
                RoutingResult& result);

}  // namespace gpumarket
