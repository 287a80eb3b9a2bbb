// Shapley attribution: exact on toy games (additive, one interaction, any game's sum); the
// parts in which two scenario trees differ and their switching; and `explain` on two M/M/c
// scenarios against the utilisation queueing theory gives each combination, exactly and
// from sampled orders. The sampled estimator's own tests are in shapley_sampling_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "gpumarket/cli/explain_command.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/sweep/scenario_groups.hpp"
#include "gpumarket/sweep/shapley.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::TempDir;

TEST(Shapley, AnAdditiveGameGivesEachGroupItsOwnEffect) {
  const std::vector<double> effect = {1.5, -2.0, 0.25, 4.0};
  const std::vector<double> phi = shapley_values(4, [&](uint32_t mask) {
    double v = 10.0;
    for (size_t g = 0; g < effect.size(); ++g) {
      if ((mask & (1u << g)) != 0) v += effect[g];
    }
    return v;
  });
  for (size_t g = 0; g < effect.size(); ++g) EXPECT_NEAR(phi[g], effect[g], 1e-12) << g;
}

TEST(Shapley, AnInteractionIsSplitEquallyBetweenItsTwoGroups) {
  // v = 1·[0] + 2·[1] + 6·[0 and 1] + 3·[2]: the 6 goes half to group 0, half to group 1.
  const std::vector<double> phi = shapley_values(3, [](uint32_t mask) {
    const bool g0 = (mask & 1u) != 0, g1 = (mask & 2u) != 0, g2 = (mask & 4u) != 0;
    return 1.0 * g0 + 2.0 * g1 + 6.0 * (g0 && g1) + 3.0 * g2;
  });
  EXPECT_NEAR(phi[0], 4.0, 1e-12);
  EXPECT_NEAR(phi[1], 5.0, 1e-12);
  EXPECT_NEAR(phi[2], 3.0, 1e-12);
}

TEST(Shapley, ContributionsAddUpToTheTotalForAnyGame) {
  for (size_t k = 1; k <= 8; ++k) {
    // An arbitrary game: a hash of the subset.
    const auto v = [](uint32_t mask) {
      return std::sin(1.0 + 7.3 * mask) * 100.0 / (1 + mask % 5);
    };
    const std::vector<double> phi = shapley_values(k, v);
    double sum = 0;
    for (double x : phi) sum += x;
    EXPECT_NEAR(sum, v((1u << k) - 1) - v(0), 1e-9) << k;
  }
}

ConfigNode tree(const std::string& yaml) { return parse_config_text(yaml, "test.yaml"); }

const char* const kA =
    "name: a\nseed: 1\nhorizon: 10h\nhardware: {consumer: {decline_per_year: 0.2}}\n"
    "venues:\n  - {name: x, servers: 3}\n  - {name: y, servers: 1}\n"
    "bridges:\n  - {name: old, fee: 1}\n";
const char* const kB =
    "name: b\nseed: 2\nhorizon: 10h\nhardware: {consumer: {decline_per_year: 0.1}}\n"
    "venues:\n  - {name: x, servers: 4}\n  - {name: y, servers: 1}\n"
    "bridges:\n  - {name: new, fee: 2}\n";

std::vector<std::string> names_of(const std::vector<ScenarioGroup>& groups) {
  std::vector<std::string> names;
  names.reserve(groups.size());
  for (const ScenarioGroup& g : groups) names.push_back(g.name);
  return names;
}

TEST(ScenarioGroups, PartsAreTopLevelKeysItemsOfOneScenarioAndDifferingKeysOfItemsOfBoth) {
  // name and seed are not parts; venue y and horizon are equal; venue x is in both, so its
  // part is the key that differs; each bridge is in one scenario only.
  EXPECT_EQ(
      names_of(differing_parts(tree(kA), tree(kB))),
      (std::vector<std::string>{"hardware", "venues.x.servers", "bridges.old", "bridges.new"}));
}

TEST(ScenarioGroups, SwitchingAllGroupsGivesBAndNoneGivesA) {
  const ConfigNode a = tree(kA), b = tree(kB);
  const std::vector<ScenarioGroup> groups =
      group_parts(differing_parts(a, b), {"bridge=bridges.old,bridges.new"});
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[2].name, "bridge");
  EXPECT_TRUE(same_content(switch_groups(a, b, groups, 0), a));
  const ConfigNode all = switch_groups(a, b, groups, 7);
  EXPECT_TRUE(differing_parts(all, b).empty());
  // Only venues.x.servers: x has 4 servers, the bridge is still the old one.
  const ConfigNode one = switch_groups(a, b, groups, 2);
  EXPECT_EQ(find_path(one, "venues.x.servers")->scalar, "4");
  EXPECT_NE(find_path(one, "bridges.old"), nullptr);
  EXPECT_EQ(find_path(one, "bridges.new"), nullptr);
  EXPECT_EQ(find_path(one, "hardware.consumer.decline_per_year")->scalar, "0.2");
}

