// The pool's operation keys (price_rule, utilisation_target, congestion_latency,
// subsidy_budget, research_grants) and the segment key uses_open_source_models: decoded with
// their defaults, settable by --set and timeline steps, and each bad value reported at its
// location with what was expected.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "support/scenario_text.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::load_error;
using testing::TempDir;

// A pool with every operation key; the cases below edit it and name its lines.
const std::string kPool =
    "name: pool\n"                                                                           // 1
    "start: 2026-01-01\n"                                                                    // 2
    "end: 2027-01-01\n"                                                                      // 3
    "venues:\n"                                                                              // 4
    "  - name: alliance\n"                                                                   // 5
    "    kind: pool\n"                                                                       // 6
    "    price_rule: utilisation_target\n"                                                   // 7
    "    utilisation_target: {target_utilisation: 0.6, adjustment: 0.1, min_factor: 0.5}\n"  // 8
    "    congestion_latency: {scale: 2h, max: 12h}\n"                                        // 9
    "    subsidy_budget: services\n"                                                         // 10
    "    research_grants: {from: 2026-02-01, to: 2026-12-31, lag: 30d, effect: 0.3}\n"       // 11
    "segments:\n"                                                                            // 12
    "  - name: jobs\n"                                                                       // 13
    "    arrival_rate_per_hour: 2\n"                                                         // 14
    "    uses_open_source_models: true\n";                                                   // 15

std::string replaced(const std::string& from, const std::string& to) {
  return testing::edited_text(kPool, from, to);
}

const AlliancePoolParams& pool_of(const Scenario& s) {
  const AlliancePoolParams* p = s.venues[0].as<AlliancePoolParams>();
  EXPECT_NE(p, nullptr);
  return *p;
}

TEST(PoolOperationLoader, DecodesEveryKey) {
  TempDir dir;
  const LoadedScenario loaded = load_scenario(dir.write("main.yaml", kPool));
  const AlliancePoolParams& p = pool_of(loaded.scenario);
  EXPECT_EQ(p.price_rule, PoolPriceRule::UtilisationTarget);
  EXPECT_DOUBLE_EQ(p.utilisation_target.target_utilisation, 0.6);
  EXPECT_DOUBLE_EQ(p.utilisation_target.adjustment, 0.1);
  EXPECT_DOUBLE_EQ(p.utilisation_target.min_factor, 0.5);
  EXPECT_DOUBLE_EQ(p.utilisation_target.max_factor, 4.0);
  EXPECT_EQ(p.congestion_latency.scale, Duration::hours(2));
  EXPECT_EQ(p.congestion_latency.max, Duration::hours(12));
  EXPECT_EQ(p.subsidy_budget, "services");
  ASSERT_TRUE(p.research_grants.has_value());
  EXPECT_EQ(p.research_grants->from, Date::from_ymd(2026, 2, 1));
  EXPECT_EQ(p.research_grants->to, Date::from_ymd(2026, 12, 31));
  EXPECT_EQ(p.research_grants->lag, Duration::days(30));
  EXPECT_DOUBLE_EQ(p.research_grants->effect, 0.3);
  EXPECT_DOUBLE_EQ(p.research_grants->open_source_share, 0.5);
  EXPECT_TRUE(loaded.scenario.segments[0].demand.uses_open_source_models);
}

TEST(PoolOperationLoader, DefaultsAreTodaysPool) {
  TempDir dir;
  std::string text = kPool;
  const size_t from = text.find("    price_rule");
  text.erase(from, text.find("segments:") - from);
  text = testing::edited_text(text, "    uses_open_source_models: true\n", "");
  const LoadedScenario loaded = load_scenario(dir.write("main.yaml", text));
  const AlliancePoolParams& p = pool_of(loaded.scenario);
  EXPECT_EQ(p.price_rule, PoolPriceRule::CostBased);
  EXPECT_FALSE(p.congestion_latency.enabled());
  EXPECT_TRUE(p.subsidy_budget.empty());
  EXPECT_FALSE(p.research_grants.has_value());
  EXPECT_FALSE(loaded.scenario.segments[0].demand.uses_open_source_models);
}

TEST(PoolOperationLoader, KeysAreSetByOverridesAndTimelineSteps) {
  TempDir dir;
  std::string text = kPool;
  const size_t from = text.find("    price_rule");
  text.erase(from, text.find("segments:") - from);
  text +=
      "timeline:\n"
      "  - date: 2026-01-05\n"
      "    set: {venues.alliance.subsidy_budget: research, "
      "venues.alliance.congestion_latency: {scale: 1h}}\n";
  const LoadedScenario loaded =
      load_scenario(dir.write("main.yaml", text), {"venues.alliance.price_rule=utilisation_target",
                                                   "venues.alliance.research_grants={lag: 10d}"});
  const AlliancePoolParams& p = pool_of(loaded.scenario);
  EXPECT_EQ(p.price_rule, PoolPriceRule::UtilisationTarget);
  ASSERT_TRUE(p.research_grants.has_value());
  EXPECT_EQ(p.research_grants->lag, Duration::days(10));
  ASSERT_EQ(loaded.scenario.timeline.size(), 1u);
  const AlliancePoolParams& after = pool_of(*loaded.scenario.timeline[0].state);
  EXPECT_EQ(after.subsidy_budget, "research");
  EXPECT_EQ(after.congestion_latency.scale, Duration::hours(1));
  EXPECT_EQ(after.price_rule, PoolPriceRule::UtilisationTarget);
}

