// Bridges in the market model, on small scenarios built here: the capacity a bridge adds
// when reachable capacity binds (and not when it does not), and bridge outages (the
// fraction of time down, volume, stranding, rerouting, conservation, exact pause arithmetic).
// Effects are paired comparisons over seeds with common random numbers: the sign of the
// mean paired difference, more than 3 standard errors from 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/market/indicators.hpp"
#include "gpumarket/market/market_model.hpp"
#include "support/statistics.hpp"

namespace gpumarket {
namespace {

using testing::mean_and_error;
using testing::MeanAndError;

constexpr int kSeeds = 12;

/// A public-chain segment served by `near` (direct, `near_servers` × 1 PF) and by `far`
/// (`far_servers` × 1 PF, reachable only over the bridge `link`), both at 1 USD/PF·h.
/// Jobs are 1 PF wide, exponential 1 h long, patient, and value their work far above the
/// price, so that none is priced out while a route is open.
Scenario two_venue_scenario(int64_t near_servers, int64_t far_servers, double rate_per_hour,
                            double horizon_h, uint64_t seed) {
  Scenario s;
  s.name = "bridge_test";
  s.seed = seed;
  s.start = Date::from_ymd(2026, 1, 1);
  s.horizon = Duration::hours(horizon_h);
  s.tick = Duration::hours(1);
  s.indicators.daa_venue = "near";
  s.indicators.bridge_detail = true;
  VenueParams near;
  near.name = "near";
  near.kind = FixedVenueParams{near_servers, 1.0, 1.0};
  s.venues.push_back(near);
  VenueParams far;
  far.name = "far";
  far.kind = FixedVenueParams{far_servers, 1.0, 1.0};
  far.direct_access = false;
  s.venues.push_back(far);
  Segment jobs;
  jobs.name = "jobs";
  jobs.demand.arrivals.base_rate_per_hour = rate_per_hour;
  jobs.demand.width_pf = SizeDistribution::constant(1.0);
  jobs.demand.duration_h = SizeDistribution::exponential(1.0);
  jobs.demand.value_usd_per_pf_hour = 100.0;
  jobs.demand.value_of_time_usd_per_pf_hour_per_hour = 1.0;
  s.segments.push_back(jobs);
  BridgeParams link;
  link.name = "link";
  link.open = s.start;
  link.connects = {"far"};
  s.bridges.push_back(link);
  return s;
}

struct Run {
  RunTotals totals;
  MemoryRecorder recorder;