// One venue in both, differing in a changed key, a key only B has and a key only A has.
const char* const kPolicyA =
    "name: a\nvenues:\n  - {name: alliance, servers: 3, subsidy_rate: 0.1, cap: 5}\n"
    "  - {name: other, servers: 2}\n";
const char* const kPolicyB =
    "name: b\nvenues:\n  - {name: alliance, servers: 3, subsidy_rate: 0.3,"
    " procurement: {budget: 7}}\n  - {name: other, servers: 1}\n";

TEST(ScenarioGroups, EachKeyOfAnItemInBothIsReplacedAddedOrRemovedOnItsOwn) {
  const ConfigNode a = tree(kPolicyA), b = tree(kPolicyB);
  const std::vector<ScenarioGroup> parts = differing_parts(a, b);
  ASSERT_EQ(names_of(parts),
            (std::vector<std::string>{"venues.alliance.subsidy_rate", "venues.alliance.cap",
                                      "venues.alliance.procurement", "venues.other.servers"}));
  const ConfigNode replaced = switch_groups(a, b, parts, 1);
  EXPECT_EQ(find_path(replaced, "venues.alliance.subsidy_rate")->scalar, "0.3");
  EXPECT_EQ(find_path(replaced, "venues.alliance.cap")->scalar, "5");
  const ConfigNode removed = switch_groups(a, b, parts, 2);
  EXPECT_EQ(find_path(removed, "venues.alliance.cap"), nullptr);
  EXPECT_EQ(find_path(removed, "venues.alliance.subsidy_rate")->scalar, "0.1");
  const ConfigNode added = switch_groups(a, b, parts, 4);
  EXPECT_EQ(find_path(added, "venues.alliance.procurement.budget")->scalar, "7");
  EXPECT_EQ(find_path(added, "venues.other.servers")->scalar, "2");
  EXPECT_TRUE(differing_parts(switch_groups(a, b, parts, 15), b).empty());
}

TEST(ScenarioGroups, ASectionInAGroupingTakesEveryPartInsideIt) {
  const std::vector<ScenarioGroup> parts = differing_parts(tree(kPolicyA), tree(kPolicyB));
  const std::vector<ScenarioGroup> policy = group_parts(parts, {"policy=venues.alliance"});
  ASSERT_EQ(names_of(policy), (std::vector<std::string>{"policy", "venues.other.servers"}));
  EXPECT_EQ(policy[0].parts,
            (std::vector<std::string>{"venues.alliance.subsidy_rate", "venues.alliance.cap",
                                      "venues.alliance.procurement"}));
  const std::vector<ScenarioGroup> all = group_parts(parts, {"venues=venues"});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].parts.size(), 4u);
  // A prefix that is not a whole section's name takes nothing.
  EXPECT_THROW(group_parts(parts, {"v=venues.alli"}), Error);
}

TEST(ScenarioGroups, AGroupingOfAPartThatDoesNotDifferIsAnError) {
  const std::vector<ScenarioGroup> parts = differing_parts(tree(kA), tree(kB));
  EXPECT_THROW(group_parts(parts, {"v=venues.y"}), Error);
  EXPECT_THROW(group_parts(parts, {"no-equals-sign"}), Error);
  EXPECT_THROW(group_parts(parts, {"h=hardware", "again=hardware"}), Error);
  EXPECT_THROW(group_parts(parts, {"x=venues.x", "again=venues.x.servers"}), Error);
}

std::string edited(const std::string& from, const std::string& to, std::string text) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

// scenarios/mmc.yaml over `horizon` (A), and B: 4 servers, arrivals 2.0/h.
struct MmcPair {
  explicit MmcPair(const std::string& horizon = "6000h")
      : mmc(edited("horizon: 20000h", "horizon: " + horizon,
                   read_config_text(std::string(GPUMARKET_SOURCE_DIR) + "/scenarios/mmc.yaml"))) {}

  TempDir dir;
  std::string mmc;
  std::string b = edited("servers: 3 ", "servers: 4 ",
                         edited("arrival_rate_per_hour: 2.4", "arrival_rate_per_hour: 2.0", mmc));

  ExplainCommand command(const std::string& b_text) const {
    ExplainCommand command;
    command.a_path = dir.write("a.yaml", mmc).string();
    command.b_path = dir.write("b.yaml", b_text).string();
    command.replications = 4;
    command.output_dir = (dir / "explain").string();
    command.only = {"utilisation"};
    command.quiet = true;
    return command;
  }
};

double sum_of(const std::vector<GroupContribution>& groups) {
  double sum = 0;
  for (const GroupContribution& g : groups) sum += g.mean;
  return sum;
}

