// Shapley attribution: exact on toy games (additive, one interaction, any game's sum), the
// parts in which two scenario trees differ and their switching, and `explain` on two M/M/c
// scenarios against the utilisation queueing theory gives each combination.
#include <gtest/gtest.h>

#include <cmath>
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

TEST(ScenarioGroups, PartsAreTopLevelKeysAndNamedListItemsThatDiffer) {
  const std::vector<ScenarioGroup> parts = differing_parts(tree(kA), tree(kB));
  std::vector<std::string> names;
  names.reserve(parts.size());
  for (const ScenarioGroup& p : parts) names.push_back(p.name);
  // name and seed are not parts; venue y and horizon are equal.
  EXPECT_EQ(names,
            (std::vector<std::string>{"hardware", "venues.x", "bridges.old", "bridges.new"}));
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
  // Only venues.x: x has 4 servers, the bridge is still the old one.
  const ConfigNode one = switch_groups(a, b, groups, 2);
  EXPECT_EQ(find_path(one, "venues.x.servers")->scalar, "4");
  EXPECT_NE(find_path(one, "bridges.old"), nullptr);
  EXPECT_EQ(find_path(one, "bridges.new"), nullptr);
  EXPECT_EQ(find_path(one, "hardware.consumer.decline_per_year")->scalar, "0.2");
}

TEST(ScenarioGroups, AGroupingOfAPartThatDoesNotDifferIsAnError) {
  const std::vector<ScenarioGroup> parts = differing_parts(tree(kA), tree(kB));
  EXPECT_THROW(group_parts(parts, {"v=venues.y"}), Error);
  EXPECT_THROW(group_parts(parts, {"no-equals-sign"}), Error);
  EXPECT_THROW(group_parts(parts, {"h=hardware", "again=hardware"}), Error);
}

// A: 3 servers at λ = 2.4/h; B: 4 servers at 2.0/h (μ = 1/h). Utilisation λ/(c μ) in the four
// combinations: 0.8, 0.6 (servers from B), 0.667 (arrivals from B), 0.5. Shapley: servers
// ((0.6 − 0.8) + (0.5 − 0.667)) / 2 = −0.1833, arrivals −0.1167.
TEST(Explain, AttributesTheMmcUtilisationToServersAndArrivalsAsTheoryDoes) {
  const TempDir dir;
  const std::string mmc =
      read_config_text(std::string(GPUMARKET_SOURCE_DIR) + "/scenarios/mmc.yaml");
  const auto edited = [&](const std::string& from, const std::string& to, std::string text) {
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  const std::string a = edited("horizon: 20000h", "horizon: 6000h", mmc);
  const std::string b =
      edited("servers: 3 ", "servers: 4 ",
             edited("arrival_rate_per_hour: 2.4", "arrival_rate_per_hour: 2.0", a));
  ExplainCommand command;
  command.a_path = dir.write("a.yaml", a).string();
  command.b_path = dir.write("b.yaml", b).string();
  command.replications = 4;
  command.output_dir = (dir / "explain").string();
  command.only = {"utilisation"};
  command.quiet = true;
  const ExplainReport report = explain_command(command);
  ASSERT_EQ(report.groups.size(), 2u);
  EXPECT_EQ(report.groups[0].name, "venues.farm");
  EXPECT_EQ(report.groups[1].name, "segments.jobs");
  EXPECT_EQ(report.runs, 16u);
  ASSERT_EQ(report.indicators.size(), 1u);
  const IndicatorExplanation& u = report.indicators[0];
  // Sampling noise over 6,000 h: a few thousandths.
  EXPECT_NEAR(u.total.mean, 0.5 - 0.8, 0.01);
  EXPECT_NEAR(u.groups[0].mean, ((0.6 - 0.8) + (0.5 - 2.0 / 3.0)) / 2, 0.01);
  EXPECT_NEAR(u.groups[1].mean, ((2.0 / 3.0 - 0.8) + (0.5 - 0.6)) / 2, 0.01);
  EXPECT_NEAR(u.groups[0].mean + u.groups[1].mean, u.total.mean, 1e-12);
}

}  // namespace
}  // namespace gpumarket