TEST(PoolOperationLoader, ReportsEachBadValueWithItsLocation) {
  const std::vector<testing::BadCase> cases = {
      {"target utilisation of 0", replaced("target_utilisation: 0.6", "target_utilisation: 0"),
       "main.yaml:8:46",
       "venues[0].utilisation_target.target_utilisation: expected a number in (0, 1], got 0"},
      {"target utilisation above 1", replaced("target_utilisation: 0.6", "target_utilisation: 1.5"),
       "main.yaml:8:46",
       "venues[0].utilisation_target.target_utilisation: expected a number in (0, 1], got 1.5"},
      {"adjustment above 1/8", replaced("adjustment: 0.1", "adjustment: 0.5"), "main.yaml:8:63",
       "venues[0].utilisation_target.adjustment: expected a number in (0, 0.25], got 0.5"},
      {"minimum factor above 1", replaced("min_factor: 0.5", "min_factor: 2"), "main.yaml:8:80",
       "venues[0].utilisation_target.min_factor: expected a factor no higher than 1, got 2"},
      {"unknown price rule", replaced("price_rule: utilisation_target", "price_rule: auction"),
       "main.yaml:7:17", "venues[0].price_rule: expected one of cost, utilisation_target"},
      {"negative congestion scale", replaced("scale: 2h", "scale: -2h"), "main.yaml:9:33",
       "venues[0].congestion_latency.scale: expected a duration"},
      {"unknown budget share", replaced("subsidy_budget: services", "subsidy_budget: servces"),
       "main.yaml:10:21",
       "venues[0].subsidy_budget: expected the name of a share of budget.split (hardware, "
       "research, services), got servces"},
      {"negative lag", replaced("lag: 30d", "lag: -30d"), "main.yaml:11:62",
       "venues[0].research_grants.lag: expected a duration"},
      {"grants ending before they start", replaced("to: 2026-12-31", "to: 2026-01-15"),
       "main.yaml:11:45",
       "venues[0].research_grants.to: expected the end of disbursement (to, 2026-01-15) after its "
       "start (from, 2026-02-01)"},
      {"open-source share above 1", replaced("effect: 0.3", "effect: 0.3, open_source_share: 2"),
       "main.yaml:11:99", "venues[0].research_grants.open_source_share: expected a fraction"},
      {"unknown grants key", replaced("effect: 0.3", "efect: 0.3"), "main.yaml:11:67",
       "unknown key 'efect'; did you mean 'effect'?"},
      {"open-source flag not a boolean",
       replaced("uses_open_source_models: true", "uses_open_source_models: half"),
       "main.yaml:15:30", "segments[0].uses_open_source_models"},
  };
  testing::expect_bad_cases(cases);
}

std::vector<std::string> warnings_of(const std::string& text) {
  TempDir dir;
  const LoadedScenario loaded = load_scenario(dir.write("main.yaml", text));
  std::vector<std::string> out;
  const std::string prefix = (dir / "").string();
  for (const Warning& w : loaded.warnings) {
    std::string line = w.to_string();
    if (line.rfind(prefix, 0) == 0) line.erase(0, prefix.size());
    out.push_back(line);
  }
  return out;
}

TEST(PoolOperationLoader, WarnsOfSettingsThatCannotAct) {
  EXPECT_TRUE(warnings_of(kPool).empty());
  EXPECT_EQ(warnings_of(replaced("    price_rule: utilisation_target\n", "")),
            std::vector<std::string>{
                "main.yaml:7:25: warning: venues[0].utilisation_target: the pool's price_rule is "
                "cost: the utilisation target is not used"});
  EXPECT_EQ(warnings_of(replaced("    uses_open_source_models: true\n", "")),
            std::vector<std::string>{
                "main.yaml:11:22: warning: venues[0].research_grants: no segment has "
                "uses_open_source_models: the research grants raise no value"});
  EXPECT_EQ(warnings_of(replaced("lag: 30d", "lag: 400d")),
            std::vector<std::string>{
                "main.yaml:11:62: warning: venues[0].research_grants.lag: research grants start "
                "on 2026-02-01 and act after 9600h, but the run ends on 2027-01-01: they "
                "raise no value in the run"});
  std::string no_grants = kPool;
  const size_t at = no_grants.find("    research_grants");
  no_grants.erase(at, no_grants.find("segments:") - at);
  EXPECT_EQ(warnings_of(no_grants),
            std::vector<std::string>{
                "main.yaml:14:30: warning: segments[0].uses_open_source_models: no pool has "
                "research_grants: segment 'jobs' gains nothing from using open-source models"});
}

// A step that leaves the scenario invalid is reported at the step.
TEST(PoolOperationLoader, AStepNamingAnUnknownBudgetShareIsLocatedInTheStep) {
  TempDir dir;
  const std::string text = kPool +
                           "timeline:\n"                                         // 16
                           "  - date: 2026-01-05\n"                              // 17
                           "    set: {venues.alliance.subsidy_budget: opex}\n";  // 18
  const std::string message = load_error(dir.write("main.yaml", text).string());
  testing::expect_located_error(message, (dir / "main.yaml:18:43").string(),
                                "expected the name of a share of budget.split");
}

}  // namespace
}  // namespace gpumarket
