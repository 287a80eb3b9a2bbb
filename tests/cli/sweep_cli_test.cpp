// `gpumarket sweep` and `validate` on sweep files through the real executable: checks before
// any row runs, --dry-run, --fresh.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "run_binary.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::ProcessResult;
using gpumarket::testing::run_gpumarket;
using gpumarket::testing::TempDir;
namespace fs = std::filesystem;

// A two-point sweep over a shortened scenarios/mmc.yaml; `base_extra` goes into the base.
std::string sweep_text(const std::string& servers = "[3, 4]", const std::string& base_extra = "") {
  return "base:\n  extends: " GPUMARKET_SOURCE_DIR
         "/scenarios/mmc.yaml\n  horizon: 300h\n"
         "  warmup: 20h\n" +
         base_extra +
         "indicators: [mean_wait_h]\naxes:\n"
         "  - {name: servers, path: venues.farm.servers, values: " +
         servers + "}\n";
}

TEST(CliSweep, DryRunPrintsOnePointPerLineAndRunsNothing) {
  const TempDir dir;
  dir.write("sweep.yaml", sweep_text());
  const ProcessResult result =
      run_gpumarket({"sweep", "sweep.yaml", "-o", "out/grid.h5", "--dry-run"}, dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "point 0: venues.farm.servers=3\n"
            "point 1: venues.farm.servers=4\n");
  EXPECT_NE(result.err.find("2 points x 1 replications = 2 rows; nothing was run"),
            std::string::npos)
      << result.err;
  EXPECT_FALSE(fs::exists(dir / "out")) << "a dry run writes nothing";
}

// --threads and --shard read whole numbers as the scenario does: CLI11 alone would take hex
// and leading spaces, and strtoull saturates above 2^64.
TEST(CliSweep, ThreadsAndShardAreStrictWholeNumbers) {
  const TempDir dir;
  dir.write("sweep.yaml", sweep_text());
  struct Case {
    std::vector<std::string> option;
    std::string phrase;
  };
  for (const Case& c : std::vector<Case>{
           {{"--threads", "0x4"}, "--threads: '0x4': expected a whole number from 0 to 4294967295"},
           {{"--threads", " 2"}, "--threads: ' 2': expected a whole number"},
           {{"--threads", "4294967296"}, "from 0 to 4294967295, and this is larger"},
           {{"--shard", "18446744073709551617/18446744073709551618"},
            "--shard 18446744073709551617/"},
           {{"--shard", "0x1/4"}, "expected i/N with whole numbers"}}) {
    std::vector<std::string> args = {"sweep", "sweep.yaml", "-o", "out.h5", "--dry-run"};
    args.insert(args.end(), c.option.begin(), c.option.end());
    const ProcessResult result = run_gpumarket(args, dir.path());
    EXPECT_NE(result.exit_code, 0) << c.option[1];
    EXPECT_NE(result.err.find(c.phrase), std::string::npos) << result.err;
    EXPECT_EQ(result.out, "") << c.option[1];
  }
}

TEST(CliSweep, AnInvalidBaseIsOneLocatedErrorBeforeAnyRowRuns) {
  const TempDir dir;
  // A negative tick: every point would fail alike.
  dir.write("sweep.yaml", sweep_text("[3, 4]", "  tick: -1h\n"));
  const ProcessResult result = run_gpumarket({"sweep", "sweep.yaml", "-o", "out.h5"}, dir.path());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("sweep.yaml:5:"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("no point of the sweep loads; nothing was run"), std::string::npos)
      << result.err;
  EXPECT_FALSE(fs::exists(dir / "out.h5"));
  EXPECT_FALSE(fs::exists(dir / "out.h5.journal")) << "no row may have run";
}

