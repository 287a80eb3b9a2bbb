// The exit status of the real executable, one test per code (README.md lists them), and the
// did-you-mean of a misspelt subcommand.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "run_binary.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::mmc_path;
using gpumarket::testing::ProcessResult;
using gpumarket::testing::run_gpumarket;
using gpumarket::testing::TempDir;
namespace fs = std::filesystem;

TEST(CliExitCode, IsZeroOnSuccess) {
  const TempDir dir;
  const ProcessResult result = run_gpumarket({"validate", mmc_path()}, dir.path());
  EXPECT_EQ(result.term_signal, 0);
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST(CliExitCode, IsOneForBadInput) {
  const TempDir dir;
  const ProcessResult missing = run_gpumarket({"run", "missing.yaml", "-q"}, dir.path());
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("missing.yaml: cannot read the scenario file"), std::string::npos)
      << missing.err;
  dir.write("bad.yaml", "name: x\n");
  const ProcessResult bad = run_gpumarket({"validate", "bad.yaml"}, dir.path());
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("bad.yaml:"), std::string::npos) << bad.err;
}

TEST(CliExitCode, IsTwoForUsageErrors) {
  const TempDir dir;
  // CLI11 would exit with its own codes (108 for options that exclude each other, 106 for a
  // missing subcommand, 109 for an unexpected argument).
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"compare", "--headline", "--only", "fee_index", "a.h5"},
           {},
           {"run"},
           {"run", mmc_path(), "--frobnicate"},
           {"run", mmc_path(), "--progress-interval", "-1"}}) {
    const ProcessResult result = run_gpumarket(args, dir.path());
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("--help"), std::string::npos) << result.err;
    EXPECT_EQ(result.out, "");
  }
}

TEST(CliExitCode, Is130WhenSigintStopsARunAndNoOutputIsLeft) {
  const TempDir dir;
  const fs::path partial = dir / "out.h5.partial";
  bool saw_partial = false;
  const ProcessResult result = run_gpumarket(
      {"run", mmc_path(), "-o", "out.h5", "--set", "horizon=5000000h", "-q"}, dir.path(),
      [&](pid_t pid) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!fs::exists(partial) && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        saw_partial = fs::exists(partial);
        kill(pid, saw_partial ? SIGINT : SIGKILL);
      });
  ASSERT_TRUE(saw_partial) << result.err;
  EXPECT_EQ(result.term_signal, 0);
  EXPECT_EQ(result.exit_code, 130) << result.err;
  EXPECT_FALSE(fs::exists(dir / "out.h5"));
  EXPECT_FALSE(fs::exists(partial)) << "a partial output must not outlive the run";
}

TEST(CliExitCode, IsThreeWhenASweepFinishesWithFailedRows) {
  const TempDir dir;
  // servers: -1 fails to load; the other point runs.
  dir.write("sweep.yaml", "base:\n  extends: " + mmc_path() +
                              "\n  horizon: 300h\n  warmup: 20h\nindicators: [mean_wait_h]\n"
                              "axes:\n  - {name: servers, path: venues.farm.servers, values: "
                              "[3, -1]}\n");
  const ProcessResult result = run_gpumarket({"sweep", "sweep.yaml", "-o", "out.h5"}, dir.path());
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_TRUE(fs::exists(dir / "out.h5"));
  // The failing point is named before anything runs, and the failure once more at the end.
  EXPECT_NE(result.err.find("point 1: venues.farm.servers=-1: its rows will fail: sweep.yaml:"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("1 of 2 rows failed"), std::string::npos) << result.err;
  // Merging keeps the failures, and so the status.
  const ProcessResult merged =
      run_gpumarket({"sweep-merge", "merged/all.h5", "out.h5"}, dir.path());
  EXPECT_EQ(merged.exit_code, 3) << merged.err;
  EXPECT_NE(merged.out.find("1 done, 1 failed"), std::string::npos) << merged.out;
}

TEST(CliDidYouMean, NamesTheNearestSubcommand) {
  const TempDir dir;
  const ProcessResult result = run_gpumarket({"runn", mmc_path()}, dir.path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("'runn' is not a subcommand; did you mean 'run'?"), std::string::npos)
      << result.err;
  const ProcessResult sweep = run_gpumarket({"swep-merge", "a.h5"}, dir.path());
  EXPECT_NE(sweep.err.find("did you mean 'sweep-merge'?"), std::string::npos) << sweep.err;
}

TEST(CliHelp, ListsTheExitCodes) {
  const TempDir dir;
  const ProcessResult result = run_gpumarket({"--help"}, dir.path());
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("Exit codes: 0 success; 1 bad input"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("3 a sweep finished with failed rows; 130 interrupted"),
            std::string::npos)
      << result.out;
}

}  // namespace
}  // namespace gpumarket