// A: 3 servers at λ = 2.4/h; B: 4 servers at 2.0/h (μ = 1/h). Utilisation λ/(c μ) in the four
// combinations: 0.8, 0.6 (servers from B), 0.667 (arrivals from B), 0.5. Shapley: servers
// ((0.6 − 0.8) + (0.5 − 0.667)) / 2 = −0.1833, arrivals −0.1167.
TEST(Explain, AttributesTheMmcUtilisationToServersAndArrivalsAsTheoryDoes) {
  const MmcPair pair;
  const ExplainReport report = explain_command(pair.command(pair.b));
  const Attribution& at = report.attribution;
  // The venue and the segment are in both scenarios: their parts are the keys that differ.
  EXPECT_EQ(at.group_names, (std::vector<std::string>{"venues.farm.servers",
                                                      "segments.jobs.arrival_rate_per_hour"}));
  EXPECT_EQ(at.method, "exact");
  EXPECT_EQ(at.runs, 16u);
  EXPECT_TRUE(std::filesystem::exists(report.file));
  ASSERT_EQ(at.indicators.size(), 1u);
  const IndicatorExplanation& u = at.indicators[0];
  // Sampling noise over 6,000 h: a few thousandths.
  EXPECT_NEAR(u.total.mean, 0.5 - 0.8, 0.01);
  EXPECT_NEAR(u.groups[0].mean, ((0.6 - 0.8) + (0.5 - 2.0 / 3.0)) / 2, 0.01);
  EXPECT_NEAR(u.groups[1].mean, ((2.0 / 3.0 - 0.8) + (0.5 - 0.6)) / 2, 0.01);
  EXPECT_NEAR(sum_of(u.groups), u.total.mean, 1e-12);
}

// With two groups there are two orders; sampling many of them weights each about half, so
// the estimate is near the exact values, and it adds up to the total whatever the orders.
TEST(Explain, SampledOrdersAddUpToTheTotalAndApproachTheExactValues) {
  const MmcPair pair;
  ExplainCommand command = pair.command(pair.b);
  const ExplainReport exact = explain_command(command);
  command.permutations = 40;
  const ExplainReport sampled = explain_command(command);
  const Attribution& at = sampled.attribution;
  EXPECT_EQ(at.method, "sampled");
  EXPECT_EQ(at.permutations, 40u);
  EXPECT_EQ(at.combinations, 4u);  // every subset of two groups is some order's prefix
  const IndicatorExplanation& s = at.indicators[0];
  const IndicatorExplanation& e = exact.attribution.indicators[0];
  EXPECT_NEAR(sum_of(s.groups), s.total.mean, 1e-12);
  EXPECT_EQ(s.total.mean, e.total.mean);  // the same ensembles, resumed
  // Each sampled value is the exact one plus (share of order − 1/2) × the interaction, which
  // is the difference of the two orders' marginals; 5 standard errors of the orders.
  for (size_t g = 0; g < 2; ++g) {
    EXPECT_GT(s.groups[g].permutation_se, 0.0) << g;
    EXPECT_NEAR(s.groups[g].mean, e.groups[g].mean, 5 * s.groups[g].permutation_se + 1e-12) << g;
  }
}

// Nine parts are more than the exact limit: explain samples 2k orders and says so in the
// report; the cost stays within M (k − 1) + 2 combinations.
TEST(Explain, MoreGroupsThanTheExactLimitAreAttributedFromSampledOrders) {
  const MmcPair pair("1000h");
  std::string b = edited("warmup: 500h", "warmup: 50h", pair.b);
  b = edited("value_of_time_usd_per_pf_hour_per_hour: 0",
             "value_of_time_usd_per_pf_hour_per_hour: 0.5", b);
  b = edited("start: 2026-01-01", "start: 2026-02-01", b);
  b = edited("price_usd_per_pf_hour: 2.0", "price_usd_per_pf_hour: 2.5", b);
  b = edited("patience: inf", "patience: 1000h", b);
  b = edited("value_usd_per_pf_hour: 1.0e6", "value_usd_per_pf_hour: 2.0e6", b);
  b = edited("settlement_tx_usd: 0", "settlement_tx_usd: 0.001", b);
  ExplainCommand command = pair.command(b);
  command.replications = 2;
  const ExplainReport report = explain_command(command);
  const Attribution& at = report.attribution;
  const size_t k = at.group_names.size();
  ASSERT_EQ(k, 9u);
  EXPECT_EQ(at.method, "sampled");
  EXPECT_EQ(at.permutations, default_permutations(k));
  EXPECT_LE(at.combinations, at.permutations * (k - 1) + 2);
  EXPECT_EQ(at.runs, at.combinations * 2);
  const IndicatorExplanation& u = at.indicators[0];
  EXPECT_NEAR(sum_of(u.groups), u.total.mean, 1e-12);
}

}  // namespace
}  // namespace gpumarket