  double summary(const IndicatorDefinition& indicator) const {
    const std::optional<double> value = recorder.summary_value(indicator.name);
    EXPECT_TRUE(value.has_value()) << "no summary value " << indicator.name;
    return value.value_or(std::nan(""));
  }
  /// Sum over the rows of one column of a tick series.
  double column_total(const std::string& name, const std::string& column) const {
    const MemoryRecorder::Series* s = recorder.find_series("tick", name);
    EXPECT_NE(s, nullptr) << "no series " << name;
    if (s == nullptr) return std::nan("");
    const auto it = std::find(s->spec.columns.begin(), s->spec.columns.end(), column);
    EXPECT_NE(it, s->spec.columns.end()) << "no column " << column;
    const auto c = static_cast<size_t>(it - s->spec.columns.begin());
    double total = 0;
    for (size_t row = 0; row < s->rows(); ++row) total += s->at(row, c);
    return total;
  }
};

std::unique_ptr<Run> run(const Scenario& scenario) {
  auto result = std::make_unique<Run>();
  RunInfo info;
  info.seed = scenario.seed;
  result->recorder.begin(info);
  MarketModel model(scenario);
  result->totals = model.run(result->recorder);
  result->recorder.finish();
  return result;
}

/// The mean and standard error over seeds of treatment − control.
MeanAndError paired(const std::function<double(uint64_t)>& treatment,
                    const std::function<double(uint64_t)>& control) {
  std::vector<double> d;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) d.push_back(treatment(seed) - control(seed));
  return mean_and_error(d);
}

void expect_conserved(const Run& r) {
  const RunTotals& t = r.totals;
  EXPECT_EQ(t.jobs_generated, t.jobs_priced_out + t.jobs_completed + t.jobs_abandoned +
                                  t.jobs_waiting + t.jobs_in_service + t.jobs_in_transit);
  const double returned = r.summary(indicator::kBridgeReturned);
  EXPECT_NEAR(t.bridge_volume_pfh, t.bridge_delivered_pfh + t.bridge_in_flight_pfh + returned,
              1e-9 * std::max(1.0, t.bridge_volume_pfh));
  // The per-tick series add up to the run's totals.
  EXPECT_EQ(r.column_total("bridge_jobs_stranded", "link"),
            r.summary(indicator::kBridgeJobsStranded));
  EXPECT_EQ(r.column_total("bridge_jobs_rerouted", "link"),
            r.summary(indicator::kBridgeJobsRerouted));
  EXPECT_NEAR(r.column_total("bridge_stranded_job_h", "link"),
              r.summary(indicator::kBridgeStrandedJobHours),
              1e-9 * std::max(1.0, r.summary(indicator::kBridgeStrandedJobHours)));
  EXPECT_NEAR(r.column_total("bridge_down", "link"), r.summary(indicator::kBridgeDowntime),
              1e-6 * std::max(1.0, r.summary(indicator::kBridgeDowntime)));
}

// --- The capacity a bridge adds ----------------------------------------------------------

Scenario with_bridge_closed(Scenario s) {
  s.bridges[0].open = Date::from_days(s.start.days_since_epoch() + 3650);
  return s;
}

double public_chain_served(const Scenario& s) {
  return run(s)->summary(indicator::kPublicChainServed);
}

// Demand of 4 PF against 2 PF of direct capacity: the bridge-only venue's 4 PF bind, and
// opening the bridge serves more public-chain work.
TEST(BridgeReach, OpeningABridgeToABridgeOnlyVenueRaisesWorkServedWhenCapacityBinds) {
  auto open = [](uint64_t seed) { return two_venue_scenario(2, 4, 4.0, 300.0, seed); };
  const MeanAndError d =
      paired([&](uint64_t seed) { return public_chain_served(open(seed)); },
             [&](uint64_t seed) { return public_chain_served(with_bridge_closed(open(seed))); });
  EXPECT_GT(d.mean, 3.0 * d.standard_error) << d.mean << " ± " << d.standard_error;
  // The direct venue alone serves at most its 2 PF; the bridge adds up to the far venue's 4.
  EXPECT_GT(d.mean, 0.25 * 2.0 * 300.0) << d.mean;
  // And the output says what the bridge adds: the far venue's 4 PF, at every tick.
  const auto r = run(open(1));
  const MemoryRecorder::Series* added = r->recorder.find_series("tick", "bridge_added_capacity_pf");
  ASSERT_NE(added, nullptr);
  for (size_t row = 0; row < added->rows(); ++row) EXPECT_EQ(added->at(row, 0), 4.0) << row;
  const auto closed = run(with_bridge_closed(open(1)));
  EXPECT_EQ(closed->column_total("bridge_added_capacity_pf", "link"), 0.0);
}

// Demand of 0.5 PF against 2 PF of direct capacity: the bridge changes where jobs run but not
// how much work is served; the paired difference is within noise.
TEST(BridgeReach, OpeningABridgeChangesNothingServedWhenCapacityDoesNotBind) {
  auto open = [](uint64_t seed) { return two_venue_scenario(2, 4, 0.5, 300.0, seed); };
  const MeanAndError d =
      paired([&](uint64_t seed) { return public_chain_served(open(seed)); },
             [&](uint64_t seed) { return public_chain_served(with_bridge_closed(open(seed))); });
  const double level = public_chain_served(open(1));
  // Within 3 standard errors of 0, or below 2 % of the work served (the jobs still running
  // at the horizon differ between the runs even when capacity never binds).
  EXPECT_TRUE(std::abs(d.mean) <= 3.0 * d.standard_error || std::abs(d.mean) < 0.02 * level)
      << d.mean << " ± " << d.standard_error << " of " << level;
}

// --- Outages -----------------------------------------------------------------------------

Scenario with_outages(Scenario s, double rate_per_year, Duration mean,
                      BridgeOutageParams::Policy policy) {
  s.bridges[0].outages.rate_per_year = rate_per_year;
  s.bridges[0].outages.mean_duration = mean;
  s.bridges[0].outages.on_outage = policy;
  return s;
}

// An alternating renewal process with exponential up times (rate λ) and down times (mean
// m) is down a fraction λm / (1 + λm) of the time.
TEST(BridgeOutages, FractionOfTimeDownMatchesRateTimesMeanOverOnePlusRateTimesMean) {
  const double rate = 50.0;  // per year
  const Duration mean = Duration::days(2);
  const double lm = rate * mean.in_hours() / kHoursPerYear;
  const double expected = lm / (1.0 + lm);
  const double horizon_h = 5 * kHoursPerYear;
  std::vector<double> fractions;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Scenario s = with_outages(two_venue_scenario(2, 4, 0.01, horizon_h, seed), rate, mean,
                              BridgeOutageParams::Policy::Strand);
    s.tick = Duration::hours(24);
    fractions.push_back(run(s)->summary(indicator::kBridgeDowntime) / horizon_h);
  }
  const auto [m, se] = mean_and_error(fractions);
  EXPECT_NEAR(m, expected, 3.0 * se) << "mean " << m << " ± " << se << ", theory " << expected;
  EXPECT_GT(se, 0.0);
}

