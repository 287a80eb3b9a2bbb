// Licences chosen by addresses in whole runs of tests/market/licence_scenario.yaml (one
// public-chain segment that reaches a cheap pool directly or pays more at a cloud):
// comparative statics one parameter at a time over replications with common random numbers
// (the sign of the mean paired difference, more than 3 standard errors from 0), and the
// invariants of a run: one licence state per address, the quota, and the licence money.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/market/indicators.hpp"
#include "gpumarket/market/market_model.hpp"
#include "support/statistics.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;
using testing::mean_and_error;
using testing::MeanAndError;

constexpr int kReplications = 8;

struct LicenceRun {
  RunTotals totals;
  MemoryRecorder recorder;
  std::vector<MarketModel::JobArrival> arrivals;

  double summary(const IndicatorDefinition& indicator) const {
    const std::optional<double> value = recorder.summary_value(indicator.name);
    EXPECT_TRUE(value.has_value()) << "no summary value " << indicator.name;
    return value.value_or(std::nan(""));
  }
  /// Column 0 (the one segment) of the tick series `name`, every row.
  std::vector<double> column(const std::string& name) const {
    const MemoryRecorder::Series* s = recorder.find_series("tick", name);
    EXPECT_NE(s, nullptr) << "no series " << name;
    std::vector<double> out;
    if (s == nullptr) return out;
    for (size_t row = 0; row < s->rows(); ++row) out.push_back(s->at(row, 0));
    return out;
  }
};

Scenario load(const std::vector<std::string>& overrides) {
  const std::string path =
      (fs::path(GPUMARKET_SOURCE_DIR) / "tests" / "market" / "licence_scenario.yaml").string();
  return load_scenario(path, overrides).scenario;
}

/// The scenario without its licence applications: only the licences held from the start.
Scenario without_applications(Scenario scenario) {
  std::get_if<AlliancePoolParams>(&scenario.venues[0].kind)->licensing.applications.reset();
  return scenario;
}

std::unique_ptr<LicenceRun> run_scenario(const Scenario& scenario, bool keep_arrivals = false) {
  auto r = std::make_unique<LicenceRun>();
  r->recorder.begin(RunInfo{});
  MarketModel model(scenario);
  if (keep_arrivals) {
    model.observe_arrivals(
        [&](const MarketModel::JobArrival& arrival) { r->arrivals.push_back(arrival); });
  }
  r->totals = model.run(r->recorder);
  r->recorder.finish();
  return r;
}

std::unique_ptr<LicenceRun> run(const std::vector<std::string>& overrides) {
  return run_scenario(load(overrides));
}

/// Over kReplications seeds, the paired differences `metric(changed) − metric(base)` of
/// runs that share each seed, for each metric.
template <size_t N, class Metrics>
std::array<MeanAndError, N> paired(const std::vector<std::string>& base,
                                   const std::vector<std::string>& changed,
                                   const Metrics& metrics) {
  std::array<std::vector<double>, N> d;
  for (int seed = 1; seed <= kReplications; ++seed) {
    std::vector<std::string> a = base, b = changed;
    a.push_back("seed=" + std::to_string(seed));
    b.push_back("seed=" + std::to_string(seed));
    const std::array<double, N> low = metrics(*run(a));
    const std::array<double, N> high = metrics(*run(b));
    for (size_t i = 0; i < N; ++i) d[i].push_back(high[i] - low[i]);
  }
  std::array<MeanAndError, N> out;
  for (size_t i = 0; i < N; ++i) out[i] = mean_and_error(d[i]);
  return out;
}

void print(const MeanAndError& d, const char* what) {
  std::cout << what << ": mean paired difference " << d.mean << " (standard error "
            << d.standard_error << ")\n";
}

void expect_below_zero(const MeanAndError& d, const char* what) {
  print(d, what);
  EXPECT_LT(d.mean + 3.0 * d.standard_error, 0.0)
      << what << ": mean " << d.mean << " se " << d.standard_error;
}
void expect_above_zero(const MeanAndError& d, const char* what) {
  print(d, what);
  EXPECT_GT(d.mean - 3.0 * d.standard_error, 0.0)
      << what << ": mean " << d.mean << " se " << d.standard_error;
}

// Licences granted and the pool's share of the (all public-chain) work served.
std::array<double, 2> licences_and_pool_share(const LicenceRun& r) {
  return {r.summary(indicator::kLicencesGranted), r.summary(indicator::kStateShare)};
}

TEST(LicenceOutcomes, AHigherFeeLicensesFewerAddressesAndLowersThePoolShare) {
  const auto [licences, share] =
      paired<2>({}, {"venues.alliance.licence_fee_usd=400"}, licences_and_pool_share);
  expect_below_zero(licences, "licences granted");
  expect_below_zero(share, "pool share of public-chain work");
}

TEST(LicenceOutcomes, AShorterApprovalDelayLicensesMoreAddressesAndRaisesThePoolShare) {
  const auto [licences, share] =
      paired<2>({}, {"venues.alliance.licence_delay=3d"}, licences_and_pool_share);
  expect_above_zero(licences, "licences granted");
  expect_above_zero(share, "pool share of public-chain work");
}

