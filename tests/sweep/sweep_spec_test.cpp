#include "gpumarket/sweep/sweep_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "gpumarket/cli/sweep_command.hpp"
#include "gpumarket/core/random.hpp"
#include "gpumarket/sweep/constraint.hpp"
#include "gpumarket/sweep/sweep_runner.hpp"
#include "sweep_fixtures.hpp"

namespace gpumarket {
namespace {

using ::testing::HasSubstr;
using testing::mmc_sweep_text;

const std::string kPath = GPUMARKET_SOURCE_DIR "/tests/sweep/test_sweep.yaml";
const std::string kRate = "segments.jobs.arrival_rate_per_hour";
const std::string kServers = "venues.farm.servers";

SweepSpec decode(const std::string& axes, const std::string& extra = "") {
  return decode_sweep(mmc_sweep_text(axes, extra), kPath);
}

// The message of the Error that decoding throws, or "" when it does not throw.
std::string error_of(const std::string& axes, const std::string& extra = "") {
  try {
    decode(axes, extra);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

std::vector<std::string> texts(const SweepSpec& s, size_t axis) {
  std::vector<std::string> out;
  for (const SweepPoint& p : s.points) out.push_back(p.values[axis].text);
  return out;
}

TEST(SweepSpec, ExpandsAGridWithTheLastAxisFastest) {
  const SweepSpec s = decode("  - {name: rate, path: " + kRate +
                             ", values: [1.5, 2.0]}\n"
                             "  - {path: " +
                             kServers + ", values: [3, 4, 5]}\n");
  ASSERT_EQ(s.axes.size(), 2u);
  EXPECT_EQ(s.axes[1].name, "servers");  // defaults to the last path step
  ASSERT_EQ(s.points.size(), 6u);
  EXPECT_EQ(texts(s, 0), (std::vector<std::string>{"1.5", "1.5", "1.5", "2.0", "2.0", "2.0"}));
  EXPECT_EQ(texts(s, 1), (std::vector<std::string>{"3", "4", "5", "3", "4", "5"}));
  EXPECT_EQ(s.point_key(4), "rate=2.0,servers=4");
}

TEST(SweepSpec, AnAxisIsIntegerWhenEveryValueIsWrittenAsAnInteger) {
  const SweepSpec s = decode("  - {name: rate, path: " + kRate +
                             ", values: [1.5, 2.0]}\n"
                             "  - {path: " +
                             kServers + ", range: {from: 3, to: 5, step: 1}}\n");
  EXPECT_FALSE(s.axes[0].integer);  // "2.0" says float
  EXPECT_TRUE(s.axes[1].integer);
  EXPECT_EQ(s.axes[0].unit, "1/h");  // from the key's name, "_per_hour"
  EXPECT_EQ(s.axes[1].unit, "");
}

TEST(SweepSpec, RejectsAnAxisNamedLikeAColumnOfThePointsTable) {
  const std::string message =
      error_of("  - {name: status, path: " + kServers + ", values: [3, 4]}\n");
  EXPECT_THAT(message, HasSubstr("test_sweep.yaml:7:"));
  EXPECT_THAT(message, HasSubstr("the axis name 'status' is that of a column of the points table"));
}

TEST(SweepSpec, ZipsListsOfEqualLength) {
  const SweepSpec s = decode(
      "  - zip:\n"
      "      - {name: rate, path: " +
      kRate +
      ", values: [1, 2, 3]}\n"
      "      - {name: servers, path: " +
      kServers + ", values: [2, 3, 4]}\n");
  ASSERT_EQ(s.points.size(), 3u);
  EXPECT_EQ(s.point_key(2), "rate=3,servers=4");
}

TEST(SweepSpec, RangesIncludeTheirEndAndRoundToDecimals) {
  const SweepSpec s = decode("  - {name: rate, path: " + kRate +
                             ", range: {from: 0.1, to: 0.5, step: 0.1}}\n"
                             "  - {name: servers, path: " +
                             kServers + ", range: {from: 2, to: 4, count: 3}}\n");
  ASSERT_EQ(s.points.size(), 15u);
  EXPECT_EQ(s.point_key(14), "rate=0.5,servers=4");
  EXPECT_EQ(s.point_key(6), "rate=0.3,servers=2");
}

TEST(SweepSpec, LatinHypercubePutsOneValueInEachStratum) {
  const SweepSpec s = decode(
      "  - sample: latin_hypercube\n    count: 8\n    axes:\n"
      "      - {name: rate, path: " +
      kRate +
      ", min: 1, max: 3}\n"
      "      - {name: servers, path: " +
      kServers + ", min: 0, max: 8}\n");
  ASSERT_EQ(s.points.size(), 8u);
  std::set<int> rate_strata, server_strata;
  for (const SweepPoint& p : s.points) {
    rate_strata.insert(static_cast<int>((p.values[0].number - 1) / 2 * 8));
    server_strata.insert(static_cast<int>(p.values[1].number));
  }
  EXPECT_EQ(rate_strata.size(), 8u);
  EXPECT_EQ(server_strata.size(), 8u);
  // The same sweep seed gives the same sample.
  EXPECT_EQ(decode("  - sample: latin_hypercube\n    count: 8\n    axes:\n"
                   "      - {name: rate, path: " +
                   kRate +
                   ", min: 1, max: 3}\n"
                   "      - {name: servers, path: " +
                   kServers + ", min: 0, max: 8}\n")
                .point_key(5),
            s.point_key(5));
}

TEST(SweepSpec, RandomSamplesStayInRangeAndRoundIntegers) {
  const SweepSpec s = decode(
      "  - sample: random\n    count: 50\n    axes:\n"
      "      - {name: rate, path: " +
      kRate +
      ", min: 1, max: 3}\n"
      "      - {name: servers, path: " +
      kServers + ", min: 3, max: 6, integer: true}\n");
  ASSERT_EQ(s.points.size(), 50u);
  for (const SweepPoint& p : s.points) {
    EXPECT_GE(p.values[0].number, 1);
    EXPECT_LT(p.values[0].number, 3);
    EXPECT_EQ(p.values[1].number, std::round(p.values[1].number));
    EXPECT_THAT(p.values[1].text, ::testing::Not(HasSubstr(".")));
  }
}

TEST(SweepSpec, ConstraintsKeepOnlyThePointsThatSatisfyThemAll) {
  const SweepSpec s = decode("  - {name: rate, path: " + kRate +
                                 ", values: [1, 2, 3, 4]}\n"
                                 "  - {name: servers, path: " +
                                 kServers + ", values: [2, 3, 4]}\n",
                             "constraints: [\"rate < 0.9 * servers\", \"servers - rate <= 2\"]\n");
  std::vector<std::string> keys;
  for (size_t p = 0; p < s.points.size(); ++p) keys.push_back(s.point_key(p));
  EXPECT_EQ(keys,
            (std::vector<std::string>{"rate=1,servers=2", "rate=1,servers=3", "rate=2,servers=3",
                                      "rate=2,servers=4", "rate=3,servers=4"}));
}

TEST(SweepSpec, ReplicationRUsesTheSameSeedAtEveryPoint) {
  const SweepSpec s =
      decode("  - {name: rate, path: " + kRate + ", values: [1, 2]}\n", "replications: 3\n");
  ASSERT_EQ(s.row_count(), 6u);
  for (uint64_t r = 0; r < 3; ++r) {
    EXPECT_EQ(s.row(r).seed, s.row(3 + r).seed);
    EXPECT_EQ(s.row(r).seed, derive_seed(11, "replication/" + std::to_string(r)));
  }
  EXPECT_NE(s.row(0).seed, s.row(1).seed);
  const SweepSpec independent = decode("  - {name: rate, path: " + kRate + ", values: [1, 2]}\n",
                                       "replications: 3\ncommon_random_numbers: false\n");
  EXPECT_NE(independent.row(0).seed, independent.row(3).seed);
}

TEST(SweepSpec, ScenarioTreeHoldsThePointsValuesAndTheRowsSeed) {
  const SweepSpec s = decode("  - {name: servers, path: " + kServers + ", values: [7]}\n");
  const ConfigNode tree = s.scenario_tree(s.row(0));
  EXPECT_EQ(find_path(tree, kServers)->scalar, "7");
  EXPECT_EQ(find_path(tree, "seed")->scalar, std::to_string(s.row(0).seed));
  EXPECT_EQ(find_path(tree, "horizon")->scalar, "300h");
}

TEST(SweepSpec, RejectsAnUnknownAxisKeyAtItsLocation) {
  EXPECT_THAT(error_of("  - {name: rate, path: " + kRate + ", valuse: [1]}\n"),
              HasSubstr("test_sweep.yaml:7:"));
  EXPECT_THAT(error_of("  - {name: rate, path: " + kRate + ", valuse: [1]}\n"),
              HasSubstr("unknown key 'valuse'; did you mean 'values'?"));
}

TEST(SweepSpec, RejectsAPathThatIsNotInTheBaseScenario) {
  const std::string message =
      error_of("  - {name: rate, path: segments.job.arrival_rate_per_hour, values: [1]}\n");
  EXPECT_THAT(message, HasSubstr("test_sweep.yaml:7:"));
  EXPECT_THAT(message, HasSubstr("axes[0].path: 'segments.job.arrival_rate_per_hour' does not "
                                 "exist in the base scenario"));
}

TEST(SweepSpec, RejectsAnEmptyAxis) {
  EXPECT_THAT(error_of("  - {name: rate, path: " + kRate + ", values: []}\n"),
              HasSubstr("axes[0].values: the axis has no values"));
}

TEST(SweepSpec, RejectsZippedListsOfDifferentLengths) {
  const std::string message = error_of(
      "  - zip:\n"
      "      - {name: rate, path: " +
      kRate +
      ", values: [1, 2, 3]}\n"
      "      - {name: servers, path: " +
      kServers + ", values: [2, 3]}\n");
  EXPECT_THAT(message, HasSubstr("test_sweep.yaml:9:"));
  EXPECT_THAT(message, HasSubstr("the zipped axis 'servers' has 2 values but 'rate' has 3"));
}

TEST(SweepSpec, RejectsAnUnsatisfiableConstraint) {
  const std::string message = error_of("  - {name: rate, path: " + kRate + ", values: [1, 2]}\n",
                                       "constraints:\n  - \"rate > 5\"\n");
  EXPECT_THAT(message, HasSubstr("test_sweep.yaml:7:"));
  EXPECT_THAT(message, HasSubstr("'rate > 5' holds at none of the 2 points"));
  EXPECT_THAT(message, HasSubstr("unsatisfiable"));
  EXPECT_THAT(error_of("  - {name: rate, path: " + kRate + ", values: [1, 2]}\n",
                       "constraints: [\"rate > 1.5\", \"rate < 1.5\"]\n"),
              HasSubstr("no point of the 2-point grid satisfies all constraints together"));
}

TEST(SweepSpec, RejectsAConstraintOverAnUnknownAxis) {
  EXPECT_THAT(error_of("  - {name: rate, path: " + kRate + ", values: [1, 2]}\n",
                       "constraints: [\"rat < 2\"]\n"),
              HasSubstr("constraint 'rat < 2': unknown axis 'rat' (axes: rate)"));
  EXPECT_THAT(error_of("  - {name: rate, path: " + kRate + ", values: [1, 2]}\n",
                       "constraints: [\"rate + 2\"]\n"),
              HasSubstr("expected a comparison"));
}

// Deep or long constraints are refused before the recursive parser could exhaust the stack:
// 20,000 parentheses or 200,000 minus signs used to overflow it.
TEST(SweepSpec, RejectsConstraintsTooDeepOrTooLongToParseSafely) {
  const std::string axis = "  - {name: rate, path: " + kRate + ", values: [1, 2]}\n";
  const std::string parens = std::string(20000, '(') + "rate" + std::string(20000, ')') + " > 0";
  EXPECT_THAT(error_of(axis, "constraints: [\"" + parens + "\"]\n"),
              HasSubstr("constraint of 40008 characters: expected at most 4096"));
  const std::string deep = std::string(65, '(') + "rate" + std::string(65, ')') + " > 0";
  EXPECT_THAT(error_of(axis, "constraints: [\"" + deep + "\"]\n"),
              HasSubstr("nested deeper than 64 parentheses and signs"));
  const std::string signs = std::string(65, '-') + "rate < 0";
  EXPECT_THAT(error_of(axis, "constraints: [\"" + signs + "\"]\n"),
              HasSubstr("nested deeper than 64 parentheses and signs"));
  // At the limits a constraint still parses and holds where it should.
  const std::string at_limit = std::string(64, '(') + "rate" + std::string(64, ')') + " > 1.5";
  EXPECT_EQ(error_of(axis, "constraints: [\"" + at_limit + "\"]\n"), "");
  std::string chain = "rate";
  while (chain.size() + 12 < kMaxConstraintLength) chain += " + 0";
  EXPECT_EQ(error_of(axis, "constraints: [\"" + chain + " > 1.5\"]\n"), "");
}

TEST(SweepSpec, RejectsTwoAxesOverOnePath) {
  EXPECT_THAT(error_of("  - {name: a, path: " + kRate +
                       ", values: [1]}\n"
                       "  - {name: b, path: " +
                       kRate + ", values: [2]}\n"),
              HasSubstr("is already swept by another axis"));
}

TEST(SweepSpec, RejectsAnUnknownIndicatorAtItsLocation) {
  const SweepSpec s = decode("  - {name: rate, path: " + kRate + ", values: [1]}\n",
                             "indicators: [mean_wait_h, utilisaton]\n");
  try {
    sweep_indicators(s);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("test_sweep.yaml:6:"));
    EXPECT_THAT(error.what(), HasSubstr("indicators[1]: 'utilisaton' is not in the run summary; "
                                        "did you mean 'utilisation'?"));
  }
}

TEST(SweepSpec, CollectsEverySummaryValueWhenNoIndicatorsAreListed) {
  const SweepSpec s = decode("  - {name: rate, path: " + kRate + ", values: [1]}\n");
  const std::vector<std::string> names = sweep_indicators(s);
  EXPECT_THAT(names, ::testing::Contains("mean_wait_h"));
  EXPECT_THAT(names, ::testing::Contains("utilisation"));
}

// Scenario axes over files in `dir`: two worlds (servers) and two policies (arrival rates).
SweepSpec world_policy_sweep(const testing::TempDir& dir, const std::string& more_axes = "",
                             const std::string& base = "base: {horizon: 300h}\n") {
  const std::string mmc = GPUMARKET_SOURCE_DIR "/scenarios/mmc.yaml";
  dir.write("small.yaml", "extends: " + mmc + "\nvenues: [{name: farm, servers: 3}]\n");
  dir.write("large.yaml", "extends: " + mmc + "\nvenues: [{name: farm, servers: 6}]\n");
  dir.write("slow.yaml", "segments: [{name: jobs, arrival_rate_per_hour: 1.0}]\n");
  dir.write("fast.yaml", "segments: [{name: jobs, arrival_rate_per_hour: 2.0}]\n");
  return load_sweep(
      dir.write("grid.yaml", base +
                                 "axes:\n"
                                 "  - {name: world, scenario: [small.yaml, large.yaml]}\n"
                                 "  - {name: policy, scenario: [slow.yaml, fast.yaml]}\n" +
                                 more_axes)
          .string());
}

std::string sweep_error(const std::function<void()>& load) {
  try {
    load();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(SweepSpec, ScenarioAxesMergeTheirFilesInAxisOrderWithTheBaseOnTop) {
  testing::TempDir dir;
  const SweepSpec s = world_policy_sweep(dir);
  ASSERT_EQ(s.points.size(), 4u);
  EXPECT_FALSE(s.axes[0].numeric);
  EXPECT_EQ(s.point_key(1), "world=small.yaml,policy=fast.yaml");
  const ConfigNode tree = s.scenario_tree(s.row(2));  // large world, slow policy
  EXPECT_EQ(find_path(tree, kServers)->scalar, "6");
  EXPECT_EQ(find_path(tree, kRate)->scalar, "1.0");
  EXPECT_EQ(find_path(tree, "horizon")->scalar, "300h");             // the base, on top
  EXPECT_EQ(find_path(tree, "name")->scalar, "M/M/c ground truth");  // the world's extends
  // The files' contents, not just their names, identify the sweep.
  const std::string before = s.fingerprint();
  dir.write("fast.yaml", "segments: [{name: jobs, arrival_rate_per_hour: 2.5}]\n");
  EXPECT_NE(load_sweep((dir / "grid.yaml").string()).fingerprint(), before);
}

TEST(SweepSpec, AScalarAxisPathMustExistInEveryCombinationOfScenarioFiles) {
  testing::TempDir dir;
  const SweepSpec s =
      world_policy_sweep(dir, "  - {name: servers, path: " + kServers + ", values: [4, 5]}\n");
  EXPECT_EQ(s.points.size(), 8u);
  EXPECT_EQ(find_path(s.scenario_tree(s.row(7)), kServers)->scalar, "5");
  dir.write("odd.yaml", "extends: small.yaml\nvenues: [{name: odd, servers: 1}]\n");
  dir.write("grid2.yaml",
            "axes:\n  - {name: world, scenario: [small.yaml, odd.yaml]}\n"
            "  - {path: venues.odd.servers, values: [2]}\n");
  EXPECT_THAT(sweep_error([&] { load_sweep((dir / "grid2.yaml").string()); }),
              HasSubstr("'venues.odd.servers' does not exist in the scenario of world=small.yaml"));
}

TEST(SweepSpec, ScenarioAxesRefuseMissingOrRepeatedFilesAndABaseFile) {
  testing::TempDir dir;
  world_policy_sweep(dir);
  const auto error = [&](const std::string& text) {
    const std::string path = dir.write("bad.yaml", text).string();
    return sweep_error([&] { load_sweep(path); });
  };
  EXPECT_THAT(error("axes:\n  - {scenario: [small.yaml, nope.yaml]}\n"),
              HasSubstr("bad.yaml:2:29: axes[0].scenario[1]: the scenario file"));
  EXPECT_THAT(error("axes:\n  - {scenario: [small.yaml, small.yaml]}\n"),
              HasSubstr("axes[0].scenario[1]: 'small.yaml' is listed twice"));
  EXPECT_THAT(error("base: small.yaml\naxes:\n  - {scenario: [large.yaml]}\n"),
              HasSubstr("base: with a scenario axis the scenarios are its files"));
  EXPECT_THAT(error("axes:\n  - {scenario: []}\n"), HasSubstr("axes[0].scenario"));
  EXPECT_THAT(error("axes:\n  - {path: venues.farm.servers, values: [1]}\n"),
              HasSubstr("missing required key 'base'"));
}

TEST(SweepSpec, TellsASweepFileFromAScenarioByItsAxes) {
  testing::TempDir dir;
  EXPECT_TRUE(is_sweep_file(GPUMARKET_SOURCE_DIR "/scenarios/sweeps/mmc_grid.yaml"));
  EXPECT_FALSE(is_sweep_file(GPUMARKET_SOURCE_DIR "/scenarios/mmc.yaml"));
  EXPECT_FALSE(is_sweep_file(dir.write("broken.yaml", "axes: [\n").string()));
  EXPECT_FALSE(is_sweep_file((dir / "missing.yaml").string()));
}

TEST(SweepShard, ParsesIOfNAndRejectsTheRest) {
  EXPECT_EQ(parse_shard("2/4"), (std::pair<uint64_t, uint64_t>{2, 4}));
  for (const char* bad : {"4/4", "1", "a/2", "1/0", "-1/3", "1/2/3", ""}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& error) {
      EXPECT_THAT(error.what(), HasSubstr(std::string("--shard ") + bad + ": expected i/N"));
    }
  }
}

}  // namespace
}  // namespace gpumarket
