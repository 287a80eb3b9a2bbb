// The command line end to end beyond the corpus of bad input (bad_input_corpus_test.cpp):
// interrupts, warnings and --strict, and --resolved.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "run_binary.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::lines_of;
using gpumarket::testing::ProcessResult;
using gpumarket::testing::run_gpumarket;
using gpumarket::testing::TempDir;
namespace fs = std::filesystem;

constexpr const char* kScenario = "scenario.yaml";  // written into each case's directory
constexpr const char* kOutput = "out.h5";

TEST(CliInterrupt, SigintStopsTheRunWithAMessageAndLeavesNoOutputFile) {
  const TempDir dir;
  const fs::path partial = dir / (std::string(kOutput) + ".partial");
  bool saw_partial = false;
  // A horizon far longer than the test: only the signal ends the run.
  const ProcessResult result = run_gpumarket(
      {"run", (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "mmc.yaml").string(), "-o", kOutput,
       "--set", "horizon=5000000h", "-q"},
      dir.path(), [&](pid_t pid) {
        // The temporary file exists once the scenario is validated and the run has
        // begun, which is also after the signal handlers are installed.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!fs::exists(partial) && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        saw_partial = fs::exists(partial);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        kill(pid, saw_partial ? SIGINT : SIGKILL);
      });
  ASSERT_TRUE(saw_partial) << "the run never created " << partial << "; stderr: " << result.err;
  EXPECT_EQ(result.term_signal, 0) << "the run should catch SIGINT and exit";
  EXPECT_EQ(result.exit_code, 130);
  const std::vector<std::string> lines = lines_of(result.err);
  ASSERT_EQ(lines.size(), 1u) << result.err;
  EXPECT_NE(lines[0].find("mmc.yaml: run interrupted by signal 2"), std::string::npos) << lines[0];
  EXPECT_FALSE(fs::exists(dir / kOutput));
  EXPECT_FALSE(fs::exists(partial));
}

// A scenario with one warning: a timeline step that sets the value already in force.
constexpr const char* kWarnedScenario =
    "name: warned\n"
    "start: 2026-01-01\n"
    "horizon: 200h\n"
    "venues:\n"
    "  - {name: farm, kind: fixed, servers: 3, price_usd_per_pf_hour: 2.0}\n"
    "segments:\n"
    "  - {name: jobs, arrival_rate_per_hour: 2.4, duration: {distribution: exponential, mean: "
    "1h}}\n"
    "timeline:\n"
    "  - date: 2026-01-03\n"
    "    set: {venues.farm.servers: 3}\n";
constexpr const char* kWarning =
    "scenario.yaml:10:32: warning: timeline[0].set: 'venues.farm.servers' is already 3 before "
    "this step, which does not change it\n";

TEST(CliWarnings, ValidateAndRunPrintThemAndSucceed) {
  const TempDir dir;
  dir.write(kScenario, kWarnedScenario);
  const ProcessResult validated = run_gpumarket({"validate", kScenario}, dir.path());
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  EXPECT_EQ(validated.err, kWarning);
  EXPECT_NE(validated.out.find("scenario.yaml: valid"), std::string::npos) << validated.out;
  const ProcessResult ran = run_gpumarket({"run", kScenario, "-o", kOutput, "-q"}, dir.path());
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.err, kWarning);
  EXPECT_TRUE(fs::exists(dir / kOutput));
}

TEST(CliWarnings, StrictMakesThemErrors) {
  const TempDir dir;
  dir.write(kScenario, kWarnedScenario);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"validate", kScenario, "--strict"}, {"run", kScenario, "--strict", "-o", kOutput}}) {
    const std::string& command = args.front();
    const ProcessResult result = run_gpumarket(args, dir.path());
    EXPECT_EQ(result.exit_code, 1) << command << ": " << result.err;
    EXPECT_EQ(result.err, std::string(kWarning) +
                              "gpumarket: error: scenario.yaml: 1 warning(s), which --strict "
                              "makes errors\n")
        << command;
    EXPECT_EQ(result.out, "") << command;
    EXPECT_FALSE(fs::exists(dir / kOutput)) << command;
  }
  // Without warnings --strict changes nothing.
  const ProcessResult clean = run_gpumarket(
      {"validate", (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "mmc.yaml").string(),
       "--strict"},
      dir.path());
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(clean.err, "");
}

// --resolved prints the scenario after extends and --set, which loads as the same scenario.
TEST(CliErrors, ValidateResolvedPrintsTheComposedScenarioThatLoadsAsTheSame) {
  TempDir dir;
  const std::string bull = (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "bull.yaml").string();
  const ProcessResult resolved = run_gpumarket(
      {"validate", bull, "--resolved", "--set", "venues.alliance.subsidy_rate=0.45"}, dir.path());
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_EQ(resolved.out.find("extends"), std::string::npos);
  EXPECT_NE(resolved.out.find("subsidy_rate: 0.45"), std::string::npos);
  EXPECT_NE(resolved.out.find("alliance_accepts: true"), std::string::npos);   // from the policy
  EXPECT_NE(resolved.out.find("capex_usd_per_pf: 50557"), std::string::npos);  // from the world
  dir.write("flat.yaml", resolved.out);
  const ProcessResult flat = run_gpumarket({"validate", "flat.yaml"}, dir.path());
  EXPECT_EQ(flat.exit_code, 0) << flat.err;
  EXPECT_NE(flat.out.find("valid: 'bull'"), std::string::npos) << flat.out;
  const ProcessResult sweep = run_gpumarket(
      {"validate",
       (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "sweeps" / "mmc_grid.yaml").string(),
       "--resolved"},
      dir.path());
  EXPECT_EQ(sweep.exit_code, 1);
  EXPECT_NE(sweep.err.find("--resolved applies to scenarios"), std::string::npos) << sweep.err;
}

}  // namespace
}  // namespace gpumarket