TEST(LicenceOutcomes, AHigherFxOrConversionSpreadLowersPoolUseByCryptoNativeJobs) {
  const auto [fx_licences, fx_share] =
      paired<2>({}, {"venues.alliance.fx_spread=0.1"}, licences_and_pool_share);
  expect_below_zero(fx_share, "pool share, FX spread 0 to 0.1");
  expect_below_zero(fx_licences, "licences granted, FX spread 0 to 0.1");
  const auto [conversion_licences, conversion_share] =
      paired<2>({}, {"venues.alliance.settlement_spread=0.12"}, licences_and_pool_share);
  expect_below_zero(conversion_share, "pool share, conversion spread 0.02 to 0.12");
}

// Every job's licence is its address's state at its arrival: per address, in order of
// arrival, unlicensed jobs and then licensed ones, never the reverse. With licences held from
// the start only, an address's jobs are all licensed or none.
TEST(LicenceOutcomes, AnAddressNeverHoldsALicenceForSomeJobsAndNotOthers) {
  for (const bool applications : {true, false}) {
    SCOPED_TRACE(applications ? "with applications" : "licences held from the start only");
    const Scenario scenario = load({"seed=5", "segments.crypto.licensed_share=0.3"});
    const auto r = run_scenario(applications ? scenario : without_applications(scenario), true);
    ASSERT_GT(r->arrivals.size(), 10'000u);
    std::map<uint64_t, std::vector<const MarketModel::JobArrival*>> by_address;
    for (const MarketModel::JobArrival& a : r->arrivals) by_address[a.address].push_back(&a);
    size_t licensed_addresses = 0, mixed = 0;
    for (auto& [address, jobs] : by_address) {
      std::stable_sort(jobs.begin(), jobs.end(),
                       [](const auto* x, const auto* y) { return x->at < y->at; });
      bool seen_licensed = false, any_unlicensed = false;
      for (const MarketModel::JobArrival* job : jobs) {
        EXPECT_FALSE(seen_licensed && !job->licensed)
            << "address " << address << " lost its licence at " << job->at.in_hours() << " h";
        seen_licensed = seen_licensed || job->licensed;
        any_unlicensed = any_unlicensed || !job->licensed;
      }
      licensed_addresses += seen_licensed ? 1 : 0;
      mixed += seen_licensed && any_unlicensed ? 1 : 0;
    }
    EXPECT_GT(licensed_addresses, 40u);
    if (applications) {
      EXPECT_GT(mixed, 0u) << "some addresses are licensed during the run";
    } else {
      EXPECT_EQ(mixed, 0u);
    }
  }
}

// With every application reviewed at once (constant delay 0) and a quota of 2 per week, the
// approvals of each week are at most 2, and exactly 2 in every week that ends with
// applications still waiting.
TEST(LicenceOutcomes, TheQuotaCapsApprovalsPerPeriodExactly) {
  const auto r = run({"seed=2", "venues.alliance.licence_delay=0h",
                      "venues.alliance.licence_applications.delay_distribution=constant",
                      "venues.alliance.licence_quota={approvals: 2, per: 7d}"});
  const std::vector<double> approvals = r->column("licence_approvals");
  const std::vector<double> queue = r->column("licence_queue_length");
  ASSERT_EQ(approvals.size(), 60u * 24u);  // hourly ticks: row i is hour [i, i + 1)
  size_t saturated_weeks = 0;
  for (size_t week = 0; week * 168 < approvals.size(); ++week) {
    double granted = 0;
    const size_t end = std::min(approvals.size(), (week + 1) * 168);
    for (size_t row = week * 168; row < end; ++row) granted += approvals[row];
    EXPECT_LE(granted, 2.0) << "week " << week;
    if (end == (week + 1) * 168 && queue[end - 1] > 0) {
      EXPECT_EQ(granted, 2.0) << "week " << week;
      ++saturated_weeks;
    }
  }
  EXPECT_GE(saturated_weeks, 5u) << "the quota binds in this scenario";
}

// Licence money = (fee + compliance over the horizon) × licences granted, and the ledger
// balances with the licences in it (relative 1e-12).
TEST(LicenceOutcomes, LicenceMoneyIsTheLicenceCostTimesTheLicencesGranted) {
  const auto r = run({"seed=4"});
  const double granted = r->summary(indicator::kLicencesGranted);
  ASSERT_GT(granted, 5.0);
  const double cost = 200.0 + 100.0 * 90.0 / 365.0;
  const double money = r->summary(indicator::kMoneyLicenceFees);
  EXPECT_NEAR(money, cost * granted, 1e-12 * money);
  const double paid = r->summary(indicator::kMoneyPaid);
  EXPECT_NEAR(paid, r->summary(indicator::kMoneyReceived) + r->summary(indicator::kMoneyFees),
              1e-12 * paid);
  const std::vector<double> share = r->column("licensed_address_share");
  EXPECT_DOUBLE_EQ(share.back() * 200.0, granted);
  EXPECT_LE(granted, r->summary(indicator::kLicenceApplications));
}

// Under the tokenized-access ban the direct token route is closed; the accepted relay takes
// licensed jobs to the pool only if it proves their work and the pool accepts ZK-verified work.
TEST(LicenceOutcomes, UnderTheBanOnlyProvenBridgedWorkReachesThePool) {
  const std::vector<std::string> banned = {"seed=3", "venues.alliance.ban_tokenized_access=true",
                                           "bridges.relay.alliance_accepts=true"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), banned.begin(), banned.end());
    return run(extra)->summary(indicator::kStateShare);
  };
  EXPECT_GT(run({"seed=3"})->summary(indicator::kStateShare), 0.1) << "no ban: direct access";
  EXPECT_EQ(with({}), 0.0) << "the relay does not prove";
  EXPECT_GT(with({"bridges.relay.proof_overhead=0.01"}), 0.1) << "a proving relay";
  EXPECT_EQ(
      with({"bridges.relay.proof_overhead=0.01", "venues.alliance.accepts_zk_bridged_work=false"}),
      0.0)
      << "the pool takes no bridged work";
}