constexpr double kOutageRate = 100.0;  // per year; with a 1-day mean, down ~21 % of the time

Scenario outage_scenario(uint64_t seed, BridgeOutageParams::Policy policy) {
  return with_outages(two_venue_scenario(2, 4, 4.0, 1000.0, seed), kOutageRate, Duration::days(1),
                      policy);
}
Scenario no_outage_scenario(uint64_t seed) { return two_venue_scenario(2, 4, 4.0, 1000.0, seed); }

TEST(BridgeOutages, ABridgeWithOutagesCarriesLessVolume) {
  const MeanAndError d = paired(
      [](uint64_t seed) {
        return run(outage_scenario(seed, BridgeOutageParams::Policy::Strand))
            ->totals.bridge_volume_pfh;
      },
      [](uint64_t seed) { return run(no_outage_scenario(seed))->totals.bridge_volume_pfh; });
  EXPECT_LT(d.mean, -3.0 * d.standard_error) << d.mean << " ± " << d.standard_error;
}

TEST(BridgeOutages, StrandingDelaysBridgedJobs) {
  const MeanAndError d = paired(
      [](uint64_t seed) {
        return run(outage_scenario(seed, BridgeOutageParams::Policy::Strand))
            ->summary(indicator::kBridgeMeanTransit);
      },
      [](uint64_t seed) {
        return run(no_outage_scenario(seed))->summary(indicator::kBridgeMeanTransit);
      });
  EXPECT_GT(d.mean, 3.0 * d.standard_error) << d.mean << " ± " << d.standard_error;
}

// With a 2 h transit a few jobs are on the bridge at each outage: rerouted, they and those
// reaching the bridge while it is down go to the direct venue; stranded, they wait for it.
// The direct venue has room (8 PF for 4 PF of demand), so that its line does not push the
// next ticks' jobs back onto the bridge.
TEST(BridgeOutages, ReroutingSendsJobsToOtherRoutes) {
  auto near_arrivals = [](uint64_t seed, BridgeOutageParams::Policy policy) {
    Scenario s = with_outages(two_venue_scenario(8, 4, 4.0, 1000.0, seed), kOutageRate,
                              Duration::days(1), policy);
    s.bridges[0].latency = Duration::hours(2);
    return run(s)->column_total("arrivals", "near");
  };
  const MeanAndError d = paired(
      [&](uint64_t seed) { return near_arrivals(seed, BridgeOutageParams::Policy::Reroute); },
      [&](uint64_t seed) { return near_arrivals(seed, BridgeOutageParams::Policy::Strand); });
  EXPECT_GT(d.mean, 3.0 * d.standard_error) << d.mean << " ± " << d.standard_error;
}

