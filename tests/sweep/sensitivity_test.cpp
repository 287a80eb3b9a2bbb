// Morris and Sobol designs in sweep files: their decoding and located errors, a Sobol sweep of
// the M/M/c scenario analysed by sweep-analyse, and the design columns of the result.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "gpumarket/cli/sensitivity_command.hpp"
#include "gpumarket/cli/sweep_command.hpp"
#include "gpumarket/sweep/sensitivity_analysis.hpp"
#include "gpumarket/sweep/sweep_result.hpp"
#include "gpumarket/sweep/sweep_spec.hpp"
#include "sweep_fixtures.hpp"

namespace gpumarket {
namespace {

using ::testing::HasSubstr;
using testing::mmc_sweep_text;
using testing::run;
using testing::TempDir;

const std::string kPath = GPUMARKET_SOURCE_DIR "/tests/sweep/test_sweep.yaml";

// A design block over the arrival rate, the servers and the price, whose head is `head`
// (e.g. "sample: sobol\n    base_samples: 4") and whose ranges are `ranges` (YAML lines).
std::string design_axes(const std::string& head, const std::string& ranges = "") {
  return "  - " + head + "\n    axes:\n" +
         (ranges.empty()
              ? "      - {name: rate, path: segments.jobs.arrival_rate_per_hour, min: 1, max: 2}\n"
                "      - {name: servers, path: venues.farm.servers, min: 3, max: 6, "
                "integer: true}\n"
                "      - {name: price, path: venues.farm.price_usd_per_pf_hour, min: 0.5, "
                "max: 8, distribution: log_uniform}\n"
              : ranges);
}

std::string error_of(const std::string& axes, const std::string& extra = "") {
  try {
    decode_sweep(mmc_sweep_text(axes, extra), kPath);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(SensitivitySpec, ASobolBlockHasNTimesKPlusTwoPointsWithTheirRoles) {
  const SweepSpec s =
      decode_sweep(mmc_sweep_text(design_axes("sample: sobol\n    base_samples: 4")), kPath);
  ASSERT_EQ(s.points.size(), 4u * 5);
  EXPECT_EQ(s.design.kind, "sobol");
  EXPECT_EQ(s.design.parameters, (std::vector<std::string>{"rate", "servers", "price"}));
  ASSERT_EQ(s.design_roles.size(), s.points.size());
  EXPECT_EQ(s.design_roles[3].matrix, "AB");
  EXPECT_EQ(s.design_roles[3].parameter, 1);
  EXPECT_TRUE(s.axes[1].integer);
  // A_B^(1) takes the servers from B and the rest from A.
  EXPECT_EQ(s.points[3].values[1].text, s.points[1].values[1].text);
  EXPECT_EQ(s.points[3].values[0].text, s.points[0].values[0].text);
  EXPECT_EQ(s.points[3].values[2].text, s.points[0].values[2].text);
}

TEST(SensitivitySpec, AMorrisBlockIsDrawnFromTheSweepSeed) {
  const std::string axes = design_axes("sample: morris\n    trajectories: 3\n    levels: 4");
  const SweepSpec a = decode_sweep(mmc_sweep_text(axes), kPath);
  const SweepSpec b = decode_sweep(mmc_sweep_text(axes), kPath);
  ASSERT_EQ(a.points.size(), 3u * 4);
  EXPECT_EQ(a.design.kind, "morris");
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  const SweepSpec other = decode_sweep(
      mmc_sweep_text(axes).replace(mmc_sweep_text(axes).find("seed: 11"), 8, "seed: 12"), kPath);
  EXPECT_NE(a.fingerprint(), other.fingerprint());
}

struct BadDesign {
  std::string axes, extra, where, message;
};

TEST(SensitivitySpec, BadDesignKeysGiveLocatedMessages) {
  const std::string rate = "      - {name: rate, path: segments.jobs.arrival_rate_per_hour, ";
  const std::vector<BadDesign> cases = {
      {design_axes("sample: morris\n    trajectories: 3\n    levels: 2"), "",
       "test_sweep.yaml:9:13:",
       "axes[0].levels: expected an even number of at least 4 levels, got 2"},
      {design_axes("sample: morris\n    trajectories: 3\n    levels: 5"), "",
       "test_sweep.yaml:9:13:", "got 5"},
      {design_axes("sample: morris\n    trajectories: 0\n    levels: 4"), "",
       "test_sweep.yaml:8:19:", "axes[0].trajectories"},
      {design_axes("sample: morris\n    levels: 4"), "",
       "test_sweep.yaml:7:5:", "missing required key 'trajectories'"},
      {design_axes("sample: sobol\n    base_samples: 0"), "",
       "test_sweep.yaml:8:19:", "axes[0].base_samples"},
      {design_axes("sample: sobol\n    count: 4"), "",
       "test_sweep.yaml:8:5:", "unknown key 'count'"},
      {design_axes("sample: sobol\n    base_samples: 4", rate + "min: 2, max: 2}\n"), "",
       "test_sweep.yaml:10:78:", "axes[0].axes[0].max: expected `max` above `min`"},
      {design_axes("sample: sobol\n    base_samples: 4",
                   rate + "min: 1, max: 2, distribution: normal, mean: 1.5}\n"),
       "",
       "test_sweep.yaml:10:9:", "axes[0].axes[0].sd: a normal distribution needs `mean` and `sd`"},
      {design_axes("sample: sobol\n    base_samples: 4",
                   rate + "min: 1, max: 2, distribution: normal, mean: 1.5, sd: -1}\n"),
       "", "test_sweep.yaml:10:118:", "axes[0].axes[0].sd"},
      {design_axes("sample: sobol\n    base_samples: 4",
                   rate + "min: 1, max: 2, distribution: normal, mean: 40, sd: 1}\n"),
       "", "test_sweep.yaml:10:109:", "almost no mass in [min, max]"},
      {design_axes("sample: sobol\n    base_samples: 4", rate + "min: 1, max: 2, sd: 1}\n"), "",
       "test_sweep.yaml:10:85:", "axes[0].axes[0].sd: only `distribution: normal` takes `sd`"},
      {design_axes("sample: sobol\n    base_samples: 4",
                   rate + "min: 0, max: 2, distribution: log_uniform}\n"),
       "",
       "test_sweep.yaml:10:70:", "axes[0].axes[0].min: a log_uniform range needs `min` above 0"},
      {design_axes("sample: sobol\n    base_samples: 4",
                   rate + "min: 1, max: 2, distribution: lognormal}\n"),
       "", "test_sweep.yaml:10:95:", "axes[0].axes[0].distribution"},
      {design_axes("sample: sobol\n    base_samples: 4") +
           "  - {path: venues.farm.pf_per_server, values: [1, 2]}\n",
       "",
       "test_sweep.yaml:7:5:", "axes[0]: a `sample: sobol` block must be the only entry of `axes`"},
      {design_axes("sample: morris\n    trajectories: 2\n    levels: 4"),
       "constraints: [\"rate < servers\"]\n", "test_sweep.yaml:8:5:",
       "a `sample: morris` block must be the only entry of `axes`, without `constraints`"},
      {design_axes("sample: sobol\n    base_samples: 3000000"), "", "test_sweep.yaml:8:19:",
       "axes[0].base_samples: the design has more than ten million points"},
  };
  for (const BadDesign& c : cases) {
    SCOPED_TRACE(c.axes + c.extra);
    const std::string message = error_of(c.axes, c.extra);
    EXPECT_THAT(message, HasSubstr(c.where));
    EXPECT_THAT(message, HasSubstr(c.message));
  }
}

// The price of the fixed venue enters no queueing quantity (every job's value is far above
// it), so its indices are zero; with common random numbers exactly zero, since the outputs of
// A and A_B^(price) are the same runs. Arrival rate and servers drive the queue.
TEST(SensitivitySweep, ThePriceOfTheMmcVenueHasNoEffectOnTheQueue) {
  TempDir dir;
  const auto path =
      dir.write("sobol.yaml", mmc_sweep_text(design_axes("sample: sobol\n    base_samples: 32"),
                                             "replications: 2\nindicators: [mean_wait_h, "
                                             "utilisation]\n"));
  const SweepSpec spec = load_sweep(path.string());
  ASSERT_EQ(run(spec, dir / "sobol.h5", 2).failed, 0u);
  const SweepResult result = read_sweep_result(dir / "sobol.h5");
  EXPECT_EQ(result.design.kind, "sobol");
  ASSERT_EQ(result.design_role.size(), result.size());
  EXPECT_EQ(result.design_role[7].matrix, spec.design_roles[result.point[7]].matrix);
  const auto analysis = analyse_sensitivity(result, "sobol.h5", {}, 200);
  ASSERT_EQ(analysis.size(), 2u);
  for (const IndicatorSensitivity& s : analysis) {
    SCOPED_TRACE(s.indicator);
    EXPECT_EQ(s.sobol.base_rows, 32u);
    EXPECT_GE(s.noise_share, 0);
    EXPECT_LT(s.noise_share, 1);
    const SobolIndex& price = s.sobol.indices[2];
    ASSERT_EQ(price.parameter, "price");
    for (const Estimate& e : {price.first, price.total}) {
      EXPECT_NEAR(e.value, 0, 1e-12);
      EXPECT_NEAR(e.low, 0, 1e-12);
      EXPECT_NEAR(e.high, 0, 1e-12);
    }
    // The rate and the servers explain the output: their total indices are clearly above 0.
    EXPECT_GT(s.sobol.indices[0].total.low, 0.01);
    EXPECT_GT(s.sobol.indices[1].total.low, 0.01);
  }

  // Two shards merged carry the same design and give the same analysis.
  run(spec, dir / "part.h5", 2, 0, 2);
  run(spec, dir / "part.h5", 2, 1, 2);
  const SweepResult merged = merge_sweep_results({read_sweep_result(dir / "part.shard-0-of-2.h5"),
                                                  read_sweep_result(dir / "part.shard-1-of-2.h5")},
                                                 {"part.shard-0-of-2.h5", "part.shard-1-of-2.h5"});
  ASSERT_EQ(merged.design_role.size(), result.size());
  for (size_t i = 0; i < result.size(); ++i) {
    EXPECT_EQ(merged.design_role[i].matrix, result.design_role[i].matrix);
    EXPECT_EQ(merged.design_role[i].parameter, result.design_role[i].parameter);
  }
  EXPECT_EQ(sweep_analyse_command({(dir / "sobol.h5").string(), {}, true, 200, ""}), [&] {
    write_sweep_result(dir / "merged.h5", merged);
    return sweep_analyse_command({(dir / "merged.h5").string(), {}, true, 200, ""});
  }());
}

TEST(SensitivitySweep, AMorrisSweepGivesOneEffectPerTrajectoryAndParameter) {
  TempDir dir;
  const auto path =
      dir.write("morris.yaml",
                mmc_sweep_text(design_axes("sample: morris\n    trajectories: 6\n    levels: 4"),
                               "indicators: [utilisation]\n"));
  ASSERT_EQ(run(load_sweep(path.string()), dir / "morris.h5", 2).failed, 0u);
  const std::string csv = sweep_analyse_command({(dir / "morris.h5").string(), {}, true, 0, ""});
  EXPECT_THAT(csv, HasSubstr("indicator,design,parameter,measure,value,ci_low,ci_high,count\n"));
  EXPECT_THAT(csv, HasSubstr("utilisation,morris,price,mu_star,0,,,6\n"));
  const auto analysis =
      analyse_sensitivity(read_sweep_result(dir / "morris.h5"), "morris.h5", {}, 0);
  ASSERT_EQ(analysis.front().morris.size(), 3u);
  EXPECT_EQ(analysis.front().morris.back().parameter, "price");  // ranked last: no effect
  EXPECT_TRUE(std::isnan(analysis.front().noise_share));         // one replication
  // The default resamples give every measure an interval around its estimate.
  const auto resampled =
      analyse_sensitivity(read_sweep_result(dir / "morris.h5"), "morris.h5", {}, kMorrisBootstrap);
  for (const MorrisEffect& m : resampled.front().morris) {
    SCOPED_TRACE(m.parameter);
    EXPECT_EQ(m.mu_star.value,
              analysis.front().morris.at(&m - resampled.front().morris.data()).mu_star.value);
    for (const Estimate& e : {m.mu_star, m.mu, m.sigma}) {
      EXPECT_LE(e.low, e.value);
      EXPECT_GE(e.high, e.value);
    }
  }
  EXPECT_LT(resampled.front().morris.front().mu_star.low,
            resampled.front().morris.front().mu_star.high);
  // An analysis file in a directory that does not exist: named, and nothing written.
  const std::string missing = (dir / "no-such-dir" / "analysis.h5").string();
  try {
    sweep_analyse_command({(dir / "morris.h5").string(), {}, false, std::nullopt, missing});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr(missing +
                                        ": cannot write the sensitivity analysis: "
                                        "cannot create '" +
                                        missing + ".partial'"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "no-such-dir"));
}

// A hand-made result of a Morris design of one parameter, two trajectories of two points and
// two replications: y = level of the point + noise of the replication (common to all points).
TEST(SensitivityAnalysis, AveragesReplicationsAndReportsTheirShareOfTheVariance) {
  const std::vector<double> level = {1.0, 3.0, 2.0, 1.0}, noise = {0.5, -0.5};
  SweepResult r;
  r.replications = 2;
  r.points_total = 4;
  r.rows_total = 8;
  r.design = {"morris", {"x"}, 4, 2, 0};
  r.indicator_names = {"y"};
  r.indicator.resize(1);
  const double delta = 2.0 / 3.0;
  const std::vector<DesignRole> roles = {{"trajectory", 0, -1, 0, 0},
                                         {"trajectory", 0, 0, 1, delta},
                                         {"trajectory", 1, -1, 0, 0},
                                         {"trajectory", 1, 0, 1, -delta}};
  for (uint64_t row = 0; row < 8; ++row) {
    r.row.push_back(row);
    r.point.push_back(row / 2);
    r.replication.push_back(row % 2);
    r.status.emplace_back("done");
    r.design_role.push_back(roles[row / 2]);
    r.indicator[0].push_back(level[row / 2] + noise[row % 2]);
  }
  const auto analysis = analyse_sensitivity(r, "hand-made", {}, 0);
  ASSERT_EQ(analysis.size(), 1u);
  const MorrisEffect& x = analysis[0].morris.at(0);
  // Effects on the means: (3 - 1) / (2/3) = 3 and (1 - 2) / (-2/3) = 1.5.
  EXPECT_DOUBLE_EQ(x.mu.value, 2.25);
  EXPECT_DOUBLE_EQ(x.mu_star.value, 2.25);
  EXPECT_DOUBLE_EQ(x.sigma.value, std::sqrt(2 * 0.75 * 0.75));
  // W = (0.5 - -0.5)^2 / 2 = 0.5 at every point; M = sample variance of {1, 3, 2, 1} = 11/12.
  EXPECT_DOUBLE_EQ(analysis[0].noise_share, 0.5 / (0.5 + 11.0 / 12.0));
  EXPECT_EQ(analysis[0].points, 4u);
}

TEST(SensitivitySpec, TheShippedDesignsValidate) {
  EXPECT_THAT(validate_sweep_command(GPUMARKET_SOURCE_DIR "/scenarios/sweeps/mmc_sobol.yaml"),
              HasSubstr("valid sweep: 320 points x 2 replications = 640 rows, 3 indicator(s)"));
  EXPECT_THAT(validate_sweep_command(GPUMARKET_SOURCE_DIR "/scenarios/sweeps/bull_morris.yaml"),
              HasSubstr("valid sweep: 60 points x 2 replications = 120 rows, 4 indicator(s)"));
}

TEST(SensitivitySweep, AnalysingASweepWithoutADesignNamesTheFile) {
  TempDir dir;
  const auto path =
      dir.write("grid.yaml", mmc_sweep_text("  - {path: venues.farm.servers, values: [3, 4]}\n",
                                            "indicators: [utilisation]\n"));
  run(load_sweep(path.string()), dir / "grid.h5", 2);
  const std::string file = (dir / "grid.h5").string();
  try {
    sweep_analyse_command({file, {}, false, 10, ""});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr(file + ": the sweep has no sensitivity design"));
  }
  try {
    sweep_analyse_command({file, {}, false, 1'000'000, ""});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("--bootstrap 1000000: expected at most 100000"));
  }
}

}  // namespace
}  // namespace gpumarket
