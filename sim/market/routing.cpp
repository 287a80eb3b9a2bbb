#include "gpumarket/market/routing.hpp"

#include <boost/random/uniform_01.hpp>
#include <cmath>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/interrupt.hpp"

namespace gpumarket {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

RouteTable::RouteTable(Eigen::Index routes, Eigen::Index job_classes)
    : price_usd_per_pf_hour(Eigen::ArrayXd::Zero(routes)),
      fixed_fee_usd(Eigen::ArrayXd::Zero(routes)),
      proportional_fee(Eigen::ArrayXd::Zero(routes)),
      settlement_spread(Eigen::ArrayXd::Zero(routes)),
      proof_cost_usd_per_pf_hour(Eigen::ArrayXd::Zero(routes)),
      proof_hours_per_pf_hour(Eigen::ArrayXd::Zero(routes)),
      expected_wait_h(Eigen::ArrayXd::Zero(routes)),
      latency_h(Eigen::ArrayXd::Zero(routes)),
      max_width_pf(Eigen::ArrayXd::Constant(routes, kInf)),
      licence_gated(Eigen::ArrayXd::Zero(routes)),
      detection_probability(Eigen::ArrayXd::Zero(routes)),
      open(Eigen::Array<bool, Eigen::Dynamic, 1>::Constant(routes, true)),
      allowed(Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(job_classes, routes,
                                                                           true)) {}

JobBatch::JobBatch(Eigen::Index jobs) { resize(jobs); }

void JobBatch::resize(Eigen::Index jobs) {
  work_pfh.resize(jobs);
  width_pf.resize(jobs);
  value_usd_per_pf_hour.resize(jobs);
  value_of_time_usd_per_pf_hour_per_hour.resize(jobs);
  job_class.resize(jobs);
  access_cost_usd.setZero(jobs);
  licence_at_risk_usd.setZero(jobs);
}

void route_costs(const RouteTable& routes, const JobBatch& jobs, Eigen::ArrayXXd& cost) {
  const Eigen::Index nr = routes.size();
  const Eigen::Index nj = jobs.size();
  GPUMARKET_CHECK(
      routes.fixed_fee_usd.size() == nr && routes.proportional_fee.size() == nr &&
      routes.settlement_spread.size() == nr && routes.proof_cost_usd_per_pf_hour.size() == nr &&
      routes.proof_hours_per_pf_hour.size() == nr && routes.expected_wait_h.size() == nr &&
      routes.latency_h.size() == nr && routes.max_width_pf.size() == nr &&
      routes.licence_gated.size() == nr && routes.detection_probability.size() == nr &&
      routes.open.size() == nr && routes.allowed.cols() == nr);
  GPUMARKET_CHECK(jobs.width_pf.size() == nj && jobs.value_usd_per_pf_hour.size() == nj &&
                  jobs.value_of_time_usd_per_pf_hour_per_hour.size() == nj &&
                  jobs.job_class.size() == nj && jobs.access_cost_usd.size() == nj &&
                  jobs.licence_at_risk_usd.size() == nj);
  GPUMARKET_CHECK(nj == 0 || (jobs.job_class.minCoeff() >= 0 &&
                              jobs.job_class.maxCoeff() < routes.allowed.rows()));

  // Per-route coefficients of the terms linear in W_j, in θ_j·W_j and in θ_j·W_j².
  const Eigen::ArrayXd usd_per_pf_hour =
      routes.price_usd_per_pf_hour * (1.0 + routes.proportional_fee + routes.settlement_spread) +
      routes.proof_cost_usd_per_pf_hour;
  const Eigen::ArrayXd delay_h = routes.expected_wait_h + routes.latency_h;
  // θ_j·W_j: the job's cost of one hour of delay, USD/h.
  const Eigen::ArrayXd delay_usd_per_h =
      jobs.value_of_time_usd_per_pf_hour_per_hour * jobs.work_pfh;

  // Whole-matrix: each term is an outer product (column per job × row per route) by
  // broadcasting, and the mask gathers the rows of `allowed` for the jobs' classes.
  // rowwise().replicate keeps the replication factor of the columns a compile-time 1, which
  // spares Eigen an index modulo per coefficient.
  cost = (routes.allowed(jobs.job_class, Eigen::all) &&
          routes.open.transpose().colwise().replicate(nj) &&
          (jobs.width_pf.rowwise().replicate(nr) <=
           routes.max_width_pf.transpose().colwise().replicate(nj)))
             .select(jobs.work_pfh.rowwise().replicate(nr).rowwise() * usd_per_pf_hour.transpose() +
                         routes.fixed_fee_usd.transpose().colwise().replicate(nj) +
                         delay_usd_per_h.rowwise().replicate(nr).rowwise() * delay_h.transpose() +
                         (delay_usd_per_h * jobs.work_pfh).rowwise().replicate(nr).rowwise() *
                             routes.proof_hours_per_pf_hour.transpose() +
                         jobs.access_cost_usd.rowwise().replicate(nr).rowwise() *
                             routes.licence_gated.transpose(),
                     kInf);
  // Routes a venue may refuse: C' = (1 − d)·C + d·(V + K), column by column (rare: only a
  // ban's evasion route), so that every other route's cost stays exactly C.
  if ((routes.detection_probability == 0.0).all()) return;
  const Eigen::ArrayXd at_stake =
      jobs.value_usd_per_pf_hour * jobs.work_pfh + jobs.licence_at_risk_usd;
  for (Eigen::Index r = 0; r < nr; ++r) {
    const double d = routes.detection_probability(r);
    if (d == 0.0) continue;
    cost.col(r) = (cost.col(r) == kInf).select(kInf, (1.0 - d) * cost.col(r) + d * at_stake);
  }
}

void choice_probabilities(const Eigen::Ref<const Eigen::ArrayXXd>& cost,
                          const Eigen::Ref<const Eigen::ArrayXd>& value_usd, double beta,
                          Eigen::ArrayXXd& probability) {
  const Eigen::Index nj = cost.rows();
  const Eigen::Index nr = cost.cols();
  GPUMARKET_CHECK(value_usd.size() == nj);
  GPUMARKET_CHECK(beta >= 0.0);
  GPUMARKET_CHECK(nj == 0 || (value_usd > 0.0).all());
  probability.resize(nj, nr);
  if (nj == 0 || nr == 0) {
    probability.setZero();
    return;
  }

  const Eigen::ArrayXd min_cost = cost.rowwise().minCoeff();
  // False for +inf (no allowed route) as for any finite cost above the value.
  const Eigen::Array<bool, Eigen::Dynamic, 1> submits = min_cost <= value_usd;

  if (std::isinf(beta)) {
    probability.setZero();
    for (Eigen::Index j = 0; j < nj; ++j) {
      poll_interrupt(static_cast<uint64_t>(j), "choosing the routes of a tick's jobs");
      if (!submits(j)) continue;
      Eigen::Index r = 0;
      while (cost(j, r) != min_cost(j)) ++r;  // the lowest index among the cheapest
      probability(j, r) = 1.0;
    }
    return;
  }

  // Relative to the row minimum the largest weight is exp(0) = 1: no overflow, and every
  // submitting row sums to ≥ 1. The exponent goes through a plain array so that exp()
  // vectorises (a select or a broadcast in its argument would make it scalar). Exponents
  // are clamped at kMinExponent before exp(): below it the result would be subnormal, and
  // subnormal arithmetic is two orders of magnitude slower. Those entries, the disallowed
  // ones (+inf cost: exponent −inf) and the NaNs of 0·inf (β = 0) or inf − inf (no allowed
  // route) all fail `exponent ≥ kMinExponent` and become exactly 0.
  constexpr double kMinExponent = -700.0;  // exp(−700) ≈ 1e-304, still a normal double
  const Eigen::ArrayXd scale = -beta / value_usd;
  Eigen::ArrayXXd& exponent = probability;
  exponent = (cost.colwise() - min_cost).colwise() * scale;
  const Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> kept = exponent >= kMinExponent;
  probability = exponent.max(kMinExponent).exp();
  probability = kept.select(probability, 0.0);
  const Eigen::ArrayXd total = probability.rowwise().sum();
  probability.colwise() /= total;
  probability = submits.rowwise().replicate(nr).select(probability, 0.0);
}

void choose_routes(const Eigen::Ref<const Eigen::ArrayXXd>& probability, RandomEngine& engine,
                   Eigen::ArrayXi& route) {
  const Eigen::Index nj = probability.rows();
  const Eigen::Index nr = probability.cols();
  route.resize(nj);
  boost::random::uniform_01<double> uniform;
  // One enormous tick's batch can hold millions of jobs: the draw polls for Ctrl-C.
  for (Eigen::Index j = 0; j < nj; ++j) {
    poll_interrupt(static_cast<uint64_t>(j), "choosing the routes of a tick's jobs");
    const double u = uniform(engine);
    double cumulative = 0.0;
    int chosen = -1;
    for (Eigen::Index r = 0; r < nr; ++r) {
      const double p = probability(j, r);
      if (p <= 0.0) continue;
      chosen = static_cast<int>(r);
      cumulative += p;
      if (u < cumulative) break;
    }
    // A u beyond the rounded row sum falls to the last route with positive probability.
    route(j) = chosen;
  }
}

void route_jobs(const RouteTable& routes, const JobBatch& jobs, double beta, RandomEngine& engine,
                RoutingResult& result) {
  route_costs(routes, jobs, result.cost);
  result.value_usd = jobs.value_usd_per_pf_hour * jobs.work_pfh;
  choice_probabilities(result.cost, result.value_usd, beta, result.probability);
  choose_routes(result.probability, engine, result.route);
}

}  // namespace gpumarket
