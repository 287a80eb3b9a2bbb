// The pool's licence and settlement keys (licence_fee_usd, licence_delay, ban_tokenized_access,
// accepts_zk_bridged_work, settlement_spread, fx_spread, settlement_delay, licence_applications,
// licence_quota): decoded with their defaults, and each bad value reported at its location with
// what was expected.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "support/scenario_text.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::TempDir;

// A pool with every licence and settlement key; the cases below edit it and name its lines.
const std::string kLicensing =
    "name: licensing\n"                                       // 1
    "start: 2026-01-01\n"                                     // 2
    "horizon: 200h\n"                                         // 3
    "venues:\n"                                               // 4
    "  - name: alliance\n"                                    // 5
    "    kind: pool\n"                                        // 6
    "    licence_fee_usd: 300\n"                              // 7
    "    licence_delay: 5d\n"                                 // 8
    "    ban_tokenized_access: true\n"                        // 9
    "    accepts_zk_bridged_work: false\n"                    // 10
    "    settlement_spread: 0.03\n"                           // 11
    "    fx_spread: 0.005\n"                                  // 12
    "    settlement_delay: 2d\n"                              // 13
    "    licence_applications:\n"                             // 14
    "      planning_interval: 12h\n"                          // 15
    "      planning_horizon: 180d\n"                          // 16
    "      compliance_usd_per_year: 1000\n"                   // 17
    "      delay_distribution: constant\n"                    // 18
    "    licence_quota: {approvals: 4, per: 7d}\n"            // 19
    "segments:\n"                                             // 20
    "  - name: jobs\n"                                        // 21
    "    origin: sovereign\n"                                 // 22
    "    arrival_rate_per_hour: 2\n"                          // 23
    "    duration: {distribution: exponential, mean: 1h}\n";  // 24

std::string replaced(const std::string& from, const std::string& to) {
  return testing::edited_text(kLicensing, from, to);
}

const LicensingParams& licensing_of(const LoadedScenario& loaded) {
  return loaded.scenario.venues[0].as<AlliancePoolParams>()->licensing;
}

TEST(LicensingLoader, DecodesEveryKey) {
  TempDir dir;
  const LoadedScenario loaded = load_scenario(dir.write("main.yaml", kLicensing));
  const LicensingParams& l = licensing_of(loaded);
  EXPECT_DOUBLE_EQ(l.licence_fee_usd, 300.0);
  EXPECT_EQ(l.licence_delay, Duration::days(5));
  EXPECT_TRUE(l.ban_tokenized_access);
  EXPECT_FALSE(l.accepts_zk_bridged_work);
  EXPECT_DOUBLE_EQ(l.settlement_spread, 0.03);
  EXPECT_DOUBLE_EQ(l.fx_spread, 0.005);
  EXPECT_EQ(l.settlement_delay, Duration::days(2));
  ASSERT_TRUE(l.applications.has_value());
  EXPECT_EQ(l.applications->planning_interval, Duration::hours(12));
  EXPECT_EQ(l.applications->planning_horizon, Duration::days(180));
  EXPECT_DOUBLE_EQ(l.applications->compliance_usd_per_year, 1000.0);
  EXPECT_EQ(l.applications->delay_distribution,
            LicenceApplicationParams::DelayDistribution::Constant);
  EXPECT_EQ(l.quota.approvals, 4);
  EXPECT_EQ(l.quota.per, Duration::days(7));
}

TEST(LicensingLoader, WithoutTheNewKeysNoAddressAppliesAndSettlementCostsNothingExtra) {
  TempDir dir;
  std::string text = kLicensing;
  const size_t from = text.find("    accepts_zk_bridged_work");
  text.erase(from, text.find("    settlement_spread") - from);
  const size_t fx = text.find("    fx_spread");
  text.erase(fx, text.find("segments:") - fx);
  const LoadedScenario loaded = load_scenario(dir.write("main.yaml", text));
  const LicensingParams& l = licensing_of(loaded);
  EXPECT_TRUE(l.accepts_zk_bridged_work);
  EXPECT_DOUBLE_EQ(l.fx_spread, 0.0);
  EXPECT_EQ(l.settlement_delay, Duration());
  EXPECT_FALSE(l.applications.has_value());
  EXPECT_FALSE(l.quota.limits());
}

TEST(LicensingLoader, AnApplicationsBlockOfDefaultsPlansDailyOverAYear) {
  TempDir dir;
  std::string text = kLicensing;
  const size_t from = text.find("      planning_interval");
  text.erase(from, text.find("    licence_quota") - from);
  text =
      testing::edited_text(text, "    licence_applications:\n", "    licence_applications: {}\n");
  const LoadedScenario loaded = load_scenario(dir.write("main.yaml", text));
  const LicensingParams& l = licensing_of(loaded);
  ASSERT_TRUE(l.applications.has_value());
  EXPECT_EQ(l.applications->planning_interval, Duration::days(1));
  EXPECT_EQ(l.applications->planning_horizon, Duration::days(365));
  EXPECT_DOUBLE_EQ(l.applications->compliance_usd_per_year, 0.0);
  EXPECT_EQ(l.applications->delay_distribution,
            LicenceApplicationParams::DelayDistribution::Exponential);
}

