#include "gpumarket/market/routing.hpp"

#include <gtest/gtest.h>

#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <csignal>
#include <limits>
#include <vector>

#include "gpumarket/core/interrupt.hpp"
#include "gpumarket/core/random.hpp"
#include "scalar_routing_reference.hpp"

namespace gpumarket {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double uniform(RandomEngine& engine, double low, double high) {
  return low + (high - low) * boost::random::uniform_01<double>()(engine);
}

// Routes with random prices, fees and delays; some closed, some narrow, some not allowed
// for some classes.
RouteTable random_routes(Eigen::Index n, RandomEngine& engine) {
  RouteTable routes(n);
  for (Eigen::Index r = 0; r < n; ++r) {
    routes.price_usd_per_pf_hour(r) = uniform(engine, 0.5, 5.0);
    routes.fixed_fee_usd(r) = uniform(engine, 0.0, 0.5);
    routes.proportional_fee(r) = uniform(engine, 0.0, 0.2);
    routes.settlement_spread(r) = uniform(engine, 0.0, 0.05);
    routes.proof_cost_usd_per_pf_hour(r) = uniform(engine, 0.0, 0.3);
    routes.proof_hours_per_pf_hour(r) = uniform(engine, 0.0, 0.1);
    routes.expected_wait_h(r) = uniform(engine, 0.0, 3.0);
    routes.latency_h(r) = uniform(engine, 0.0, 0.3);
    routes.max_width_pf(r) = uniform(engine, 0.0, 1.0) < 0.2 ? uniform(engine, 0.5, 4.0) : kInf;
    routes.open(r) = uniform(engine, 0.0, 1.0) < 0.9;
    for (Eigen::Index c = 0; c < routes.allowed.rows(); ++c) {
      routes.allowed(c, r) = uniform(engine, 0.0, 1.0) < 0.8;
    }
    routes.licence_gated(r) = uniform(engine, 0.0, 1.0) < 0.3 ? 1.0 : 0.0;
    routes.detection_probability(r) =
        uniform(engine, 0.0, 1.0) < 0.2 ? uniform(engine, 0.0, 1.0) : 0.0;
  }
  return routes;
}

JobBatch random_jobs(Eigen::Index n, RandomEngine& engine) {
  JobBatch jobs(n);
  boost::random::uniform_int_distribution<int> job_class(0, kJobClassCount - 1);
  for (Eigen::Index j = 0; j < n; ++j) {
    jobs.work_pfh(j) = std::exp(uniform(engine, -4.0, 5.0));
    jobs.width_pf(j) = std::exp(uniform(engine, -2.0, 2.0));
    jobs.value_usd_per_pf_hour(j) = uniform(engine, 1.0, 8.0);
    jobs.value_of_time_usd_per_pf_hour_per_hour(j) = uniform(engine, 0.0, 0.2);
    jobs.job_class(j) = job_class(engine);
    jobs.access_cost_usd(j) = uniform(engine, 0.0, 1.0) < 0.5 ? uniform(engine, 0.0, 2.0) : 0.0;
    jobs.licence_at_risk_usd(j) =
        uniform(engine, 0.0, 1.0) < 0.5 ? uniform(engine, 0.0, 50.0) : 0.0;
  }
  return jobs;
}

std::vector<double> row(const Eigen::ArrayXXd& m, Eigen::Index j) {
  std::vector<double> out(static_cast<size_t>(m.cols()));
  for (Eigen::Index r = 0; r < m.cols(); ++r) out[r] = m(j, r);
  return out;
}

TEST(RouteCosts, MatchTheScalarReference) {
  RandomEngine engine = make_stream(1, "test/routing");
  const RouteTable routes = random_routes(9, engine);
  const JobBatch jobs = random_jobs(500, engine);
  Eigen::ArrayXXd cost;
  route_costs(routes, jobs, cost);
  ASSERT_EQ(cost.rows(), 500);
  ASSERT_EQ(cost.cols(), 9);
  int infinite = 0;
  for (Eigen::Index j = 0; j < jobs.size(); ++j) {
    for (Eigen::Index r = 0; r < routes.size(); ++r) {
      const double expected = reference::route_cost(routes, jobs, j, r);
      if (std::isinf(expected)) {
        EXPECT_EQ(cost(j, r), kInf);
        ++infinite;
      } else {
        EXPECT_NEAR(cost(j, r), expected, 1e-12 * expected) << j << ", " << r;
      }
    }
  }
  EXPECT_GT(infinite, 0);  // the random table does exercise the mask
}

TEST(RouteCosts, FollowTheDocumentedEquation) {
  RouteTable routes(1);
  routes.price_usd_per_pf_hour << 2.0;
  routes.proportional_fee << 0.1;
  routes.settlement_spread << 0.05;
  routes.fixed_fee_usd << 0.5;
  routes.proof_cost_usd_per_pf_hour << 0.25;
  routes.proof_hours_per_pf_hour << 0.01;
  routes.expected_wait_h << 1.5;
  routes.latency_h << 0.5;
  JobBatch jobs(1);
  jobs.work_pfh << 10.0;
  jobs.width_pf << 1.0;
  jobs.value_usd_per_pf_hour << 4.0;
  jobs.value_of_time_usd_per_pf_hour_per_hour << 0.04;
  jobs.job_class << 0;
  Eigen::ArrayXXd cost;
  route_costs(routes, jobs, cost);
  // 2·10·1.15 + 0.5 + 0.25·10 + 0.04·10·(1.5 + 0.5 + 0.01·10)
  EXPECT_NEAR(cost(0, 0), 23.0 + 0.5 + 2.5 + 0.4 * 2.1, 1e-12);
}

// A route the venue may refuse: (1 − d)·C + d·(V + K), so that a job choosing it gives up
// what it would get (V − C) when refused, and its licence K; d = 0 leaves C as it is.
TEST(RouteCosts, ARouteThatMayRefuseTheJobCostsItsExpectedLoss) {
  RouteTable routes(2);
  routes.price_usd_per_pf_hour << 1.0, 1.0;
  routes.detection_probability << 0.0, 0.1;
  JobBatch jobs(1);
  jobs.work_pfh << 2.0;
  jobs.width_pf << 1.0;
  jobs.value_usd_per_pf_hour << 4.0;
  jobs.value_of_time_usd_per_pf_hour_per_hour << 0.0;
  jobs.job_class << 0;
  jobs.licence_at_risk_usd << 30.0;
  Eigen::ArrayXXd cost;
  route_costs(routes, jobs, cost);
  EXPECT_EQ(cost(0, 0), 2.0);
  EXPECT_NEAR(cost(0, 1), 0.9 * 2.0 + 0.1 * (8.0 + 30.0), 1e-12);
  routes.open(1) = false;
  route_costs(routes, jobs, cost);
  EXPECT_EQ(cost(0, 1), kInf);
}

TEST(RouteCosts, MaskClosedForbiddenAndNarrowRoutes) {
  RouteTable routes(4);
  routes.price_usd_per_pf_hour.setConstant(1.0);
  routes.open(1) = false;
  routes.allowed(job_class(Origin::PublicChain, false), 2) = false;
  routes.max_width_pf(3) = 2.0;
  JobBatch jobs(3);
  jobs.work_pfh.setConstant(1.0);
  jobs.width_pf << 1.0, 3.0, 2.0;
  jobs.value_usd_per_pf_hour.setConstant(4.0);
  jobs.value_of_time_usd_per_pf_hour_per_hour.setZero();
  jobs.job_class << job_class(Origin::PublicChain, false), job_class(Origin::PublicChain, true),
      job_class(Origin::PublicChain, false);
  Eigen::ArrayXXd cost;
  route_costs(routes, jobs, cost);
  Eigen::ArrayXXd expected(3, 4);
  expected << 1.0, kInf, kInf, 1.0,  //
      1.0, kInf, 1.0, kInf,          // too wide for route 3
      1.0, kInf, kInf, 1.0;          // exactly as wide as route 3
  EXPECT_TRUE((cost == expected).all()) << cost;
}

TEST(ChoiceProbabilities, MatchTheScalarReference) {
  RandomEngine engine = make_stream(2, "test/routing");
  const RouteTable routes = random_routes(8, engine);
  const JobBatch jobs = random_jobs(400, engine);
  Eigen::ArrayXXd cost;
  route_costs(routes, jobs, cost);
  const Eigen::ArrayXd value = jobs.value_usd_per_pf_hour * jobs.work_pfh;
  for (double beta : {0.0, 0.5, 5.0, 50.0, kBetaArgmin}) {
    Eigen::ArrayXXd probability;
    choice_probabilities(cost, value, beta, probability);
    for (Eigen::Index j = 0; j < jobs.size(); ++j) {
      const std::vector<double> expected =
          reference::choice_probabilities(row(cost, j), value(j), beta);
      for (Eigen::Index r = 0; r < cost.cols(); ++r) {
        EXPECT_NEAR(probability(j, r), expected[r], 1e-12) << "beta " << beta << ", " << j;
      }
    }
  }
}

TEST(ChoiceProbabilities, RowsSumToOneUnlessPricedOut) {
  RandomEngine engine = make_stream(3, "test/routing");
  const RouteTable routes = random_routes(8, engine);
  const JobBatch jobs = random_jobs(1000, engine);
  RoutingResult result;
  route_jobs(routes, jobs, 3.0, engine, result);
  int priced_out = 0;
  for (Eigen::Index j = 0; j < jobs.size(); ++j) {
    const double best = result.cost.row(j).minCoeff();
    const double sum = result.probability.row(j).sum();
    if (best > result.value_usd(j)) {
      ++priced_out;
      EXPECT_EQ(sum, 0.0);
      EXPECT_EQ(result.route(j), -1);
    } else {
      EXPECT_NEAR(sum, 1.0, 1e-12);
      EXPECT_GE(result.route(j), 0);
    }
  }
  EXPECT_GT(priced_out, 0);
  EXPECT_LT(priced_out, jobs.size());
}

TEST(ChooseRoutes, PricedOutExactlyWhenTheBestCostExceedsTheValue) {
  RouteTable routes(2);
  routes.price_usd_per_pf_hour << 3.0, 2.5;
  routes.fixed_fee_usd << 0.0, 0.25;  // route 1 costs 2.75 for one PF·h
  JobBatch jobs(3);
  jobs.work_pfh.setConstant(1.0);
  jobs.width_pf.setConstant(1.0);
  jobs.value_of_time_usd_per_pf_hour_per_hour.setZero();
  jobs.job_class.setZero();
  jobs.value_usd_per_pf_hour << 2.75, std::nextafter(2.75, 0.0), 10.0;
  RandomEngine engine = make_stream(4, "test/routing");
  for (double beta : {0.0, 2.0, kBetaArgmin}) {
    RoutingResult result;
    route_jobs(routes, jobs, beta, engine, result);
    EXPECT_GE(result.route(0), 0) << "cost equal to the value still submits";
    EXPECT_EQ(result.route(1), -1) << "one ulp of value short is priced out";
    EXPECT_GE(result.route(2), 0);
  }
}

TEST(ChooseRoutes, JobWithNoAllowedRouteIsPricedOut) {
  RouteTable routes(2);
  routes.allowed.row(job_class(Origin::Sovereign, false)).setConstant(false);
  JobBatch jobs(1);
  jobs.work_pfh << 1.0;
  jobs.width_pf << 1.0;
  jobs.value_usd_per_pf_hour << 1.0;
  jobs.value_of_time_usd_per_pf_hour_per_hour << 0.0;
  jobs.job_class << job_class(Origin::Sovereign, false);
  RandomEngine engine = make_stream(5, "test/routing");
  for (double beta : {0.0, 1.0, kBetaArgmin}) {
    RoutingResult result;
    route_jobs(routes, jobs, beta, engine, result);
    EXPECT_EQ(result.route(0), -1);
    EXPECT_TRUE((result.probability == 0.0).all());
  }
}

TEST(ChooseRoutes, InfiniteBetaIsTheArgminWithLowestIndexTies) {
  RandomEngine engine = make_stream(6, "test/routing");
  const RouteTable routes = random_routes(8, engine);
  JobBatch jobs = random_jobs(1000, engine);
  jobs.value_usd_per_pf_hour.setConstant(1e6);  // nobody priced out
  RoutingResult result;
  route_jobs(routes, jobs, kBetaArgmin, engine, result);
  for (Eigen::Index j = 0; j < jobs.size(); ++j) {
    Eigen::Index best = -1;
    for (Eigen::Index r = 0; r < routes.size(); ++r) {
      if (best < 0 || result.cost(j, r) < result.cost(j, best)) best = r;
    }
    if (std::isinf(result.cost(j, best))) {
      EXPECT_EQ(result.route(j), -1);
    } else {
      EXPECT_EQ(result.route(j), best) << j;
    }
  }

  RouteTable tied(3);
  tied.price_usd_per_pf_hour << 2.0, 1.0, 1.0;
  JobBatch one(1);
  one.work_pfh << 1.0;
  one.width_pf << 1.0;
  one.value_usd_per_pf_hour << 5.0;
  one.value_of_time_usd_per_pf_hour_per_hour << 0.0;
  one.job_class << 0;
  for (int i = 0; i < 20; ++i) {
    route_jobs(tied, one, kBetaArgmin, engine, result);
    EXPECT_EQ(result.route(0), 1);
  }
}

// A batch of `n` copies of one job, so that choice shares estimate its probabilities.
JobBatch copies(Eigen::Index n, double work, double value_usd_per_pf_hour, int job_class_index) {
  JobBatch jobs(n);
  jobs.work_pfh.setConstant(work);
  jobs.width_pf.setConstant(1.0);
  jobs.value_usd_per_pf_hour.setConstant(value_usd_per_pf_hour);
  jobs.value_of_time_usd_per_pf_hour_per_hour.setConstant(0.05);
  jobs.job_class.setConstant(job_class_index);
  return jobs;
}

TEST(ChooseRoutes, LogitSharesMatchTheProbabilities) {
  RouteTable routes(5);
  routes.price_usd_per_pf_hour << 2.0, 2.2, 1.8, 2.6, 1.0;
  routes.expected_wait_h << 0.5, 0.0, 2.0, 0.0, 0.0;
  routes.fixed_fee_usd << 0.0, 0.1, 0.0, 0.0, 0.0;
  routes.allowed(0, 4) = false;  // cheapest, but not for this class
  const Eigen::Index n = 200'000;
  const JobBatch jobs = copies(n, 2.0, 4.0, 0);
  RandomEngine engine = make_stream(7, "test/routing");
  RoutingResult result;
  route_jobs(routes, jobs, 8.0, engine, result);

  const std::vector<double> p = reference::choice_probabilities(row(result.cost, 0), 8.0, 8.0);
  std::vector<double> share(5, 0.0);
  for (Eigen::Index j = 0; j < n; ++j) share[result.route(j)] += 1.0 / static_cast<double>(n);
  for (int r = 0; r < 5; ++r) {
    EXPECT_NEAR(share[r], p[r], 3.0 * std::sqrt(p[r] * (1.0 - p[r]) / n)) << "route " << r;
  }
  EXPECT_EQ(share[4], 0.0);
  EXPECT_GT(p[1], 0.05);  // the test covers a genuinely mixed choice
  EXPECT_GT(p[3], 0.01);
}

TEST(ChooseRoutes, DisallowedRoutesAreNeverChosen) {
  RandomEngine engine = make_stream(8, "test/routing");
  const RouteTable routes = random_routes(8, engine);
  JobBatch jobs = random_jobs(20'000, engine);
  jobs.value_usd_per_pf_hour.setConstant(1e3);
  for (double beta : {0.0, 1.0, 20.0, kBetaArgmin}) {
    RoutingResult result;
    route_jobs(routes, jobs, beta, engine, result);
    for (Eigen::Index j = 0; j < jobs.size(); ++j) {
      if (result.route(j) >= 0) {
        ASSERT_FALSE(std::isinf(result.cost(j, result.route(j))))
            << "beta " << beta << ", job " << j;
      }
    }
  }
}

TEST(ChooseRoutes, ZeroBetaIsUniformOverAllowedRoutes) {
  RouteTable routes(4);
  routes.price_usd_per_pf_hour << 1.0, 2.0, 3.0, 0.5;
  routes.open(3) = false;
  const JobBatch jobs = copies(1, 1.0, 4.0, 0);
  Eigen::ArrayXXd cost;
  Eigen::ArrayXXd probability;
  route_costs(routes, jobs, cost);
  choice_probabilities(cost, Eigen::ArrayXd::Constant(1, 4.0), 0.0, probability);
  EXPECT_NEAR(probability(0, 0), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(probability(0, 1), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(probability(0, 2), 1.0 / 3.0, 1e-15);
  EXPECT_EQ(probability(0, 3), 0.0);
}

TEST(ChoiceProbabilities, RaisingARoutesPriceLowersItsShare) {
  RouteTable routes(3);
  routes.price_usd_per_pf_hour << 2.0, 2.1, 1.9;
  routes.expected_wait_h << 0.2, 0.1, 0.4;
  const JobBatch jobs = copies(1, 5.0, 4.0, 0);
  const Eigen::ArrayXd value = Eigen::ArrayXd::Constant(1, 20.0);
  Eigen::ArrayXXd cost;
  Eigen::ArrayXXd previous;
  for (int step = 0; step < 10; ++step) {
    routes.price_usd_per_pf_hour(1) = 1.5 + 0.2 * step;
    route_costs(routes, jobs, cost);
    Eigen::ArrayXXd probability;
    choice_probabilities(cost, value, 10.0, probability);
    if (step > 0) {
      EXPECT_LT(probability(0, 1), previous(0, 1));
      EXPECT_GT(probability(0, 0), previous(0, 0));
      EXPECT_GT(probability(0, 2), previous(0, 2));
      // Independence of irrelevant alternatives: the odds of 0 against 2 do not move.
      EXPECT_NEAR(probability(0, 0) / probability(0, 2), previous(0, 0) / previous(0, 2), 1e-12);
    }
    previous = probability;
  }
}

TEST(ChoiceProbabilities, ScaleIsRelativeToTheJobsValue) {
  // Doubling every cost and the value leaves the probabilities unchanged: β is unitless.
  Eigen::ArrayXXd cost(1, 3);
  cost << 3.0, 3.5, 4.0;
  Eigen::ArrayXXd p1;
  Eigen::ArrayXXd p2;
  choice_probabilities(cost, Eigen::ArrayXd::Constant(1, 5.0), 4.0, p1);
  choice_probabilities(2.0 * cost, Eigen::ArrayXd::Constant(1, 10.0), 4.0, p2);
  EXPECT_TRUE(p1.isApprox(p2, 1e-14));
  EXPECT_NEAR(p1(0, 1) / p1(0, 0), std::exp(-4.0 * 0.5 / 5.0), 1e-14);
}

TEST(ChooseRoutes, ConsumesOneUniformPerJob) {
  Eigen::ArrayXXd probability(3, 2);
  probability << 0.5, 0.5, 0.0, 0.0, 1.0, 0.0;
  RandomEngine a = make_stream(9, "test/routing");
  RandomEngine b = make_stream(9, "test/routing");
  Eigen::ArrayXi route;
  choose_routes(probability, a, route);
  EXPECT_EQ(route(1), -1);
  EXPECT_EQ(route(2), 0);
  b.discard(3);
  EXPECT_EQ(a(), b());
}

TEST(RouteJobs, HandlesAnEmptyBatch) {
  RouteTable routes(3);
  JobBatch jobs(0);
  RandomEngine engine = make_stream(10, "test/routing");
  RoutingResult result;
  route_jobs(routes, jobs, 1.0, engine, result);
  EXPECT_EQ(result.cost.rows(), 0);
  EXPECT_EQ(result.route.size(), 0);
}

// A signal that came during one enormous tick stops the routing of its batch, for the logit
// draw and for the argmin alike, instead of waiting for the tick to end.
TEST(RouteJobs, StopsAtASignalInAnEnormousBatch) {
  RandomEngine engine = make_stream(7, "test/routing");
  const RouteTable routes = random_routes(3, engine);
  const JobBatch jobs = random_jobs(static_cast<Eigen::Index>(kInterruptPollMask) + 1, engine);
  for (const double beta : {10.0, kBetaArgmin}) {
    RoutingResult result;
    request_interrupt(SIGINT);
    try {
      route_jobs(routes, jobs, beta, engine, result);
      ADD_FAILURE() << "expected Interrupted at beta " << beta;
    } catch (const Interrupted& interrupted) {
      EXPECT_EQ(interrupted.signal(), SIGINT);
      EXPECT_NE(std::string(interrupted.what()).find("while choosing the routes of a tick's jobs"),
                std::string::npos)
          << interrupted.what();
    }
    request_interrupt(0);
    EXPECT_NO_THROW(route_jobs(routes, jobs, beta, engine, result));
  }
}

}  // namespace
}  // namespace gpumarket
