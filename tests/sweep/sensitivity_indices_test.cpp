// The designs and estimators of sensitivity_design.hpp and sensitivity_indices.hpp against
// the Ishigami function, whose indices are known in closed form.
#include "gpumarket/sweep/sensitivity_indices.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <set>

#include "gpumarket/sweep/sensitivity_design.hpp"

namespace gpumarket {
namespace {

constexpr double kPi = std::numbers::pi;

// f = sin x1 + a sin^2 x2 + b x3^4 sin x1, a = 7, b = 0.1 (Ishigami and Homma 1990).
double ishigami(const std::vector<double>& x) {
  return std::sin(x[0]) + 7 * std::sin(x[1]) * std::sin(x[1]) +
         0.1 * std::pow(x[2], 4) * std::sin(x[0]);
}

// The outputs of a unit design mapped to U(-pi, pi)^3 by the sweep's own parameter_value.
std::vector<double> ishigami_outputs(UnitDesign& design) {
  design.design.parameters = {"x1", "x2", "x3"};
  const ParameterRange range{-kPi, kPi, ParameterDistribution::Uniform, 0, 1, false};
  std::vector<double> y;
  y.reserve(design.unit.size());
  for (const std::vector<double>& u : design.unit) {
    y.push_back(ishigami({parameter_value(range, u[0]), parameter_value(range, u[1]),
                          parameter_value(range, u[2])}));
  }
  return y;
}

// Analytic values: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2, V1 = (1 + b pi^4/5)^2 / 2,
// V2 = a^2/8, V13 = b^2 pi^8 (1/18 - 1/50) (Saltelli et al. 2008, section 4.2).
TEST(SobolIndices, IshigamiIndicesLieInTheirBootstrapIntervals) {
  const double first[] = {0.3139, 0.4424, 0.0};
  const double total[] = {0.5576, 0.4424, 0.2437};
  UnitDesign design = sobol_design(3, 4096);
  ASSERT_EQ(design.unit.size(), 4096u * 5);
  const std::vector<double> y = ishigami_outputs(design);
  for (const uint64_t seed : {1u, 2u, 3u}) {  // the intervals' resampling streams
    RandomEngine engine = make_stream(seed, "test/bootstrap");
    const SobolIndices s = sobol_indices(design.design, design.roles, y, 500, engine);
    ASSERT_EQ(s.indices.size(), 3u);
    EXPECT_EQ(s.base_rows, 4096u);
    EXPECT_NEAR(s.variance, 13.845, 0.3);  // the analytic V, to sampling error
    for (size_t i = 0; i < 3; ++i) {
      const SobolIndex& x = s.indices[i];
      SCOPED_TRACE(x.parameter + " seed " + std::to_string(seed));
      EXPECT_LE(x.first.low, first[i]);
      EXPECT_GE(x.first.high, first[i]);
      EXPECT_LE(x.total.low, total[i]);
      EXPECT_GE(x.total.high, total[i]);
      // Intervals narrow enough to mean something at N = 4096.
      EXPECT_LT(x.first.high - x.first.low, 0.15);
      EXPECT_LT(x.total.high - x.total.low, 0.1);
      EXPECT_NEAR(x.first.value, first[i], 0.05);
      EXPECT_NEAR(x.total.value, total[i], 0.05);
    }
  }
}

TEST(SobolDesign, FollowsSaltellisScheme) {
  const UnitDesign d = sobol_design(4, 8);
  ASSERT_EQ(d.unit.size(), 8u * 6);
  for (uint64_t j = 0; j < 8; ++j) {
    const size_t a = j * 6, b = a + 1;
    EXPECT_EQ(d.roles[a].matrix, "A");
    EXPECT_EQ(d.roles[b].matrix, "B");
    EXPECT_NE(d.unit[a], d.unit[b]);  // the sequence's first point, where they coincide, is skipped
    for (size_t i = 0; i < 4; ++i) {
      const size_t p = a + 2 + i;
      EXPECT_EQ(d.roles[p].matrix, "AB");
      EXPECT_EQ(d.roles[p].parameter, static_cast<int64_t>(i));
      EXPECT_EQ(d.roles[p].sample, j);
      for (size_t c = 0; c < 4; ++c) EXPECT_EQ(d.unit[p][c], c == i ? d.unit[b][c] : d.unit[a][c]);
    }
  }
}

TEST(MorrisDesign, EachStepMovesOneParameterByDeltaOnTheGrid) {
  const uint64_t levels = 6;
  const double delta = 6.0 / 10.0;
  RandomEngine engine = make_stream(3, "test/morris");
  const UnitDesign d = morris_design(5, 40, levels, engine);
  ASSERT_EQ(d.unit.size(), 40u * 6);
  for (uint64_t t = 0; t < 40; ++t) {
    std::set<int64_t> moved;
    for (uint64_t s = 0; s <= 5; ++s) {
      const size_t p = t * 6 + s;
      EXPECT_EQ(d.roles[p].step, s);
      for (double u : d.unit[p]) {
        EXPECT_GE(u, 0);
        EXPECT_LE(u, 1);
        const double level = u * static_cast<double>(levels - 1);
        EXPECT_NEAR(level, std::round(level), 1e-12);
      }
      if (s == 0) continue;
      moved.insert(d.roles[p].parameter);
      EXPECT_NEAR(std::abs(d.roles[p].delta), delta, 1e-15);
      for (size_t c = 0; c < 5; ++c) {
        const double change = d.unit[p][c] - d.unit[p - 1][c];
        EXPECT_NEAR(change, static_cast<int64_t>(c) == d.roles[p].parameter ? d.roles[p].delta : 0,
                    1e-12);
      }
    }
    EXPECT_EQ(moved.size(), 5u);  // every parameter once
  }
}

// On the 4-level grid {-pi, -pi/3, pi/3, pi} with Delta = 2/3, every move of x2 changes
// 7 sin^2 x2 by 7 * 3/4, so |EE_2| = 7.875 exactly; E|EE_1| = 7.705 and E|EE_3| = 6.249 (the
// grid's levels are equally likely at every step). Expected order: x2 and x1 above x3
// (x2 slightly above x1, by less than sampling error at this r, so not checked).
TEST(MorrisEffects, RanksTheIshigamiInputsOverSeveralSeeds) {
  for (const uint64_t seed : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomEngine engine = make_stream(seed, "test/morris");
    UnitDesign d = morris_design(3, 500, 4, engine);
    const std::vector<double> y = ishigami_outputs(d);
    const std::vector<MorrisEffect> e = morris_effects(d.design, d.roles, y, 0, engine);
    ASSERT_EQ(e.size(), 3u);
    for (const MorrisEffect& m : e) EXPECT_EQ(m.effects, 500u);
    EXPECT_NEAR(e[1].mu_star.value, 7.875, 1e-9);
    EXPECT_NEAR(e[1].sigma.value * e[1].sigma.value, 7.875 * 7.875 - e[1].mu.value * e[1].mu.value,
                0.2);  // |EE| fixed
    // sd of |EE| is 6.25 for x1 and x3: 4 standard errors at r = 500 is 1.12.
    EXPECT_NEAR(e[0].mu_star.value, 7.705, 1.12);
    EXPECT_NEAR(e[2].mu_star.value, 6.249, 1.12);
    EXPECT_GT(e[0].mu_star.value, e[2].mu_star.value);
    EXPECT_GT(e[1].mu_star.value, e[2].mu_star.value);
  }
}

// Morris's measures on the Ishigami function at r trajectories, their intervals from 1000
// resamples of the trajectories.
std::vector<MorrisEffect> ishigami_morris(uint64_t trajectories, uint64_t seed) {
  RandomEngine design_engine = make_stream(seed, "test/morris");
  UnitDesign d = morris_design(3, trajectories, 4, design_engine);
  const std::vector<double> y = ishigami_outputs(d);
  RandomEngine bootstrap_engine = make_stream(seed, "test/bootstrap");
  return morris_effects(d.design, d.roles, y, 1000, bootstrap_engine);
}

double width(const Estimate& e) { return e.high - e.low; }

TEST(MorrisEffects, IshigamiIntervalsHoldTheEstimateAndShrinkAsTrajectoriesGrow) {
  for (const uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<MorrisEffect> few = ishigami_morris(50, seed);
    const std::vector<MorrisEffect> many = ishigami_morris(800, seed);
    for (const auto* effects : {&few, &many}) {
      for (const MorrisEffect& m : *effects) {
        SCOPED_TRACE(m.parameter);
        for (const Estimate& e : {m.mu_star, m.mu, m.sigma}) {
          EXPECT_LE(e.low, e.value);
          EXPECT_GE(e.high, e.value);
        }
      }
    }
    // 16 times the trajectories: intervals about 4 times narrower (2 allows for the noise of
    // the interval ends at r = 50). x2's |EE| is 7.875 at every step, so its mu* has no spread.
    for (size_t i = 0; i < 3; ++i) {
      SCOPED_TRACE(few[i].parameter);
      EXPECT_GT(width(few[i].mu), 0);
      EXPECT_LT(width(many[i].mu), width(few[i].mu) / 2);
      EXPECT_LT(width(many[i].sigma), width(few[i].sigma) / 2);
      if (i == 1) {
        EXPECT_NEAR(width(many[i].mu_star), 0, 1e-9);
      } else {
        EXPECT_LT(width(many[i].mu_star), width(few[i].mu_star) / 2);
      }
    }
  }
}

// E|EE_1| = 7.705 and |EE_2| = 7.875 against E|EE_3| = 6.249 (see the test above): at r = 2000
// the intervals' half-width is about 0.27, so x3's interval lies below the other two; x1 and x2
// differ by less than their intervals and are not ordered.
TEST(MorrisEffects, IshigamiIntervalsSeparateX3BelowX1AndX2) {
  for (const uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<MorrisEffect> e = ishigami_morris(2000, seed);
    EXPECT_LT(e[2].mu_star.high, e[0].mu_star.low);
    EXPECT_LT(e[2].mu_star.high, e[1].mu_star.low);
    EXPECT_LT(width(e[0].mu_star), 0.7);
  }
}

TEST(MorrisEffects, TheBootstrapIsDeterministicForASeed) {
  RandomEngine design_engine = make_stream(4, "test/morris");
  UnitDesign d = morris_design(3, 40, 4, design_engine);
  const std::vector<double> y = ishigami_outputs(d);
  const auto intervals = [&](uint64_t seed, uint64_t bootstrap) {
    RandomEngine engine = make_stream(seed, "test/bootstrap");
    std::vector<double> ends;
    for (const MorrisEffect& m : morris_effects(d.design, d.roles, y, bootstrap, engine)) {
      for (const Estimate& e : {m.mu_star, m.mu, m.sigma})
        ends.push_back(e.low), ends.push_back(e.high);
    }
    return ends;
  };
  const std::vector<double> first = intervals(7, 200);
  EXPECT_EQ(first, intervals(7, 200));  // bit for bit
  EXPECT_NE(first, intervals(8, 200));
  for (double end : intervals(7, 0)) EXPECT_TRUE(std::isnan(end));  // no resamples: no interval
}

TEST(MorrisEffects, LeavesOutEffectsWithoutBothOutputs) {
  RandomEngine engine = make_stream(1, "test/morris");
  UnitDesign d = morris_design(3, 10, 4, engine);
  std::vector<double> y = ishigami_outputs(d);
  y[4 * 2 + 1] = std::nan("");  // trajectory 2, step 1: two effects lose an end
  const std::vector<MorrisEffect> e = morris_effects(d.design, d.roles, y, 0, engine);
  uint64_t effects = 0;
  for (const MorrisEffect& m : e) effects += m.effects;
  EXPECT_EQ(effects, 30u - 2);
}

TEST(ParameterValue, IsTheQuantileOfTheDistribution) {
  const ParameterRange log_uniform{1, 100, ParameterDistribution::LogUniform, 0, 1, false};
  EXPECT_NEAR(parameter_value(log_uniform, 0.5), 10, 1e-12);
  EXPECT_EQ(parameter_value(log_uniform, 0), 1);
  EXPECT_EQ(parameter_value(log_uniform, 1), 100);
  // Normal(0, 1) truncated to [-1, 1]: symmetric, so its median is 0; its u-quantile is
  // Phi^-1(Phi(-1) + u (Phi(1) - Phi(-1))), at u = 0.25 -0.441771 (scipy.stats.norm.ppf).
  const ParameterRange normal{-1, 1, ParameterDistribution::Normal, 0, 1, false};
  EXPECT_NEAR(parameter_value(normal, 0.5), 0, 1e-12);
  EXPECT_NEAR(parameter_value(normal, 0.25), -0.441771, 1e-6);
  EXPECT_EQ(parameter_value(normal, 1), 1);
  const ParameterRange servers{2, 8, ParameterDistribution::Uniform, 0, 1, true};
  EXPECT_EQ(parameter_value(servers, 0.49), 5);
}

}  // namespace
}  // namespace gpumarket
