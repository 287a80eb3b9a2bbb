// Jobs routed per second: cost matrix, logit probabilities and the draw for batches of
// 1,000 jobs over 8 routes, as one market tick's arrivals would be.
#include <benchmark/benchmark.h>

#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>

#include "gpumarket/core/random.hpp"
#include "gpumarket/market/routing.hpp"

namespace gpumarket {
namespace {

constexpr Eigen::Index kJobs = 1000;
constexpr Eigen::Index kRoutes = 8;

RouteTable make_routes(RandomEngine& engine) {
  boost::random::uniform_01<double> u;
  RouteTable routes(kRoutes);
  for (Eigen::Index r = 0; r < kRoutes; ++r) {
    routes.price_usd_per_pf_hour(r) = 1.0 + 3.0 * u(engine);
    routes.fixed_fee_usd(r) = 0.02 * u(engine);
    routes.proportional_fee(r) = 0.003 * u(engine);
    routes.settlement_spread(r) = 0.02 * u(engine);
    routes.proof_hours_per_pf_hour(r) = r % 3 == 0 ? 0.01 : 0.0;
    routes.expected_wait_h(r) = 2.0 * u(engine);
    routes.latency_h(r) = 0.05 * u(engine);
  }
  routes.allowed(job_class(Origin::PublicChain, false), 0) = false;  // a licensed-only pool
  routes.allowed(job_class(Origin::Sovereign, false), 0) = false;
  return routes;
}

JobBatch make_jobs(RandomEngine& engine) {
  boost::random::uniform_01<double> u;
  boost::random::uniform_int_distribution<int> job_class(0, kJobClassCount - 1);
  JobBatch jobs(kJobs);
  for (Eigen::Index j = 0; j < kJobs; ++j) {
    jobs.work_pfh(j) = std::exp(-2.0 + 6.0 * u(engine));
    jobs.width_pf(j) = std::exp(-1.0 + 2.0 * u(engine));
    jobs.value_usd_per_pf_hour(j) = 2.0 + 3.0 * u(engine);
    jobs.value_of_time_usd_per_pf_hour_per_hour(j) = 0.04;
    jobs.job_class(j) = job_class(engine);
  }
  return jobs;
}

void BM_RoutingRouteJobs(benchmark::State& state) {
  RandomEngine engine = make_stream(1, "bench/routing");
  const RouteTable routes = make_routes(engine);
  const JobBatch jobs = make_jobs(engine);
  const double beta = state.range(0) < 0 ? kBetaArgmin : static_cast<double>(state.range(0));
  RoutingResult result;
  for (auto _ : state) {
    route_jobs(routes, jobs, beta, engine, result);
    benchmark::DoNotOptimize(result.route.data());
  }
  state.SetItemsProcessed(state.iterations() * kJobs);
}
BENCHMARK(BM_RoutingRouteJobs)->Arg(10)->Arg(-1);  // -1: β = +inf (argmin)

void BM_RoutingCostMatrix(benchmark::State& state) {
  RandomEngine engine = make_stream(2, "bench/routing");
  const RouteTable routes = make_routes(engine);
  const JobBatch jobs = make_jobs(engine);
  Eigen::ArrayXXd cost;
  for (auto _ : state) {
    route_costs(routes, jobs, cost);
    benchmark::DoNotOptimize(cost.data());
  }
  state.SetItemsProcessed(state.iterations() * kJobs);
}
BENCHMARK(BM_RoutingCostMatrix);

}  // namespace
}  // namespace gpumarket
