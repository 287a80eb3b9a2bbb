// What `gpumarket run` writes besides its results: progress on a stderr that is not a
// terminal, and the directories of its output file.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "run_binary.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::ProcessResult;
using gpumarket::testing::run_gpumarket;
using gpumarket::testing::TempDir;
namespace fs = std::filesystem;

std::string mmc_path() {
  return (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "mmc.yaml").string();
}

size_t count_of(const std::string& text, const std::string& word) {
  size_t n = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

// Runs mmc for long enough (about a second) to print several lines at a short interval.
const std::vector<std::string> kLongRun = {"run",    mmc_path(), "-o",
                                           "out.h5", "--set",    "horizon=1000000h"};

TEST(CliProgress, PrintsStatusLinesWhenStderrIsNotATerminal) {
  const TempDir dir;
  std::vector<std::string> args = kLongRun;
  args.insert(args.end(), {"--progress-interval", "0.05"});
  const ProcessResult result = run_gpumarket(args, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_GE(count_of(result.err, "\n"), 2u) << result.err;
  EXPECT_EQ(count_of(result.err, "\r"), 0u) << "no bar off a terminal";
  // "gpumarket: <scenario>: 12.3% at 2027-01-02 03:00, 0.1s elapsed, ETA 0.7s, 2.31M events/s"
  const std::string first = result.err.substr(0, result.err.find('\n'));
  EXPECT_EQ(first.find("gpumarket: " + mmc_path() + ": "), 0u) << first;
  for (const char* part : {"% at 20", ", ", "s elapsed, ETA ", " events/s"}) {
    EXPECT_NE(first.find(part), std::string::npos) << part << " in: " << first;
  }
}

TEST(CliProgress, TheIntervalComesFromTheEnvironmentAndQuietSilencesIt) {
  const TempDir dir;
  setenv("GPUMARKET_PROGRESS_INTERVAL", "0.05", 1);
  const ProcessResult lines = run_gpumarket(kLongRun, dir.path());
  std::vector<std::string> quiet_args = kLongRun;
  quiet_args.emplace_back("-q");
  const ProcessResult quiet = run_gpumarket(quiet_args, dir.path());
  setenv("GPUMARKET_PROGRESS_INTERVAL", "soon", 1);
  const ProcessResult bad = run_gpumarket(kLongRun, dir.path());
  unsetenv("GPUMARKET_PROGRESS_INTERVAL");
  EXPECT_GE(count_of(lines.err, " events/s\n"), 2u) << lines.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("GPUMARKET_PROGRESS_INTERVAL=soon: expected a number of seconds"),
            std::string::npos)
      << bad.err;
}

TEST(CliProgress, PrintsNothingForARunShorterThanTheInterval) {
  const TempDir dir;
  const ProcessResult result =
      run_gpumarket({"run", mmc_path(), "-o", "out.h5", "--set", "horizon=2000h"}, dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
}

TEST(CliRunOutput, CreatesTheOutputFilesDirectories) {
  const TempDir dir;
  const ProcessResult result = run_gpumarket(
      {"run", mmc_path(), "-o", "new/dir/x.h5", "--set", "horizon=600h", "-q"}, dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::exists(dir / "new/dir/x.h5"));
}

TEST(CliRunOutput, CreatesNoDirectoryForABadScenario) {
  const TempDir dir;
  const ProcessResult result = run_gpumarket(
      {"run", mmc_path(), "-o", "new/x.h5", "--set", "horizon=-1h", "-q"}, dir.path());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_FALSE(fs::exists(dir / "new"));
}

}  // namespace
}  // namespace gpumarket
