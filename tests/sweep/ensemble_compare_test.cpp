// Paired comparison of two ensembles: the interval's coverage of a known difference, the
// refusals (a sweep of several points, different seeds), and ensembles of the M/M/c scenario
// with 3 and 4 servers.
#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "gpumarket/cli/ensemble_command.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/core/random.hpp"
#include "gpumarket/sweep/ensemble.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::TempDir;

// An ensemble result of one indicator "x" with the given values, one replication each.
SweepResult toy_ensemble(const std::vector<double>& x, uint64_t seed = 7) {
  SweepResult r;
  r.points_total = 1;
  r.sweep_seed = seed;
  r.replications = x.size();
  r.indicator_names = {"x"};
  r.indicator_units = {"1"};
  r.indicator = {x};
  for (size_t i = 0; i < x.size(); ++i) {
    r.row.push_back(i);
    r.point.push_back(0);
    r.replication.push_back(i);
    r.seed.push_back(derive_seed(seed, "replication/" + std::to_string(i)));
    r.status.emplace_back("done");
  }
  return r;
}

// B = A + δ + ε over 10 pairs, A carrying a large noise both share (common random numbers)
// and ε a small one of its own: over 2,000 repetitions the 95 % interval covers δ at a rate
// within 3 binomial standard errors (0.0049) of 0.95.
TEST(EnsembleCompare, ThePairedIntervalCoversAKnownDifferenceAtItsLevel) {
  constexpr double kDelta = 0.3;
  constexpr int kRepetitions = 2000, kPairs = 10;
  RandomEngine rng = make_stream(2026, "test/ensemble-coverage");
  boost::random::normal_distribution<double> shared(5.0, 2.0), own(0.0, 0.5);
  int covered = 0;
  double width_paired = 0, width_unpaired = 0;
  for (int t = 0; t < kRepetitions; ++t) {
    std::vector<double> a, b;
    for (int i = 0; i < kPairs; ++i) {
      const double common = shared(rng);
      a.push_back(common + own(rng));
      b.push_back(common + kDelta + own(rng));
    }
    const std::vector<PairedDifference> d =
        compare_ensembles(toy_ensemble(a), toy_ensemble(b), "a", "b");
    ASSERT_EQ(d.size(), 1u);
    ASSERT_EQ(d[0].pairs, static_cast<uint64_t>(kPairs));
    if (d[0].ci_low <= kDelta && kDelta <= d[0].ci_high) ++covered;
    width_paired += d[0].ci_high - d[0].ci_low;
    width_unpaired += 2 * d[0].unpaired_half_width;
  }
  const double rate = static_cast<double>(covered) / kRepetitions;
  const double se = std::sqrt(0.95 * 0.05 / kRepetitions);
  EXPECT_NEAR(rate, 0.95, 3 * se);
  // What pairing gains: the shared noise cancels (sd 2 against 0.5 · √2).
  EXPECT_LT(width_paired, 0.5 * width_unpaired);
}

TEST(EnsembleCompare, RefusesASweepOfSeveralPointsAndDifferentSeeds) {
  SweepResult sweep = toy_ensemble({1, 2, 3});
  sweep.points_total = 2;
  EXPECT_THROW(compare_ensembles(sweep, toy_ensemble({1, 2, 3}), "grid", "b"), Error);
  try {
    compare_ensembles(toy_ensemble({1, 2}, 7), toy_ensemble({1, 2}, 8), "a", "b");
    ADD_FAILURE() << "different seeds were compared";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a has seed 7 and b has seed 8"), std::string::npos)
        << e.what();
  }
}

// One more server shortens the wait of every replication of the M/M/c queue (rho 0.8 against
// 0.6): the paired difference 4 − 3 servers is negative, its interval below zero.
TEST(EnsembleCompare, OneMoreServerShortensTheWaitOfTheMmcQueue) {
  const TempDir dir;
  const std::string mmc = std::string(GPUMARKET_SOURCE_DIR) + "/scenarios/mmc.yaml";
  for (const auto& [name, servers] : {std::pair{"three", "3"}, std::pair{"four", "4"}}) {
    EnsembleCommand run;
    run.run.scenario_path = mmc;
    run.run.overrides = {"horizon=3000h", std::string("venues.farm.servers=") + servers};
    run.run.output_path = (dir / (std::string(name) + ".h5")).string();
    run.replications = 4;
    run.quiet = true;
    run_ensemble_command(run);
  }
  const std::vector<std::string> files = {(dir / "three.h5").string(), (dir / "four.h5").string()};
  EXPECT_TRUE(are_ensemble_files(files));
  EnsembleCompareCommand compare;
  compare.paths = files;
  compare.only = {"mean_wait_h"};
  compare.csv = true;
  const std::string csv = compare_ensembles_command(compare);
  // indicator,unit,three,four,difference,ci_low,ci_high,pairs
  const std::string row = csv.substr(csv.find('\n') + 1);
  std::vector<std::string> fields;
  for (size_t at = 0, next = 0; at < row.size(); at = next + 1) {
    next = row.find_first_of(",\n", at);
    fields.push_back(row.substr(at, next - at));
  }
  ASSERT_GE(fields.size(), 8u) << csv;
  EXPECT_EQ(fields[0], "mean_wait_h");
  EXPECT_LT(std::stod(fields[4]), 0.0) << csv;
  EXPECT_LT(std::stod(fields[6]), 0.0) << csv;  // the whole interval below zero
  EXPECT_EQ(fields[7], "4");
}

}  // namespace
}  // namespace gpumarket
