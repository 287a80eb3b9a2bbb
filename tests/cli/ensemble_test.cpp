// `run --replications N`: replication r is the run with seed derive_seed(seed, "replication/<r>"),
// bit for bit, whatever the number of threads; and the ensemble's statistics against a direct
// computation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "gpumarket/cli/ensemble_command.hpp"
#include "gpumarket/core/random.hpp"
#include "gpumarket/io/sweep_result_file.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::TempDir;

const std::string kMmc = std::string(GPUMARKET_SOURCE_DIR) + "/scenarios/mmc.yaml";
const std::vector<std::string> kShort = {"horizon=1500h"};
constexpr uint64_t kSeed = 42;  // mmc.yaml's

SweepResult ensemble(const TempDir& dir, const std::string& name, unsigned threads) {
  EnsembleCommand command;
  command.run.scenario_path = kMmc;
  command.run.overrides = kShort;
  command.run.output_path = (dir / name).string();
  command.replications = 3;
  command.threads = threads;
  command.quiet = true;
  const EnsembleReport report = run_ensemble_command(command);
  EXPECT_EQ(report.sweep.done, 3u);
  EXPECT_EQ(report.indicators.size(), read_sweep_result(dir / name).indicator_names.size());
  return read_sweep_result(dir / name);
}

TEST(Ensemble, EachReplicationIsTheRunWithItsDerivedSeedOnOneAndTwoThreads) {
  const TempDir dir;
  const SweepResult one = ensemble(dir, "one.h5", 1);
  const SweepResult two = ensemble(dir, "two.h5", 2);
  ASSERT_EQ(one.size(), 3u);
  ASSERT_EQ(two.size(), 3u);
  for (size_t i = 0; i < one.size(); ++i) {
    const uint64_t r = one.replication[i];
    const uint64_t seed = derive_seed(kSeed, "replication/" + std::to_string(r));
    EXPECT_EQ(one.seed[i], seed);
    RunCommand run;
    run.scenario_path = kMmc;
    run.overrides = kShort;
    run.seed = seed;
    run.output_path = (dir / ("single-" + std::to_string(r) + ".h5")).string();
    const RunReport single = run_scenario_command(run);
    size_t compared = 0;
    for (const SummaryValue& v : single.summary) {
      for (size_t k = 0; k < one.indicator_names.size(); ++k) {
        if (one.indicator_names[k] != v.name) continue;
        // Bit for bit: NaN where the run has none, the same double otherwise.
        if (std::isnan(v.value)) {
          EXPECT_TRUE(std::isnan(one.indicator[k][i])) << v.name;
        } else {
          EXPECT_EQ(one.indicator[k][i], v.value) << v.name << " replication " << r;
        }
        const size_t j =
            std::find(two.replication.begin(), two.replication.end(), r) - two.replication.begin();
        ASSERT_LT(j, two.size());
        if (!std::isnan(v.value)) {
          EXPECT_EQ(two.indicator[k][j], v.value) << v.name;
        }
        ++compared;
      }
    }
    EXPECT_EQ(compared, single.summary.size());
  }
}

TEST(Ensemble, StatisticsAreTheMeanStudentIntervalMedianAndRangeOfTheFinishedRows) {
  SweepResult r;
  r.indicator_names = {"x", "empty"};
  r.indicator_units = {"h", "1"};
  r.row = {0, 1, 2, 3, 4, 5};
  r.status = {"done", "done", "failed", "done", "done", "done"};
  // The failed row's value and the NaN are left out: x over {1, 2, 3, 4}.
  r.indicator = {{1, 2, 100, std::nan(""), 3, 4}, std::vector<double>(6, std::nan(""))};
  const std::vector<IndicatorEnsemble> e = summarise_ensemble(r);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].replications, 4u);
  EXPECT_DOUBLE_EQ(e[0].mean, 2.5);
  // Sample sd sqrt(5/3); t(0.975, 3 dof) = 3.182446305 (statistical tables).
  const double half = 3.182446305 * std::sqrt(5.0 / 3.0) / 2.0;
  EXPECT_NEAR(e[0].ci_low, 2.5 - half, 1e-8);
  EXPECT_NEAR(e[0].ci_high, 2.5 + half, 1e-8);
  EXPECT_DOUBLE_EQ(e[0].median, 2.5);
  EXPECT_EQ(e[0].min, 1.0);
  EXPECT_EQ(e[0].max, 4.0);
  EXPECT_EQ(e[0].unit, "h");
  EXPECT_EQ(e[1].replications, 0u);
  EXPECT_TRUE(std::isnan(e[1].mean));
}

// An ensemble's output is named after its scenario: after the scenario changes, running it
// again runs the new ensemble and keeps the earlier one aside, rather than refusing.
TEST(Ensemble, AnEnsembleOfOtherInputsAtTheOutputIsKeptAsideAndTheNewOneRuns) {
  const TempDir dir;
  EnsembleCommand command;
  command.run.scenario_path = kMmc;
  command.run.overrides = kShort;
  command.run.output_path = (dir / "ens.h5").string();
  command.replications = 2;
  command.quiet = true;
  command.bands = false;
  run_ensemble_command(command);
  const SweepResult first = read_sweep_result(dir / "ens.h5");
  command.run.overrides = {"horizon=1200h"};
  const EnsembleReport second = run_ensemble_command(command);
  EXPECT_EQ(second.sweep.ran, 2u);  // nothing resumed from the other ensemble
  EXPECT_NE(read_sweep_result(dir / "ens.h5").fingerprint, first.fingerprint);
  EXPECT_EQ(read_sweep_result(dir / "ens.old-1.h5").fingerprint, first.fingerprint);
  // The same inputs again resume: nothing runs.
  EXPECT_EQ(run_ensemble_command(command).sweep.ran, 0u);
  EXPECT_FALSE(std::filesystem::exists(dir / "ens.old-2.h5"));
}

TEST(Ensemble, RefusesZeroReplications) {
  EnsembleCommand command;
  command.run.scenario_path = kMmc;
  command.replications = 0;
  EXPECT_THROW(run_ensemble_command(command), Error);
}

}  // namespace
}  // namespace gpumarket
