// The licence office on its own: the Zipf threshold against a brute-force count, the quota
// against a count of approvals per period, first come first served, and licences that never
// lapse once held.
#include "gpumarket/market/licence_office.hpp"

#include <gtest/gtest.h>

#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <map>
#include <vector>

#include "gpumarket/core/random.hpp"

namespace gpumarket {
namespace {

double zipf_normaliser(double exponent, int64_t count) {
  double z = 0;
  for (int64_t k = 0; k < count; ++k) z += std::pow(static_cast<double>(k + 1), -exponent);
  return z;
}

// Counts the ranks one by one: the first rank at or below the threshold ends the prefix.
int64_t brute_force_ranks(double threshold, double exponent, double normaliser, int64_t count) {
  int64_t k = 0;
  while (k < count && std::pow(static_cast<double>(k + 1), -exponent) / normaliser > threshold) {
    ++k;
  }
  return k;
}

TEST(RanksAbove, MatchesABruteForceCountOfTheZipfProbabilities) {
  RandomEngine engine = make_stream(7, "test/licences");
  boost::random::uniform_01<double> uniform;
  for (int i = 0; i < 2000; ++i) {
    const double exponent = i % 10 == 0 ? 0.0 : 2.0 * uniform(engine);
    const auto count = static_cast<int64_t>(1 + 500 * uniform(engine));
    const double z = zipf_normaliser(exponent, count);
    // Thresholds spread over the range of probabilities, and beyond it on both sides.
    const double threshold = std::exp(std::log(1.0 / z) + 8.0 * (uniform(engine) - 0.9));
    EXPECT_EQ(ranks_above(threshold, exponent, z, count),
              brute_force_ranks(threshold, exponent, z, count))
        << "threshold " << threshold << " exponent " << exponent << " count " << count;
  }
  EXPECT_EQ(ranks_above(0.0, 1.0, 5.0, 40), 40) << "a free licence pays for every address";
}

SimTime at_hours(double h) { return SimTime::start() + Duration::hours(h); }

TEST(LicenceOffice, AQuotaCapsApprovalsInEveryPeriodAndFillsItWhileApplicationsWait) {
  LicenceOffice office({{0, 100}});
  const LicenceQuota quota{3, Duration::days(7)};
  // 40 applications on day 0 with review times of up to 10 days.
  RandomEngine engine = make_stream(3, "test/licences");
  boost::random::uniform_01<double> uniform;
  office.apply_ranks_below(0, 40, SimTime::start(),
                           [&](uint64_t) { return Duration::hours(240.0 * uniform(engine)); });
  std::vector<LicenceGrant> granted;
  for (int hour = 1; hour <= 24 * 7 * 20; ++hour)
    office.grant_until(at_hours(hour), quota, granted);
  ASSERT_EQ(granted.size(), 40u);
  std::map<int64_t, int> per_period;
  for (size_t i = 0; i < granted.size(); ++i) {
    per_period[granted[i].at.count_micros() / quota.per.count_micros()] += 1;
    if (i > 0) {
      EXPECT_GE(granted[i].at, granted[i - 1].at) << "first come, first served";
    }
  }
  // Every application is reviewed by day 10, so from period 1 on the line never empties
  // before the 40th approval: each period but the last grants exactly the quota.
  const int64_t last = per_period.rbegin()->first;
  for (const auto& [period, approvals] : per_period) {
    EXPECT_LE(approvals, quota.approvals) << "period " << period;
    if (period >= 1 && period < last) {
      EXPECT_EQ(approvals, quota.approvals) << "period " << period;
    }
  }
  EXPECT_EQ(office.pending(0), 0u);
  EXPECT_EQ(office.licensed(0), 40u);
}

TEST(LicenceOffice, ApprovalIsTheReviewWithoutAQuotaAndALicenceNeverLapses) {
  LicenceOffice office({{10, 5}, {15, 5}});
  office.apply_ranks_below(1, 2, at_hours(3), [](uint64_t address) {
    return Duration::hours(address == 15 ? 30.0 : 10.0);
  });
  std::vector<LicenceGrant> granted;
  office.grant_until(at_hours(20), LicenceQuota{}, granted);
  ASSERT_EQ(granted.size(), 1u);
  EXPECT_EQ(granted[0].at, at_hours(13));
  EXPECT_FALSE(office.holds(16, at_hours(12.9)));
  EXPECT_TRUE(office.holds(16, at_hours(13)));
  EXPECT_FALSE(office.holds(15, at_hours(20)));
  office.grant_until(at_hours(40), LicenceQuota{}, granted);
  ASSERT_EQ(granted.size(), 2u);
  EXPECT_EQ(granted[1].at, at_hours(33));
  EXPECT_TRUE(office.holds(15, at_hours(1e5)));
  // Considered ranks are not considered again: nothing new applies.
  office.apply_ranks_below(1, 2, at_hours(50), [](uint64_t) { return Duration(); });
  EXPECT_EQ(office.applications(1), 2u);
}

TEST(LicenceOffice, StartLicencesHoldFromTheStartAreNotGrantedAndTheirHoldersDoNotApply) {
  LicenceOffice office({{0, 4}});
  office.license_at_start(0, {true, false, true, false});
  EXPECT_TRUE(office.holds(0, SimTime::start()));
  EXPECT_FALSE(office.holds(1, at_hours(1e5)));
  EXPECT_EQ(office.licensed(0), 2u);
  std::vector<LicenceGrant> granted;
  office.grant_until(at_hours(50), LicenceQuota{}, granted);
  EXPECT_TRUE(granted.empty()) << "granted, and paid, before the run";
  office.apply_ranks_below(0, 4, at_hours(50), [](uint64_t) { return Duration(); });
  EXPECT_EQ(office.applications(0), 2u) << "only the unlicensed apply";
  office.grant_until(at_hours(51), LicenceQuota{}, granted);
  EXPECT_EQ(granted.size(), 2u);
  EXPECT_EQ(office.granted(0), 2u);
  EXPECT_EQ(office.licensed(0), 4u);
}

TEST(LicenceOffice, ExpectedWaitIsTheQuotaBacklogWhenLongerThanTheReview) {
  LicenceOffice office({{0, 100}});
  const LicenceQuota quota{2, Duration::days(10)};
  EXPECT_EQ(office.expected_wait(Duration::days(3), LicenceQuota{}), Duration::days(3));
  EXPECT_EQ(office.expected_wait(Duration::days(3), quota), Duration::days(3));
  office.apply_ranks_below(0, 8, SimTime::start(), [](uint64_t) { return Duration::days(1); });
  // 8 waiting at 2 per 10 days: 40 days.
  EXPECT_EQ(office.expected_wait(Duration::days(3), quota), Duration::days(40));
}

}  // namespace
}  // namespace gpumarket