TEST(CliSweep, FreshMovesTheEarlierJournalAndResultAsideAndStartsOver) {
  const TempDir dir;
  dir.write("sweep.yaml", sweep_text());
  ASSERT_EQ(run_gpumarket({"sweep", "sweep.yaml", "-o", "out.h5", "-q"}, dir.path()).exit_code, 0);
  const std::string journal = gpumarket::testing::read_text(dir / "out.h5.journal/rank-0-of-1.log");
  // A plain rerun resumes: nothing runs again.
  const ProcessResult resumed = run_gpumarket({"sweep", "sweep.yaml", "-o", "out.h5"}, dir.path());
  EXPECT_NE(resumed.err.find("ran 0 now (2 skipped)"), std::string::npos) << resumed.err;

  const ProcessResult fresh =
      run_gpumarket({"sweep", "sweep.yaml", "-o", "out.h5", "--fresh"}, dir.path());
  EXPECT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_NE(fresh.err.find("ran 2 now (0 skipped)"), std::string::npos) << fresh.err;
  EXPECT_NE(fresh.err.find("the earlier run is kept as out.old-1.h5"), std::string::npos)
      << fresh.err;
  EXPECT_TRUE(fs::exists(dir / "out.h5"));
  EXPECT_TRUE(fs::exists(dir / "out.old-1.h5"));
  EXPECT_EQ(gpumarket::testing::read_text(dir / "out.old-1.h5.journal/rank-0-of-1.log"), journal);
  // A second --fresh keeps the first one's files too.
  EXPECT_EQ(
      run_gpumarket({"sweep", "sweep.yaml", "-o", "out.h5", "--fresh", "-q"}, dir.path()).exit_code,
      0);
  EXPECT_TRUE(fs::exists(dir / "out.old-1.h5.journal"));
  EXPECT_TRUE(fs::exists(dir / "out.old-2.h5.journal"));
}

TEST(CliSweep, RefusesTheJournalOfAnEditedSweepAndPointsToFresh) {
  const TempDir dir;
  dir.write("sweep.yaml", sweep_text());
  ASSERT_EQ(run_gpumarket({"sweep", "sweep.yaml", "-o", "out.h5", "-q"}, dir.path()).exit_code, 0);
  dir.write("sweep.yaml", sweep_text("[3, 5]"));
  const ProcessResult refused = run_gpumarket({"sweep", "sweep.yaml", "-o", "out.h5"}, dir.path());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("this journal belongs to another sweep"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("sweep --fresh moves it aside"), std::string::npos) << refused.err;
  EXPECT_EQ(
      run_gpumarket({"sweep", "sweep.yaml", "-o", "out.h5", "--fresh", "-q"}, dir.path()).exit_code,
      0);
}

TEST(CliSweep, CreatesTheResultsDirectory) {
  const TempDir dir;
  dir.write("sweep.yaml", sweep_text());
  const ProcessResult result =
      run_gpumarket({"sweep", "sweep.yaml", "-o", "new/dir/grid.h5", "-q"}, dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::exists(dir / "new/dir/grid.h5"));
}

TEST(CliValidate, ChecksASweepFileAndEveryPoint) {
  const TempDir dir;
  dir.write("sweep.yaml", sweep_text());
  const ProcessResult valid = run_gpumarket({"validate", "sweep.yaml"}, dir.path());
  EXPECT_EQ(valid.exit_code, 0) << valid.err;
  EXPECT_EQ(valid.out,
            "sweep.yaml: valid sweep: 2 points x 1 replications = 2 rows, 1 indicator(s)\n");

  dir.write("bad.yaml", sweep_text("[3, -1]"));
  const ProcessResult invalid = run_gpumarket({"validate", "bad.yaml"}, dir.path());
  EXPECT_EQ(invalid.exit_code, 1);
  // Located at the value in the sweep file, not at the base scenario.
  EXPECT_NE(invalid.err.find("bad.yaml:7:"), std::string::npos) << invalid.err;
  EXPECT_NE(invalid.err.find("point 1: venues.farm.servers=-1; 1 of the 2 points do not load"),
            std::string::npos)
      << invalid.err;
}

}  // namespace
}  // namespace gpumarket