// Under the ban enforced by detection (ban_evasion), licensed jobs may pay by the token route
// and risk being caught: refused, and their address's licence revoked. No detection gives
// the pool the work an unbanned pool gets (the route is then free to take); certain
// detection makes the route cost more than the job's value, so no job takes it and the pool
// gets what the strict ban gives it.
TEST(LicenceOutcomes, EvadingTheBanTakesWorkToThePoolLessAsDetectionRises) {
  const std::vector<std::string> banned = {"venues.alliance.ban_tokenized_access=true"};
  const auto with = [&](const std::string& detection) {
    std::vector<std::string> o = banned;
    o.push_back("venues.alliance.ban_evasion={detection_probability: " + detection + "}");
    return o;
  };
  const auto evasion = [](const LicenceRun& r) {
    return std::array<double, 3>{r.summary(indicator::kStateShare),
                                 r.summary(indicator::kJobsCaughtEvading),
                                 r.summary(indicator::kLicencesRevoked)};
  };
  // A caught job loses its licence, worth ~$225 here against a job worth ~$2: detection
  // deters from a few in a thousand on.
  const auto [share, caught, revoked] = paired<3>(with("0.001"), with("0.003"), evasion);
  expect_below_zero(share, "pool share, detection 0.001 to 0.003");
  const auto [share_free, caught_free, revoked_free] = paired<3>(with("0"), with("0.001"), evasion);
  expect_below_zero(share_free, "pool share, detection 0 to 0.001");
  expect_above_zero(caught_free, "jobs caught, detection 0 to 0.001");
  expect_above_zero(revoked_free, "licences revoked, detection 0 to 0.001");

  const std::unique_ptr<LicenceRun> free = run(with("0"));
  EXPECT_EQ(free->summary(indicator::kJobsCaughtEvading), 0.0);
  EXPECT_EQ(free->summary(indicator::kStateShare),
            run({"venues.alliance.ban_tokenized_access=false"})->summary(indicator::kStateShare))
      << "undetected evasion is the unbanned token route";
  const std::unique_ptr<LicenceRun> certain = run(with("1"));
  EXPECT_EQ(certain->summary(indicator::kJobsCaughtEvading), 0.0) << "certain detection deters";
  EXPECT_EQ(certain->summary(indicator::kStateShare), 0.0);
  const std::unique_ptr<LicenceRun> some = run(with("0.001"));
  // Each caught job's address loses its licence (at most once), so a revoked address's later
  // jobs are unlicensed and cannot try again.
  EXPECT_GT(some->summary(indicator::kLicencesRevoked), 0.0);
  EXPECT_LE(some->summary(indicator::kLicencesRevoked),
            some->summary(indicator::kJobsCaughtEvading));
  EXPECT_EQ(
      some->summary(indicator::kLicensedAddresses),
      some->summary(indicator::kLicencesGranted) - some->summary(indicator::kLicencesRevoked));
  EXPECT_EQ(some->totals.jobs_generated,
            some->totals.jobs_priced_out + some->totals.jobs_completed +
                some->totals.jobs_abandoned + some->totals.jobs_waiting +
                some->totals.jobs_in_service + some->totals.jobs_in_transit +
                some->totals.jobs_in_proof);
}

TEST(LicenceOutcomes, TheAccessCostCarriesTheAmortisedLicenceAndTheSeriesNeedApplications) {
  const auto r = run({"seed=1"});
  EXPECT_GT(r->summary(indicator::kAccessCostIndex), r->summary(indicator::kFeeIndex))
      << "licensed jobs' amortised licence cost is part of their cost of access";
  const auto plain = run_scenario(without_applications(load({"seed=1"})));
  EXPECT_EQ(plain->recorder.find_series("tick", "licence_approvals"), nullptr);
  EXPECT_EQ(plain->summary(indicator::kLicenceApplications), 0.0);
  EXPECT_EQ(plain->summary(indicator::kAccessCostIndex), plain->summary(indicator::kFeeIndex))
      << "without applications no route carries a licence cost";
}

}  // namespace
}  // namespace gpumarket