TEST(BridgeOutages, JobsAndBridgeWorkAreConservedUnderEitherPolicy) {
  for (const auto policy :
       {BridgeOutageParams::Policy::Strand, BridgeOutageParams::Policy::Reroute}) {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      const auto r = run(outage_scenario(seed, policy));
      expect_conserved(*r);
      if (policy == BridgeOutageParams::Policy::Strand) {
        EXPECT_GT(r->summary(indicator::kBridgeJobsStranded), 0.0);
        EXPECT_EQ(r->summary(indicator::kBridgeJobsRerouted), 0.0);
      } else {
        EXPECT_GT(r->summary(indicator::kBridgeJobsRerouted), 0.0);
        EXPECT_EQ(r->summary(indicator::kBridgeJobsStranded), 0.0);
      }
    }
  }
}

// One venue, reachable only over a bridge with a 48 h latency; jobs arrive during the first
// day only, and the bridge is paused for the second day: every job is on the bridge when the
// pause starts.
Scenario paused_scenario(BridgeOutageParams::Policy policy) {
  Scenario s = two_venue_scenario(2, 4, 2.0, 24.0 * 6, 7);
  s.venues.erase(s.venues.begin());
  s.indicators.daa_venue = "far";
  s.bridges[0].latency = Duration::hours(48);
  s.bridges[0].capacity_jobs_per_hour = 1e6;  // 3.6 ms per job: no queue at 2 jobs/h
  const Date day1 = Date::from_days(s.start.days_since_epoch() + 1);
  const Date day2 = Date::from_days(s.start.days_since_epoch() + 2);
  s.bridges[0].outages.pauses = {{day1, day2}};
  s.bridges[0].outages.on_outage = policy;
  auto quiet = std::make_shared<Scenario>(s);
  quiet->segments[0].demand.arrivals.base_rate_per_hour = 0.0;
  s.timeline.push_back({SimTime::start() + Duration::days(1), "quiet", quiet});
  return s;
}

TEST(BridgeOutages, AStrandedJobArrivesLaterByExactlyThePause) {
  const auto r = run(paused_scenario(BridgeOutageParams::Policy::Strand));
  const double jobs = static_cast<double>(r->totals.jobs_generated);
  ASSERT_GT(jobs, 10.0);
  EXPECT_EQ(r->summary(indicator::kBridgeDowntime), 24.0);
  EXPECT_EQ(r->summary(indicator::kBridgeJobsStranded), jobs);
  // Each job: 3.6 ms through the server, 48 h latency, 24 h stranded; tolerance 1 µs per job.
  EXPECT_NEAR(r->summary(indicator::kBridgeMeanTransit), 72.0 + 1e-6, 1e-9);
  EXPECT_NEAR(r->summary(indicator::kBridgeStrandedJobHours), 24.0 * jobs, 1e-6 * jobs);
  EXPECT_EQ(r->totals.jobs_completed, r->totals.jobs_generated);
  expect_conserved(*r);
}

// The same with reroute: every job goes back at the pause's start and is routed again at the
// tick that starts it, with the only route closed: all are priced out.
TEST(BridgeOutages, ARerouteOverNoOpenRoutePricesTheJobsOut) {
  const auto r = run(paused_scenario(BridgeOutageParams::Policy::Reroute));
  const double jobs = static_cast<double>(r->totals.jobs_generated);
  ASSERT_GT(jobs, 10.0);
  EXPECT_EQ(r->summary(indicator::kBridgeJobsRerouted), jobs);
  EXPECT_EQ(static_cast<double>(r->totals.jobs_priced_out), jobs);
  EXPECT_EQ(r->totals.bridge_delivered_pfh, 0.0);
  EXPECT_NEAR(r->summary(indicator::kBridgeReturned), r->totals.bridge_volume_pfh, 1e-9);
  expect_conserved(*r);
}

}  // namespace
}  // namespace gpumarket