TEST(LicensingLoader, ReportsEachBadValueWithItsLocation) {
  const std::vector<testing::BadCase> cases = {
      {"negative licence delay", replaced("licence_delay: 5d", "licence_delay: -5d"),
       "main.yaml:8:20", "venues[0].licence_delay: expected a duration"},
      {"negative fee", replaced("licence_fee_usd: 300", "licence_fee_usd: -1"), "main.yaml:7:22",
       "venues[0].licence_fee_usd: expected a non-negative number, got -1"},
      {"conversion spread of 1", replaced("settlement_spread: 0.03", "settlement_spread: 1"),
       "main.yaml:11:24", "venues[0].settlement_spread: expected a fraction in [0, 1)"},
      {"negative FX spread", replaced("fx_spread: 0.005", "fx_spread: -0.01"), "main.yaml:12:16",
       "venues[0].fx_spread: expected a fraction between 0 and 1, got -0.01"},
      {"FX spread of 1", replaced("fx_spread: 0.005", "fx_spread: 1.0"), "main.yaml:12:16",
       "venues[0].fx_spread: expected a fraction in [0, 1)"},
      {"negative settlement delay", replaced("settlement_delay: 2d", "settlement_delay: -2d"),
       "main.yaml:13:23", "venues[0].settlement_delay: expected a duration"},
      {"zero planning horizon", replaced("planning_horizon: 180d", "planning_horizon: 0h"),
       "main.yaml:16:25",
       "venues[0].licence_applications.planning_horizon: expected a positive duration"},
      {"negative planning interval", replaced("planning_interval: 12h", "planning_interval: -1d"),
       "main.yaml:15:26", "venues[0].licence_applications.planning_interval: expected a duration"},
      {"negative compliance cost",
       replaced("compliance_usd_per_year: 1000", "compliance_usd_per_year: -3"), "main.yaml:17:32",
       "venues[0].licence_applications.compliance_usd_per_year: expected a non-negative number"},
      {"unknown delay distribution",
       replaced("delay_distribution: constant", "delay_distribution: gamma"), "main.yaml:18:27",
       "venues[0].licence_applications.delay_distribution: expected one of exponential, constant, "
       "got 'gamma'"},
      {"quota below zero", replaced("approvals: 4", "approvals: -1"), "main.yaml:19:32",
       "venues[0].licence_quota.approvals: expected a non-negative"},
      {"quota period of zero", replaced("per: 7d", "per: 0h"), "main.yaml:19:40",
       "venues[0].licence_quota.per: expected a positive duration"},
      {"quota without a count", replaced("{approvals: 4, per: 7d}", "{per: 7d}"), "main.yaml:19:20",
       "venues[0].licence_quota: missing required key 'approvals'"},
      {"unknown application key", replaced("planning_horizon: 180d", "planing_horizon: 180d"),
       "main.yaml:16:7", "unknown key 'planing_horizon'; did you mean 'planning_horizon'?"},
      {"detection probability above 1",
       replaced("fx_spread: 0.005\n",
                "fx_spread: 0.005\n    ban_evasion: {detection_probability: 1.5}\n"),
       "main.yaml:13:42",
       "venues[0].ban_evasion.detection_probability: expected a fraction between 0 and 1, got 1.5"},
      {"evasion without a probability",
       replaced("fx_spread: 0.005\n", "fx_spread: 0.005\n    ban_evasion: {}\n"), "main.yaml:13:18",
       "venues[0].ban_evasion: missing required key 'detection_probability'"},
      {"quota without applications",
       replaced("    licence_applications:\n      planning_interval: 12h\n      planning_horizon: "
                "180d\n      compliance_usd_per_year: 1000\n      delay_distribution: constant\n",
                ""),
       "main.yaml:14:20",
       "venues[0].licence_quota: a quota limits the approvals of applications: expected a "
       "'licence_applications' block beside it"},
  };
  testing::expect_bad_cases(cases);
}

std::vector<std::string> warnings_of(const std::string& text) {
  TempDir dir;
  std::vector<std::string> out;
  for (const Warning& w : load_scenario(dir.write("main.yaml", text)).warnings) {
    const std::string line = w.to_string();
    const size_t file = line.find("main.yaml:");
    out.push_back(file == std::string::npos ? line : line.substr(file));
  }
  return out;
}

