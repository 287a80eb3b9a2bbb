// `run --checkpoint-at`, `--checkpoint-every` and `--from` through the real executable: a
// run saved and continued, and a run killed with SIGKILL and continued from its last periodic
// checkpoint, write the same bytes as the run in one piece; a checkpoint of another scenario
// is refused.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "run_binary.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::ProcessResult;
using gpumarket::testing::read_text;
using gpumarket::testing::run_gpumarket;
using gpumarket::testing::TempDir;
namespace fs = std::filesystem;

std::string bear_path() {
  return (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "bear.yaml").string();
}

// bear.yaml shortened; the same output name in every directory, so that the recorded command
// lines are equal and the files can be compared byte for byte.
std::vector<std::string> bear_run(std::vector<std::string> extra) {
  std::vector<std::string> args{"run",   bear_path(),     "-o", "out.h5", "-q",
                                "--set", "end=2027-03-01"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string in_one_piece() {
  const TempDir dir;
  const ProcessResult result = run_gpumarket(bear_run({}), dir.path());
  EXPECT_TRUE(result.succeeded()) << result.err;
  return read_text(dir / "out.h5");
}

TEST(CheckpointCli, ARunSavedAndContinuedWritesTheSameBytes) {
  const std::string expected = in_one_piece();
  ASSERT_FALSE(expected.empty());
  const TempDir saving;
  const ProcessResult saved =
      run_gpumarket(bear_run({"--checkpoint-at", "2026-09-15"}), saving.path());
  ASSERT_TRUE(saved.succeeded()) << saved.err;
  EXPECT_TRUE(read_text(saving / "out.h5") == expected) << "saving the state changed the run";
  ASSERT_TRUE(fs::exists(saving / "out.ckpt"));
  EXPECT_FALSE(fs::exists(saving / "out.ckpt.partial"));

  const TempDir continuing;
  fs::copy_file(saving / "out.ckpt", continuing / "out.ckpt");
  const ProcessResult continued =
      run_gpumarket(bear_run({"--from", "out.ckpt"}), continuing.path());
  ASSERT_TRUE(continued.succeeded()) << continued.err;
  EXPECT_TRUE(read_text(continuing / "out.h5") == expected) << "the continued run differs";
}

TEST(CheckpointCli, AKilledRunContinuesFromItsLastPeriodicCheckpoint) {
  const std::string expected = in_one_piece();
  const TempDir dir;
  // Killed once its first checkpoint is in place: the run has a good deal left to do.
  bool killed_in_time = false;
  const ProcessResult killed =
      run_gpumarket(bear_run({"--checkpoint-every", "20d"}), dir.path(), [&](pid_t pid) {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (!fs::exists(dir / "out.ckpt") && std::chrono::steady_clock::now() < give_up) {
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        killed_in_time = kill(pid, SIGKILL) == 0;
      });
  ASSERT_TRUE(killed_in_time);
  if (killed.term_signal == SIGKILL) {
    EXPECT_FALSE(fs::exists(dir / "out.h5")) << "a killed run left an output file";
  }
  const ProcessResult resumed =
      run_gpumarket(bear_run({"--checkpoint-every", "20d", "--from", "out.ckpt"}), dir.path());
  ASSERT_TRUE(resumed.succeeded()) << resumed.err;
  EXPECT_TRUE(read_text(dir / "out.h5") == expected) << "the resumed run differs";
}

TEST(CheckpointCli, ACheckpointOfAnotherScenarioOrSeedIsRefused) {
  const TempDir dir;
  ASSERT_TRUE(run_gpumarket(bear_run({"--checkpoint-at", "2026-09-15"}), dir.path()).succeeded());
  for (const std::vector<std::string>& other :
       {std::vector<std::string>{"--seed", "5"},
        std::vector<std::string>{"--set", "venues.alliance.subsidy_rate=0.1"}}) {
    const TempDir elsewhere;
    fs::copy_file(dir / "out.ckpt", elsewhere / "out.ckpt");
    std::vector<std::string> extra = other;
    extra.insert(extra.end(), {"--from", "out.ckpt"});
    const ProcessResult refused = run_gpumarket(bear_run(extra), elsewhere.path());
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("checkpoint 'out.ckpt' was written for another scenario: before "
                               "its date (2026-09-15) the scenario or the seed differ"),
              std::string::npos)
        << refused.err;
    EXPECT_FALSE(fs::exists(elsewhere / "out.h5"));
  }
  // A timeline step after the date may differ: that is a branch.
  const fs::path branch = dir / "branch.yaml";
  std::ofstream(branch) << "extends: " << bear_path() << "\n"
                        << "timeline:\n  - {name: late, date: 2026-12-01,"
                        << " set: {venues.alliance.subsidy_rate: 0.1}}\n";
  const ProcessResult branched = run_gpumarket({"run", branch.string(), "-o", "branch.h5", "-q",
                                                "--set", "end=2027-03-01", "--from", "out.ckpt"},
                                               dir.path());
  EXPECT_TRUE(branched.succeeded()) << branched.err;
}

}  // namespace
}  // namespace gpumarket
