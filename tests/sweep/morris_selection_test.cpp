// Campolongo's choice of Morris trajectories (morris_selection.hpp): the chosen set spreads at
// least as much as others of its size, is still a Morris design, and is the same for a seed.
#include "gpumarket/sweep/morris_selection.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "gpumarket/sweep/sweep_spec.hpp"
#include "sweep_fixtures.hpp"

namespace gpumarket {
namespace {

UnitDesign candidates(size_t k, uint64_t m, uint64_t seed) {
  RandomEngine engine = make_stream(seed, "test/morris");
  return morris_design(k, m, 4, engine);
}

std::vector<uint64_t> all(uint64_t r) {
  std::vector<uint64_t> v(r);
  std::iota(v.begin(), v.end(), uint64_t{0});
  return v;
}

// Each trajectory starts on the grid and moves every parameter once by +-Delta (4 levels:
// Delta = 2/3), its roles numbered 0 .. r - 1.
void expect_morris_design(const UnitDesign& d, size_t k, uint64_t r) {
  ASSERT_EQ(d.design.trajectories, r);
  ASSERT_EQ(d.unit.size(), r * (k + 1));
  for (uint64_t t = 0; t < r; ++t) {
    std::set<int64_t> moved;
    for (uint64_t s = 0; s <= k; ++s) {
      const size_t p = t * (k + 1) + s;
      EXPECT_EQ(d.roles[p].sample, t);
      EXPECT_EQ(d.roles[p].step, s);
      for (double u : d.unit[p]) EXPECT_NEAR(u * 3, std::round(u * 3), 1e-12);  // a level
      if (s == 0) continue;
      moved.insert(d.roles[p].parameter);
      EXPECT_NEAR(std::abs(d.roles[p].delta), 2.0 / 3.0, 1e-15);
      for (size_t c = 0; c < k; ++c) {
        const bool is_moved = static_cast<int64_t>(c) == d.roles[p].parameter;
        EXPECT_NEAR(d.unit[p][c] - d.unit[p - 1][c], is_moved ? d.roles[p].delta : 0, 1e-12);
      }
    }
    EXPECT_EQ(moved.size(), k);
  }
}

TEST(MorrisSelection, TheDistanceSumsThePointsPairwiseDistances) {
  const UnitDesign d = candidates(1, 2, 1);  // two trajectories of two points on a line
  double expected = 0;
  for (size_t i = 0; i < 2; ++i) {
    for (size_t j = 2; j < 4; ++j) expected += std::abs(d.unit[i][0] - d.unit[j][0]);
  }
  EXPECT_DOUBLE_EQ(trajectory_distance(d, 0, 1), expected);
  EXPECT_DOUBLE_EQ(trajectory_distance(d, 1, 0), expected);
  EXPECT_EQ(trajectory_distance(d, 1, 1), 0);
  EXPECT_DOUBLE_EQ(trajectory_spread(d, {0, 1}), expected);
}

TEST(MorrisSelection, ExactSearchBeatsEveryOtherSubset) {
  const size_t k = 3;
  const UnitDesign c = candidates(k, 10, 2);  // C(10, 4) = 210 subsets: searched exhaustively
  const UnitDesign chosen = select_spread_trajectories(c, 4);
  expect_morris_design(chosen, k, 4);
  const double spread = trajectory_spread(chosen, all(4));
  EXPECT_GT(spread, trajectory_spread(c, all(4)));  // the first four are not the best
  for (uint64_t mask = 0; mask < (1u << 10); ++mask) {
    if (__builtin_popcountll(mask) != 4) continue;
    std::vector<uint64_t> subset;
    for (uint64_t t = 0; t < 10; ++t) {
      if (mask >> t & 1) subset.push_back(t);
    }
    EXPECT_GE(spread * (1 + 1e-12), trajectory_spread(c, subset));
  }
}

TEST(MorrisSelection, GreedySelectionSpreadsMoreThanRandomSubsets) {
  const size_t k = 4;
  const uint64_t m = 60, r = 10;  // C(60, 10) ~ 7.5e10: greedy
  const UnitDesign c = candidates(k, m, 3);
  const UnitDesign chosen = select_spread_trajectories(c, r);
  expect_morris_design(chosen, k, r);
  const double spread = trajectory_spread(chosen, all(r));
  EXPECT_GT(spread, trajectory_spread(c, all(r)));
  RandomEngine engine = make_stream(4, "test/subsets");
  for (int draw = 0; draw < 300; ++draw) {
    std::vector<uint64_t> order = all(m);
    for (size_t i = m; i > 1; --i) std::swap(order[i - 1], order[uniform_below(engine, i)]);
    order.resize(r);
    EXPECT_GT(spread, trajectory_spread(c, order));
  }
  // Each chosen trajectory is one of the candidates, unchanged.
  for (uint64_t t = 0; t < r; ++t) {
    bool found = false;
    for (uint64_t s = 0; s < m && !found; ++s) {
      found = std::equal(chosen.unit.begin() + static_cast<std::ptrdiff_t>(t * (k + 1)),
                         chosen.unit.begin() + static_cast<std::ptrdiff_t>((t + 1) * (k + 1)),
                         c.unit.begin() + static_cast<std::ptrdiff_t>(s * (k + 1)));
    }
    EXPECT_TRUE(found) << "trajectory " << t;
  }
}

TEST(MorrisSelection, ASweepsCandidatesAreChosenTheSameWayForASeed) {
  const std::string path = GPUMARKET_SOURCE_DIR "/tests/sweep/test_sweep.yaml";
  const std::string axes =
      "  - sample: morris\n    trajectories: 4\n    levels: 4\n    candidates: 30\n    axes:\n"
      "      - {name: rate, path: segments.jobs.arrival_rate_per_hour, min: 1, max: 2}\n"
      "      - {name: servers, path: venues.farm.servers, min: 3, max: 6, integer: true}\n";
  const SweepSpec a = decode_sweep(testing::mmc_sweep_text(axes), path);
  const SweepSpec b = decode_sweep(testing::mmc_sweep_text(axes), path);
  ASSERT_EQ(a.points.size(), 4u * 3);
  EXPECT_EQ(a.design.trajectories, 4u);
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  for (size_t p = 0; p < a.points.size(); ++p) {
    EXPECT_EQ(a.points[p].values[0].text, b.points[p].values[0].text);
    EXPECT_EQ(a.design_roles[p].sample, p / 3);
  }
  // Without candidates: the first four random trajectories, another design.
  std::string plain = axes;
  plain.erase(plain.find("    candidates: 30\n"), 19);
  EXPECT_NE(decode_sweep(testing::mmc_sweep_text(plain), path).fingerprint(), a.fingerprint());
}

}  // namespace
}  // namespace gpumarket