// Under the ban an accepted bridge must prove its jobs, and the pool must take ZK-verified work.
TEST(LicensingLoader, WarnsOfAnAcceptedBridgeWhoseWorkThePoolRefusesUnderTheBan) {
  const std::string bridge =
      "indicators: {bridge_split: 2026-01-05}\n"  // 19: inside the run
      "bridges:\n"                                // 20
      "  - name: relay\n"                         // 21
      "    connects: [alliance]\n"                // 22
      "    alliance_accepts: true\n"              // 23
      "    proof_overhead: 0.01\n"                // 24
      "segments:\n";                              // 25
  const std::string proving = testing::edited_text(
      replaced("    licence_quota: {approvals: 4, per: 7d}\n", ""), "segments:\n", bridge);
  const std::string accepting = testing::edited_text(proving, "accepts_zk_bridged_work: false",
                                                     "accepts_zk_bridged_work: true");
  EXPECT_TRUE(warnings_of(accepting).empty()) << ::testing::PrintToString(warnings_of(accepting));
  const std::vector<std::string> refused = warnings_of(proving);
  ASSERT_EQ(refused.size(), 1u) << ::testing::PrintToString(refused);
  EXPECT_EQ(refused[0],
            "main.yaml:23:23: warning: bridges[0].alliance_accepts: bridge 'relay' has "
            "alliance_accepts, but pool 'alliance' bans tokenized access and does not accept "
            "ZK-verified bridged work: the pool refuses its work");
  const std::vector<std::string> unproven =
      warnings_of(testing::edited_text(accepting, "    proof_overhead: 0.01\n", ""));
  ASSERT_EQ(unproven.size(), 1u) << ::testing::PrintToString(unproven);
  EXPECT_NE(unproven[0].find("the bridge does not prove its jobs: the pool refuses its work"),
            std::string::npos)
      << unproven[0];
}

// A setting warned of when it has no effect in any state of the run: a timeline step that
// lets the work in later gives it an effect, so no warning.
TEST(LicensingLoader, WarnsOfNoRouteToThePoolOnlyWhenNoTimelineStateOpensOne) {
  const std::string unreachable = testing::edited_text(
      replaced("    licence_quota: {approvals: 4, per: 7d}\n", ""), "segments:\n",
      "bridges:\n"
      "  - name: relay\n"
      "    connects: [alliance]\n"
      "    proof_overhead: 0.01\n"
      "segments:\n"
      "  - name: crypto\n"
      "    origin: public_chain\n"
      "    licensed_share: 0.5\n"
      "    arrival_rate_per_hour: 2\n"
      "    duration: {distribution: exponential, mean: 1h}\n");
  const auto no_route = [](const std::vector<std::string>& warnings) {
    return std::count_if(warnings.begin(), warnings.end(), [](const std::string& w) {
      return w.find("they have no route to the pool") != std::string::npos;
    });
  };
  EXPECT_EQ(no_route(warnings_of(unreachable)), 1)
      << ::testing::PrintToString(warnings_of(unreachable));
  const std::string opened =
      unreachable +
      "timeline:\n  - {date: 2026-01-03, set: {bridges.relay.alliance_accepts: true, "
      "venues.alliance.accepts_zk_bridged_work: true}}\n";
  EXPECT_EQ(no_route(warnings_of(opened)), 0) << ::testing::PrintToString(warnings_of(opened));
  const std::string unrelated =
      unreachable +
      "timeline:\n  - {date: 2026-01-03, set: {venues.alliance.licence_fee_usd: 10}}\n";
  EXPECT_EQ(no_route(warnings_of(unrelated)), 1)
      << ::testing::PrintToString(warnings_of(unrelated));
}

// Evasion is of a ban: with tokenized access allowed the detection probability does nothing.
TEST(LicensingLoader, DecodesTheBansDetectionAndWarnsWhenThereIsNoBanToEvade) {
  TempDir dir;
  const std::string evading = replaced(
      "fx_spread: 0.005\n", "fx_spread: 0.005\n    ban_evasion: {detection_probability: 0.01}\n");
  const LoadedScenario loaded = load_scenario(dir.write("main.yaml", evading));
  EXPECT_EQ(licensing_of(loaded).ban_detection_probability, 0.01);
  EXPECT_TRUE(warnings_of(evading).empty()) << ::testing::PrintToString(warnings_of(evading));
  const std::vector<std::string> unbanned = warnings_of(
      testing::edited_text(evading, "ban_tokenized_access: true", "ban_tokenized_access: false"));
  ASSERT_EQ(unbanned.size(), 1u) << ::testing::PrintToString(unbanned);
  EXPECT_EQ(unbanned[0],
            "main.yaml:13:18: warning: venues[0].ban_evasion: pool 'alliance' does not ban "
            "tokenized access: there is no ban to evade, and the detection probability has no "
            "effect");
  EXPECT_FALSE(licensing_of(load_scenario(dir.write("plain.yaml", kLicensing)))
                   .ban_detection_probability.has_value());
}

}  // namespace
}  // namespace gpumarket
